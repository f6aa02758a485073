package io.sim2real.nn;

import io.sim2real.contracts.messages.PolicySnapshot;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Acting with a published policy: rebuilds the actor from its snapshot and maps any number of observations
 * to actions in chunks (inference batched over environments or rollouts). Sampled actions for collecting
 * data and model rollouts, the squashed mean for evaluation and serving. Not thread-safe: it has buffers.
 */
public final class ActorRunner {

    private static final int CHUNK = 1024;

    private final PolicySnapshot snapshot;
    private final SquashedGaussianActor actor;
    private final INDArray obs;
    private final INDArray actions;

    public ActorRunner(PolicySnapshot snapshot) {
        this.snapshot = snapshot;
        this.actor = PolicySnapshots.toActor(snapshot, CHUNK);
        this.obs = F32.zeros(CHUNK, snapshot.obsDim());
        this.actions = F32.zeros(CHUNK, snapshot.actDim());
    }

    public long version() {
        return snapshot.version();
    }

    public double[][] act(double[][] observations, boolean deterministic, SplittableRandom random) {
        int n = observations.length;
        int obsDim = snapshot.obsDim();
        int actDim = snapshot.actDim();
        double[][] out = new double[n][actDim];
        FloatBuffer o = F32.view(obs);
        FloatBuffer a = F32.view(actions);
        for (int from = 0; from < n; from += CHUNK) {
            int rows = Math.min(CHUNK, n - from);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < obsDim; j++) {
                    o.put(r * obsDim + j, (float) observations[from + r][j]);
                }
            }
            if (deterministic) {
                actor.mean(obs, rows, actions);
            } else {
                actor.drawNoise(rows, random);
                actor.sample(obs, rows, actions);
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < actDim; j++) {
                    out[from + r][j] = a.get(r * actDim + j);
                }
            }
        }
        return out;
    }
}

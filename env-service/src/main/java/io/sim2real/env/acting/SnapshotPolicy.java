package io.sim2real.env.acting;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.F32;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.SquashedGaussianActor;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learned policy from a snapshot, acting on all envs at once (inference batched over envs): sampled
 * actions for collecting data, the squashed mean for evaluation. One instance per user: it has buffers.
 */
public final class SnapshotPolicy implements BehaviourPolicy {

    private static final int CHUNK = 256;

    private final PolicySnapshot snapshot;
    private final SquashedGaussianActor actor;
    private final boolean deterministic;
    private final SplittableRandom random;
    private final INDArray obs;
    private final INDArray actions;

    public SnapshotPolicy(PolicySnapshot snapshot, boolean deterministic, long seed) {
        this.snapshot = snapshot;
        this.actor = PolicySnapshots.toActor(snapshot, CHUNK);
        this.deterministic = deterministic;
        this.random = new SplittableRandom(seed);
        this.obs = F32.zeros(CHUNK, snapshot.obsDim());
        this.actions = F32.zeros(CHUNK, snapshot.actDim());
    }

    @Override
    public long version() {
        return snapshot.version();
    }

    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public double[][] act(double[][] observations, int[] stepIndices) {
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

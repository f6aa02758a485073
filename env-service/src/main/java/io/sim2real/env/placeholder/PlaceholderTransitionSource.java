package io.sim2real.env.placeholder;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.SplittableRandom;

/**
 * PLACEHOLDER until the MuJoCo HalfCheetah environment exists: a seeded, smooth random walk with the
 * environment's shape and a uniform random policy. It produces well-formed transitions to exercise the
 * pipeline end to end; there is no physics in it and nothing should be learned from it.
 */
public final class PlaceholderTransitionSource {

    private final EnvSpec spec;
    private final String runId;
    private final Domain domain;
    private final String envId;
    private final int episodeLength;
    private final SplittableRandom random;
    private final double[] state;
    private long episode;
    private int step;

    public PlaceholderTransitionSource(EnvSpec spec, String runId, Domain domain, String envId, int episodeLength, long seed) {
        if (episodeLength < 1) {
            throw new IllegalArgumentException("episodeLength must be >= 1");
        }
        this.spec = spec;
        this.runId = runId;
        this.domain = domain;
        this.envId = envId;
        this.episodeLength = episodeLength;
        this.random = new SplittableRandom(seed);
        this.state = new double[spec.obsDim()];
        reset();
    }

    private void reset() {
        for (int i = 0; i < state.length; i++) {
            state[i] = 0.1 * (2 * random.nextDouble() - 1);
        }
        step = 0;
    }

    /** The next {@code n} transitions, continuing episodes across calls. */
    public TransitionBatch next(int n) {
        long[] episodes = new long[n];
        int[] steps = new int[n];
        double[][] obs = new double[n][];
        double[][] act = new double[n][spec.actDim()];
        double[] rew = new double[n];
        double[][] nextObs = new double[n][];
        boolean[] done = new boolean[n];
        boolean[] truncated = new boolean[n];
        for (int i = 0; i < n; i++) {
            episodes[i] = episode;
            steps[i] = step;
            obs[i] = state.clone();
            double effort = 0;
            for (int j = 0; j < spec.actDim(); j++) {
                act[i][j] = spec.actionLow() + (spec.actionHigh() - spec.actionLow()) * random.nextDouble();
                effort += act[i][j] * act[i][j];
            }
            for (int k = 0; k < state.length; k++) {
                state[k] = 0.95 * state[k] + 0.05 * act[i][k % spec.actDim()] + 0.01 * (2 * random.nextDouble() - 1);
            }
            nextObs[i] = state.clone();
            rew[i] = state[0] - 0.1 * effort;
            step++;
            if (step == episodeLength) {
                truncated[i] = true;
                episode++;
                reset();
            }
        }
        return new TransitionBatch(SchemaVersion.CURRENT, runId, domain, envId, 0, episodes, steps, obs, act, rew,
                nextObs, done, truncated);
    }
}

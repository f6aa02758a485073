package io.sim2real.datasets;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import java.util.Map;
import java.util.Random;

/** Deterministic HalfCheetah-shaped transitions, including values whose bits are easy to lose. */
final class TestData {

    static final EnvSpec SPEC = EnvSpec.HALF_CHEETAH;
    static final long CREATED_AT_MS = 1_700_000_000_000L;

    private TestData() {
    }

    /** Transition i of a sequence of episodes of {@code episodeLength} steps, the last step of each cut. */
    static Transition transition(Random random, int i, int episodeLength) {
        double[] obs = gaussian(random, SPEC.obsDim());
        double[] act = new double[SPEC.actDim()];
        for (int j = 0; j < act.length; j++) {
            act[j] = 2 * random.nextDouble() - 1;
        }
        if (i == 0) {
            // Edge values a lossy format would change: bounds exactly, negative zero, the smallest subnormal.
            act[0] = SPEC.actionLow();
            act[1] = SPEC.actionHigh();
            act[2] = -0.0;
            obs[0] = Double.MIN_VALUE;
            obs[1] = -Double.MAX_VALUE;
        }
        int step = i % episodeLength;
        return new Transition(i / episodeLength, step, obs, act, random.nextGaussian(), gaussian(random, SPEC.obsDim()),
                false, step == episodeLength - 1);
    }

    static DatasetWriter writer(int n, long seed) throws DatasetException {
        Random random = new Random(seed);
        DatasetWriter writer = new DatasetWriter(SPEC, Domain.SIM, "random")
                .physics(Map.of("gravity", 1.5, "action_delay", 2.0))
                .seed(seed)
                .description("test data")
                .createdAtMs(CREATED_AT_MS);
        for (int i = 0; i < n; i++) {
            writer.append(transition(random, i, 4));
        }
        return writer;
    }

    static Dataset dataset(int n) throws DatasetException {
        return writer(n, 42).toDataset();
    }

    private static double[] gaussian(Random random, int n) {
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
            v[j] = 3 * random.nextGaussian();
        }
        return v;
    }
}

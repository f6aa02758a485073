package io.sim2real.nn;

/**
 * Hyper-parameters of a dynamics ensemble and its training (METHOD.md's defaults: MBPO's HalfCheetah model).
 *
 * @param holdoutRatio   share of the data kept out of training, to choose elites and stop early
 * @param patience       epochs without an improvement of at least {@code minImprovement} (relative) before stopping
 * @param maxEpochs      hard cap on epochs per training round
 * @param threads        members trained at once
 */
public record EnsembleConfig(int members, int elites, int[] hidden, Activation activation, double learningRate,
                             double[] weightDecay, double boundPenalty, int batchSize, double holdoutRatio,
                             int patience, double minImprovement, int maxEpochs, int threads, long seed) {

    public EnsembleConfig {
        if (members < 1 || elites < 1 || elites > members) {
            throw new IllegalArgumentException("need 1 <= elites <= members, got " + elites + " of " + members);
        }
        if (weightDecay.length != hidden.length + 1) {
            throw new IllegalArgumentException("one weight decay per layer: " + (hidden.length + 1) + " expected");
        }
        if (!(holdoutRatio > 0 && holdoutRatio < 1) || batchSize < 1 || patience < 1 || maxEpochs < 1 || threads < 1) {
            throw new IllegalArgumentException("holdoutRatio in (0, 1), batchSize, patience, maxEpochs, threads >= 1");
        }
    }

    /** MBPO's model for HalfCheetah: 7 members, 5 elites, 4 x 200 SiLU, Adam 1e-3, batch 256, 20% hold-out. */
    public static EnsembleConfig mbpo(long seed) {
        return new EnsembleConfig(7, 5, new int[] {200, 200, 200, 200}, Activation.SILU, 1e-3,
                new double[] {2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4}, 0.01, 256, 0.2, 5, 0.01, 1000, 1, seed);
    }

    public EnsembleConfig withSize(int members, int elites, int[] hidden) {
        double[] decay = new double[hidden.length + 1];
        for (int i = 0; i < decay.length; i++) {
            decay[i] = weightDecay[Math.min(i, weightDecay.length - 1)];
        }
        return new EnsembleConfig(members, elites, hidden, activation, learningRate, decay, boundPenalty, batchSize,
                holdoutRatio, patience, minImprovement, maxEpochs, threads, seed);
    }

    public EnsembleConfig withEpochs(int maxEpochs) {
        return new EnsembleConfig(members, elites, hidden, activation, learningRate, weightDecay, boundPenalty, batchSize,
                holdoutRatio, patience, minImprovement, maxEpochs, threads, seed);
    }

    public EnsembleConfig withSeed(long seed) {
        return new EnsembleConfig(members, elites, hidden, activation, learningRate, weightDecay, boundPenalty, batchSize,
                holdoutRatio, patience, minImprovement, maxEpochs, threads, seed);
    }

    public EnsembleConfig withThreads(int threads) {
        return new EnsembleConfig(members, elites, hidden, activation, learningRate, weightDecay, boundPenalty, batchSize,
                holdoutRatio, patience, minImprovement, maxEpochs, threads, seed);
    }
}

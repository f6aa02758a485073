package io.sim2real.nn;

/**
 * Soft actor-critic hyper-parameters (METHOD.md: 256-256 networks, lr 3e-4, gamma 0.99, tau 0.005, automatic
 * entropy tuning with target -|A|, batch 256).
 */
public record SacConfig(int obsDim, int actDim, int[] hidden, double actorLearningRate, double criticLearningRate,
                        double alphaLearningRate, double gamma, double tau, double targetEntropy, double initialAlpha,
                        int batchSize, long seed) {

    public SacConfig {
        if (obsDim < 1 || actDim < 1 || hidden.length < 1 || batchSize < 1) {
            throw new IllegalArgumentException("dimensions, hidden layers and batch size must be positive");
        }
        if (!(gamma >= 0 && gamma <= 1) || !(tau > 0 && tau <= 1) || !(initialAlpha > 0)) {
            throw new IllegalArgumentException("gamma in [0, 1], tau in (0, 1], initialAlpha > 0");
        }
    }

    public static SacConfig standard(int obsDim, int actDim, long seed) {
        return new SacConfig(obsDim, actDim, new int[] {256, 256}, 3e-4, 3e-4, 3e-4, 0.99, 0.005, -actDim, 1.0, 256, seed);
    }

    public SacConfig withHidden(int[] hidden) {
        return new SacConfig(obsDim, actDim, hidden, actorLearningRate, criticLearningRate, alphaLearningRate, gamma, tau,
                targetEntropy, initialAlpha, batchSize, seed);
    }

    public SacConfig withBatchSize(int batchSize) {
        return new SacConfig(obsDim, actDim, hidden, actorLearningRate, criticLearningRate, alphaLearningRate, gamma, tau,
                targetEntropy, initialAlpha, batchSize, seed);
    }

    public SacConfig withLearningRates(double lr) {
        return new SacConfig(obsDim, actDim, hidden, lr, lr, lr, gamma, tau, targetEntropy, initialAlpha, batchSize, seed);
    }

    public SacConfig withGamma(double gamma) {
        return new SacConfig(obsDim, actDim, hidden, actorLearningRate, criticLearningRate, alphaLearningRate, gamma, tau,
                targetEntropy, initialAlpha, batchSize, seed);
    }
}

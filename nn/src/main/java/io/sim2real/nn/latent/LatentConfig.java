package io.sim2real.nn.latent;

import io.sim2real.nn.Activation;

/**
 * Hyper-parameters of the latent sim-to-real model and its joint training (METHOD.md).
 *
 * @param hidden        hidden layers of each residual network (encoders, decoders, mapping m)
 * @param weightDecay   L2 decay of the residual networks' weights (the dynamics keeps its ensemble's decay)
 * @param lambdaAe      weight of the auto-encoding loss |q_d(p_d(o)) - o|^2
 * @param lambdaDec     weight of the decoded-prediction loss |q_d(z'_pred) - o'|^2
 * @param lambdaCorr    weight of the latent correspondence loss |m(p_real(o)) - sg(p_sim(o))|^2
 * @param lambdaAnchor  weight of the anchor |p_real(o) - p_sim(o)|^2 over both domains' observations (0: off, the
 *                      method as before). With the sim side kept the identity, p_real is otherwise free up to any
 *                      invertible map that q_real undoes; the anchor keeps the real latents where the shared dynamics
 *                      has seen sim latents, wherever the prediction loss does not pay to move them (docs/LATENT.md)
 * @param batchSize     transitions per domain per step
 * @param trainSimAutoencoder whether joint training changes p_sim and q_sim (METHOD.md as written: yes). With
 *                      false they stay the identity they start as, so the latent space is the simulator's observation
 *                      space: sim rollouts then differ from a plain ensemble's only through the shared dynamics, and
 *                      off the data the sim encoder and decoder cannot extrapolate wrongly (docs/RESULTS.md)
 */
public record LatentConfig(int[] hidden, Activation activation, double learningRate, double weightDecay,
                           double lambdaAe, double lambdaDec, double lambdaCorr, double lambdaAnchor, int batchSize,
                           long seed, boolean trainSimAutoencoder) {

    public LatentConfig {
        hidden = hidden.clone();
        if (batchSize < 1 || !(learningRate > 0) || weightDecay < 0 || lambdaAe < 0 || lambdaDec < 0 || lambdaCorr < 0
                || !(lambdaAnchor >= 0)) {
            throw new IllegalArgumentException("batchSize and learningRate must be positive, weights and decay >= 0");
        }
    }

    /**
     * The defaults: 2 x 200 SiLU residual networks, Adam 1e-3, the loss weights of METHOD.md 1 (no anchor), batch 256 per
     * domain.
     */
    public static LatentConfig defaults(long seed) {
        return new LatentConfig(new int[] {200, 200}, Activation.SILU, 1e-3, 2.5e-5, 1.0, 1.0, 1.0, 0.0, 256, seed, true);
    }

    public LatentConfig withHidden(int[] hidden) {
        return new LatentConfig(hidden, activation, learningRate, weightDecay, lambdaAe, lambdaDec, lambdaCorr, lambdaAnchor, batchSize, seed, trainSimAutoencoder);
    }

    public LatentConfig withWeights(double lambdaAe, double lambdaDec, double lambdaCorr) {
        return new LatentConfig(hidden, activation, learningRate, weightDecay, lambdaAe, lambdaDec, lambdaCorr, lambdaAnchor, batchSize, seed, trainSimAutoencoder);
    }

    public LatentConfig withAnchor(double lambdaAnchor) {
        return new LatentConfig(hidden, activation, learningRate, weightDecay, lambdaAe, lambdaDec, lambdaCorr, lambdaAnchor, batchSize, seed,
                trainSimAutoencoder);
    }

    public LatentConfig withSimAutoencoderTrained(boolean trainSimAutoencoder) {
        return new LatentConfig(hidden, activation, learningRate, weightDecay, lambdaAe, lambdaDec, lambdaCorr, lambdaAnchor, batchSize, seed,
                trainSimAutoencoder);
    }

    public LatentConfig withBatchSize(int batchSize) {
        return new LatentConfig(hidden, activation, learningRate, weightDecay, lambdaAe, lambdaDec, lambdaCorr, lambdaAnchor, batchSize, seed, trainSimAutoencoder);
    }
}

package io.sim2real.bench;

/**
 * Floating-point operations in the matrix products (GEMMs) of each benchmarked path: the work no implementation
 * can skip, counted as 2 per multiply-add. Element-wise work (activations, losses, Adam) is left out: it is a few
 * per cent of the products here and runs at memory speed, not at the GEMM rate.
 *
 * <p>A dense layer {@code in -> out} over {@code n} rows costs {@code 2 n in out} forward, the same again for its
 * weight gradient, and the same again for its input gradient, which only layers whose input needs a gradient
 * compute (not the first layer when its input is data). Bias terms are not GEMMs and are not counted.
 */
final class Flops {

    static final int[] ENSEMBLE = {23, 200, 200, 200, 200, 36};
    static final int ENSEMBLE_MEMBERS = 7;
    static final int[] SAC_ACTOR = {17, 256, 256, 12};
    static final int[] SAC_CRITIC = {23, 256, 256, 1};
    static final int[] RESIDUAL = {17, 200, 200, 17};

    private Flops() {
    }

    /** Sum of in x out over the layers. */
    static double weights(int[] sizes) {
        double s = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            s += (double) sizes[i] * sizes[i + 1];
        }
        return s;
    }

    static double forward(double rows, int[] sizes) {
        return 2 * rows * weights(sizes);
    }

    /** Forward, weight gradients and input gradients (of the first layer only if {@code inputGrad}). */
    static double train(double rows, int[] sizes, boolean inputGrad) {
        double firstLayer = (double) sizes[0] * sizes[1];
        return 2 * rows * (3 * weights(sizes) - (inputGrad ? 0 : firstLayer));
    }

    /** Backward to the input only (the weights are not trained by this loss). */
    static double inputGradOnly(double rows, int[] sizes) {
        return 2 * rows * weights(sizes);
    }

    /** Training step: 7 members, 256 rows each: 1.401 GFLOP (torch's FlopCounterMode counts the same). */
    static double ensembleTrainStep() {
        return ENSEMBLE_MEMBERS * train(256, ENSEMBLE, false);
    }

    /** Every member's forward pass on 100,000 rows: 184.5 GFLOP. */
    static double ensembleInference() {
        return ENSEMBLE_MEMBERS * forward(100_000, ENSEMBLE);
    }

    /**
     * One SAC update, batch 256: 0.582 GFLOP. Critic step: actor forward on o' and both target critics on
     * (o', a'), then both critics trained on (o, a). Actor step: the actor trained on o through both critics,
     * whose backward goes to their input only. The temperature step and the Polyak update have no GEMMs. PyTorch
     * counts 0.655 GFLOP: its actor step also computes the critics' weight gradients (4 x 256 x 71,680 x 2 / 2 =
     * 73.4 MFLOP), which the actor step does not use.
     */
    static double sacUpdate() {
        double b = 256;
        double critic = forward(b, SAC_ACTOR) + 2 * forward(b, SAC_CRITIC) + 2 * train(b, SAC_CRITIC, false);
        double actor = train(b, SAC_ACTOR, false) + 2 * (forward(b, SAC_CRITIC) + inputGradOnly(b, SAC_CRITIC));
        return critic + actor;
    }

    /**
     * One joint step of the latent model, 256 transitions per domain: 4.597 GFLOP. Correspondence: the sim
     * encoder (no gradient) and the real encoder (trained) on both domains' 512 observations, the mapping trained
     * with its input gradient. Per domain: its encoder trained on (o, o') (512 rows); the 7-member ensemble trained
     * on both domains' 512 latent rows with input gradients (they reach the encoders); per domain its decoder
     * trained on every member's 256 predictions (1,792 rows) and on the 256 latents (auto-encoding), both with
     * input gradients. torch's FlopCounterMode counts the same 4.597 GFLOP in the peer's step.
     */
    static double latentStep() {
        double b = 256;
        double correspondence = forward(2 * b, RESIDUAL) + train(2 * b, RESIDUAL, false) + train(2 * b, RESIDUAL, true);
        double encoders = 2 * train(2 * b, RESIDUAL, false);
        double dynamics = ENSEMBLE_MEMBERS * train(2 * b, ENSEMBLE, true);
        double decoders = 2 * (train(ENSEMBLE_MEMBERS * b, RESIDUAL, true) + train(b, RESIDUAL, true));
        return correspondence + encoders + dynamics + decoders;
    }
}

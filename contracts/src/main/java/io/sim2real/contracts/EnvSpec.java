package io.sim2real.contracts;

/**
 * The shape of an environment's observations and actions. Validation checks messages against
 * a spec; the serde itself is dimension-agnostic.
 */
public record EnvSpec(String name, int obsDim, int actDim, double actionLow, double actionHigh) {

    /** MuJoCo HalfCheetah: 17-dim observation, 6 motors in [-1, 1]. */
    public static final EnvSpec HALF_CHEETAH = new EnvSpec("HalfCheetah", 17, 6, -1.0, 1.0);

    public EnvSpec {
        if (obsDim <= 0 || actDim <= 0) {
            throw new IllegalArgumentException("dimensions must be positive: obsDim=" + obsDim + " actDim=" + actDim);
        }
        if (!(actionLow < actionHigh)) {
            throw new IllegalArgumentException("actionLow must be below actionHigh");
        }
    }
}

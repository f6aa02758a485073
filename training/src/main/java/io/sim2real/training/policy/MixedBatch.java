package io.sim2real.training.policy;

import io.sim2real.replay.TransitionStore;
import java.util.SplittableRandom;

/**
 * A SAC batch of a run that mixes model rollouts: {@code realRatio} of it (rounded, at least one row) from the
 * environment transitions of its training domains, the rest from model rollouts; all from the environment while
 * there are no rollouts (SAC alone, or before the first model round). Rows are drawn with replacement, environment
 * rows first, from one generator.
 */
public final class MixedBatch {

    private MixedBatch() {
    }

    /** Rows from the environment in a batch of {@code size} ({@code size} when there are no model rows to mix). */
    public static int environmentRows(int size, double realRatio, boolean modelRows) {
        return modelRows ? Math.min(size, Math.max(1, (int) Math.round(size * realRatio))) : size;
    }

    /** Draws one batch; {@code model} may be null (a method without a model). */
    public static TransitionStore.Sample draw(TransitionStore environment, TransitionStore model, double realRatio,
                                              int size, SplittableRandom random) {
        int fromEnv = environmentRows(size, realRatio, model != null && model.size() > 0);
        TransitionStore.Sample e = environment.sample(fromEnv, random);
        return fromEnv == size ? e : e.concat(model.sample(size - fromEnv, random));
    }

    /**
     * Draws one batch whose environment rows come from the first {@code environmentLimit} environment transitions
     * only ({@link TransitionStore#sample(int, SplittableRandom, long)}); {@code model} may be null.
     */
    public static TransitionStore.Sample draw(TransitionStore environment, TransitionStore model, double realRatio,
                                              int size, SplittableRandom random, long environmentLimit) {
        int fromEnv = environmentRows(size, realRatio, model != null && model.size() > 0);
        TransitionStore.Sample e = environment.sample(fromEnv, random, environmentLimit);
        return fromEnv == size ? e : e.concat(model.sample(size - fromEnv, random));
    }
}

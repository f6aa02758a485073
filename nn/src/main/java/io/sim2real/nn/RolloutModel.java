package io.sim2real.nn;

import java.util.SplittableRandom;

/**
 * A model that branched rollouts can step: it may keep its own state (the latent model keeps latent vectors),
 * shown to the policy as observations. An observation-space ensemble's state is the observation itself.
 */
public interface RolloutModel {

    /** The model's states for these start observations. */
    double[][] enter(double[][] obs);

    /** The observations the policy sees in these states. */
    double[][] observe(double[][] states);

    /** One sampled model step for each of the n rows: next states and rewards. */
    void step(double[][] states, double[][] act, int n, SplittableRandom rng, double[][] nextStates, double[] rew);
}

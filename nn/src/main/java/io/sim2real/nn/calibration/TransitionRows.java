package io.sim2real.nn.calibration;

import io.sim2real.nn.latent.Transitions;

/**
 * Transitions (s, a, s') of one domain, row i of each array, without rewards: the input of
 * {@link DomainClassifiers}. A sim side may be counterfactual (f_sim(o, a) from the real side's states and actions)
 * or unpaired (transitions from other states).
 */
public record TransitionRows(double[][] obs, double[][] act, double[][] nextObs) {

    public TransitionRows {
        int n = obs.length;
        if (act.length != n || nextObs.length != n) {
            throw new IllegalArgumentException("obs, act and nextObs must have one row per transition: "
                    + n + ", " + act.length + ", " + nextObs.length);
        }
        if (n > 0 && nextObs[0].length != obs[0].length) {
            throw new IllegalArgumentException("next observations have " + nextObs[0].length + " values, observations "
                    + obs[0].length);
        }
    }

    public static TransitionRows of(Transitions t) {
        return new TransitionRows(t.obs(), t.act(), t.nextObs());
    }

    public int size() {
        return obs.length;
    }

    public int obsDim() {
        return obs.length == 0 ? 0 : obs[0].length;
    }

    public int actDim() {
        return act.length == 0 ? 0 : act[0].length;
    }
}

package io.sim2real.nn.calibration;

import io.sim2real.nn.HalfCheetahData;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.Arrays;

/**
 * Real MuJoCo counterfactual pairs for tests: transitions (o, a, o'_real) with uniform random actions under a
 * (perturbed) physics, and for each the nominal simulator's f_sim(o, a): a neutral-physics env put in the state o
 * describes ({@link HalfCheetahEnv#setStates}) and stepped with a.
 */
record CounterfactualPairs(double[][] obs, double[][] act, double[][] realNext, double[][] simNext) {

    /** Envs stepped together when computing f_sim. */
    static final int SIM_BATCH = 256;

    static CounterfactualPairs collect(DomainPhysics real, int n, int envs, long seed) {
        Transitions t = HalfCheetahData.random(real, n, envs, seed);
        return new CounterfactualPairs(t.obs(), t.act(), t.nextObs(), simulate(t.obs(), t.act()));
    }

    /** f_sim(o, a) for every row, with neutral physics. */
    static double[][] simulate(double[][] obs, double[][] act) {
        int n = obs.length;
        double[][] out = new double[n][];
        try (HalfCheetahEnv sim = new HalfCheetahEnv(DomainPhysics.neutral(), SIM_BATCH, 1, 0)) {
            for (int from = 0; from < n; from += SIM_BATCH) {
                int count = Math.min(SIM_BATCH, n - from);
                double[][] o = new double[SIM_BATCH][];
                double[][] a = new double[SIM_BATCH][];
                for (int k = 0; k < SIM_BATCH; k++) {
                    int i = from + Math.min(k, count - 1); // a short last batch repeats its last row
                    o[k] = obs[i];
                    a[k] = act[i];
                }
                sim.setStates(o);
                StepResult s = sim.step(a);
                for (int k = 0; k < count; k++) {
                    if (s.unstable()[k]) {
                        throw new IllegalStateException("unstable simulator step from row " + (from + k));
                    }
                    out[from + k] = s.nextObs()[k];
                }
            }
        }
        return out;
    }

    int size() {
        return obs.length;
    }

    CounterfactualDiscrepancy.Result discrepancy() {
        return CounterfactualDiscrepancy.measure(obs, realNext, simNext);
    }

    /** The real side as (o, a, o'_real) rows. */
    TransitionRows realRows() {
        return new TransitionRows(obs, act, realNext);
    }

    /** The sim side as (o, a, f_sim(o, a)) rows: the same states and actions as the real side. */
    TransitionRows simRows() {
        return new TransitionRows(obs, act, simNext);
    }

    /** Rows [from, to). */
    CounterfactualPairs slice(int from, int to) {
        return new CounterfactualPairs(Arrays.copyOfRange(obs, from, to), Arrays.copyOfRange(act, from, to),
                Arrays.copyOfRange(realNext, from, to), Arrays.copyOfRange(simNext, from, to));
    }
}

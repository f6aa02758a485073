package io.sim2real.experiments;

import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Counterfactual pairs: for each real transition (o, a, o'), the nominal simulator's f_sim(o, a), computed by putting
 * a neutral-physics HalfCheetah in the state o describes ({@link HalfCheetahEnv#setStates}) and stepping a
 * (METHOD.md, "Measuring the gap while training"). Row i of both sides then shares (o, a), and the sides differ only
 * in the dynamics.
 */
final class CounterfactualSim implements AutoCloseable {

    /** Envs stepped together. */
    static final int BATCH = 256;

    /** A real window and its simulated twin, row for row. */
    record Pairs(Transitions real, Transitions sim) {
        int size() {
            return real.size();
        }
    }

    private final HalfCheetahEnv sim = new HalfCheetahEnv(DomainPhysics.neutral(), BATCH, 1, 0);

    /**
     * The pairs of every real row; a row from whose state the simulator's step is unstable is left out of both sides
     * (the simulator has no prediction there).
     */
    Pairs pair(Transitions real) {
        int n = real.size();
        List<Integer> kept = new ArrayList<>(n);
        List<double[]> simNext = new ArrayList<>(n);
        List<Double> simRew = new ArrayList<>(n);
        for (int from = 0; from < n; from += BATCH) {
            int count = Math.min(BATCH, n - from);
            double[][] o = new double[BATCH][];
            double[][] a = new double[BATCH][];
            for (int k = 0; k < BATCH; k++) {
                int i = from + Math.min(k, count - 1); // a short last batch repeats its last row
                o[k] = real.obs()[i];
                a[k] = real.act()[i];
            }
            sim.setStates(o);
            StepResult s = sim.step(a);
            for (int k = 0; k < count; k++) {
                if (!s.unstable()[k]) {
                    kept.add(from + k);
                    simNext.add(s.nextObs()[k]);
                    simRew.add(s.rew()[k]);
                }
            }
        }
        int m = kept.size();
        double[][] obs = new double[m][];
        double[][] act = new double[m][];
        double[] realRew = new double[m];
        double[][] realNext = new double[m][];
        for (int j = 0; j < m; j++) {
            int i = kept.get(j);
            obs[j] = real.obs()[i];
            act[j] = real.act()[i];
            realRew[j] = real.rew()[i];
            realNext[j] = real.nextObs()[i];
        }
        return new Pairs(new Transitions(obs, act, realRew, realNext), new Transitions(obs, act,
                simRew.stream().mapToDouble(Double::doubleValue).toArray(), simNext.toArray(double[][]::new)));
    }

    @Override
    public void close() {
        sim.close();
    }
}

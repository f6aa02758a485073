package io.sim2real.model.probe;

import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Real MuJoCo counterfactual pairs for tests, as env-service makes them: {@code envs} HalfCheetahs under the real
 * physics step with uniform random actions, rows in collection order (one step of every env, then the next), and for
 * every row the nominal simulator's next observation from the same state and action ({@link HalfCheetahEnv#setStates}).
 * The physics can change at a row (envs keep their states across the change, as a real collector's would).
 */
public record MujocoPairs(double[][] obs, double[][] act, double[][] realNext, double[][] simNext) {

    /** n rows under {@code before} for the first {@code changeAt} rows and {@code after} from then on. */
    public static MujocoPairs collect(DomainPhysics before, DomainPhysics after, int changeAt, int n, int envs, long seed) {
        double[][] obs = new double[n][], act = new double[n][], next = new double[n][];
        SplittableRandom r = new SplittableRandom(seed);
        int k = 0;
        double[][] states = null;
        for (DomainPhysics physics : new DomainPhysics[] {before, after}) {
            int end = physics == before ? Math.min(changeAt, n) : n;
            if (k >= end) {
                continue;
            }
            try (HalfCheetahEnv env = new HalfCheetahEnv(physics, envs, 1, seed)) {
                if (states == null) {
                    env.reset();
                } else {
                    env.setStates(states);
                }
                while (k < end) {
                    double[][] a = new double[envs][6];
                    for (double[] row : a) {
                        for (int j = 0; j < 6; j++) {
                            row[j] = 2 * r.nextDouble() - 1;
                        }
                    }
                    StepResult s = env.step(a);
                    for (int i = 0; i < envs && k < end; i++, k++) {
                        obs[k] = s.obs()[i];
                        act[k] = s.act()[i];
                        next[k] = s.nextObs()[i];
                    }
                    states = s.nextObs();
                }
            }
        }
        return new MujocoPairs(obs, act, next, simulate(obs, act));
    }

    public static MujocoPairs collect(DomainPhysics physics, int n, int envs, long seed) {
        return collect(physics, physics, n, n, envs, seed);
    }

    /** f_sim(o, a) for every row, neutral physics, 256 envs at a time. */
    static double[][] simulate(double[][] obs, double[][] act) {
        int batch = 256;
        int n = obs.length;
        double[][] out = new double[n][];
        try (HalfCheetahEnv sim = new HalfCheetahEnv(DomainPhysics.neutral(), batch, 1, 0)) {
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                double[][] o = new double[batch][];
                double[][] a = new double[batch][];
                for (int j = 0; j < batch; j++) {
                    int i = from + Math.min(j, count - 1);
                    o[j] = obs[i];
                    a[j] = act[i];
                }
                sim.setStates(o);
                StepResult s = sim.step(a);
                for (int j = 0; j < count; j++) {
                    out[from + j] = s.nextObs()[j];
                }
            }
        }
        return out;
    }

    public int size() {
        return obs.length;
    }

    /** Rows [from, to). */
    public MujocoPairs slice(int from, int to) {
        return new MujocoPairs(Arrays.copyOfRange(obs, from, to), Arrays.copyOfRange(act, from, to),
                Arrays.copyOfRange(realNext, from, to), Arrays.copyOfRange(simNext, from, to));
    }
}

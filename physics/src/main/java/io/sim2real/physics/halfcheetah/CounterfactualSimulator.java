package io.sim2real.physics.halfcheetah;

import java.util.ArrayList;
import java.util.List;

/**
 * The nominal simulator's prediction for real transitions: for each row (o, a, o'_real), MuJoCo is put in the state
 * o describes ({@link HalfCheetahEnv#setStates}: HalfCheetah's observation is its whole state but the x position, on
 * which the dynamics do not depend) and stepped once with a; its next observation f_sim(o, a) is the row's pair.
 * Setting the state loses the solver's warm start, so identical physics pair up to rounding (about 1e-30 in units
 * of the change's variance), not exactly.
 *
 * <p>A row whose state the simulator cannot take is left out and counted: a value at or beyond MuJoCo's
 * {@code mjMAXVAL} (1e10; MuJoCo would silently reset the state), a step MuJoCo found unstable, or a non-finite
 * next observation. The one home of counterfactual pairs: env-service pairs the real transitions it reads, the
 * experiments pair their emulated streams. Not thread-safe (one thread uses an instance).
 */
public final class CounterfactualSimulator implements AutoCloseable {

    /** MuJoCo's mjMAXVAL: a position or velocity beyond it makes MuJoCo reset the state without saying so. */
    static final double MAX_STATE_VALUE = 1e10;

    /** The rows that paired (with the simulator's reward for each), and how many did not. */
    public record Pairs(double[][] obs, double[][] act, double[][] realNextObs, double[][] simNextObs, double[] simRew,
                        int skipped) {
        public int size() {
            return obs.length;
        }
    }

    private final HalfCheetahEnv sim;
    private final int width;

    /** @param width envs stepped together (a batch of n rows takes ceil(n / width) steps of them) */
    public CounterfactualSimulator(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be >= 1, got " + width);
        }
        this.width = width;
        this.sim = new HalfCheetahEnv(DomainPhysics.neutral(), width, 1, 0);
    }

    /** Pairs every row of a batch: {@code obs[i]}, {@code act[i]}, {@code realNextObs[i]} are one transition. */
    public Pairs pair(double[][] obs, double[][] act, double[][] realNextObs) {
        int n = obs.length;
        if (act.length != n || realNextObs.length != n) {
            throw new IllegalArgumentException("rows differ: " + n + " obs, " + act.length + " act, "
                    + realNextObs.length + " next");
        }
        List<Integer> takeable = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (withinMujocoRange(obs[i])) {
                takeable.add(i);
            }
        }
        double[][] simNext = new double[n][];
        double[] simRew = new double[n];
        for (int from = 0; from < takeable.size(); from += width) {
            List<Integer> rows = takeable.subList(from, Math.min(takeable.size(), from + width));
            try {
                step(rows, obs, act, simNext, simRew);
            } catch (RuntimeException refused) {
                // setStates or the step refused the group: find the rows it can take one at a time.
                for (int row : rows) {
                    try {
                        step(List.of(row), obs, act, simNext, simRew);
                    } catch (RuntimeException e) {
                        simNext[row] = null;
                    }
                }
            }
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (simNext[i] != null) {
                kept++;
            }
        }
        double[][] o = new double[kept][], a = new double[kept][], r = new double[kept][], s = new double[kept][];
        double[] rew = new double[kept];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (simNext[i] != null) {
                o[k] = obs[i];
                a[k] = act[i];
                r[k] = realNextObs[i];
                s[k] = simNext[i];
                rew[k] = simRew[i];
                k++;
            }
        }
        return new Pairs(o, a, r, s, rew, n - kept);
    }

    /** Steps the given rows (at most width), a short group padded with its last row; unusable rows get null. */
    private void step(List<Integer> rows, double[][] obs, double[][] act, double[][] simNext, double[] simRew) {
        double[][] o = new double[width][];
        double[][] a = new double[width][];
        for (int k = 0; k < width; k++) {
            int i = rows.get(Math.min(k, rows.size() - 1));
            o[k] = obs[i];
            a[k] = act[i];
        }
        sim.setStates(o);
        StepResult s = sim.step(a);
        for (int k = 0; k < rows.size(); k++) {
            double[] next = s.nextObs()[k];
            simNext[rows.get(k)] = s.unstable()[k] || !finite(next) ? null : next;
            simRew[rows.get(k)] = s.rew()[k];
        }
    }

    private static boolean withinMujocoRange(double[] row) {
        for (double v : row) {
            if (!(Math.abs(v) < MAX_STATE_VALUE)) {
                return false;
            }
        }
        return true;
    }

    private static boolean finite(double[] row) {
        for (double v : row) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        sim.close();
    }
}

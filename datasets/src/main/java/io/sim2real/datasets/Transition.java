package io.sim2real.datasets;

import io.sim2real.contracts.EnvSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * One transition: in episode {@code episodeId}, at step {@code step}, the agent saw {@code obs}, took
 * {@code act}, got {@code rew} and saw {@code nextObs}. {@code done} marks a true terminal state,
 * {@code truncated} an episode cut by its time limit. Field names are those of the JSON-lines import format.
 *
 * <p>Equality compares the arrays' contents bit for bit (so {@code -0.0 != 0.0}), which is what a file
 * round trip must preserve.
 */
public record Transition(
        long episodeId,
        int step,
        double[] obs,
        double[] act,
        double rew,
        double[] nextObs,
        boolean done,
        boolean truncated) {

    /**
     * The first reason this transition does not fit {@code spec}, or empty if it does: the same rules as
     * a TransitionBatch row (docs/CONTRACTS.md 3.1), so any dataset converts to valid batches.
     */
    public Optional<String> problem(EnvSpec spec) {
        if (step < 0) {
            return Optional.of("step is " + step + ", must be >= 0");
        }
        String p = vectorProblem(obs, spec.obsDim(), "obs");
        if (p == null) {
            p = vectorProblem(act, spec.actDim(), "act");
        }
        if (p == null) {
            p = boundsProblem(act, spec.actionLow(), spec.actionHigh(), "act");
        }
        if (p == null && !Double.isFinite(rew)) {
            p = "rew is " + rew + ", must be finite";
        }
        if (p == null) {
            p = vectorProblem(nextObs, spec.obsDim(), "nextObs");
        }
        return Optional.ofNullable(p);
    }

    private static String vectorProblem(double[] v, int dim, String field) {
        if (v == null) {
            return field + " is missing";
        }
        if (v.length != dim) {
            return field + " has length " + v.length + ", expected " + dim;
        }
        for (int j = 0; j < v.length; j++) {
            if (!Double.isFinite(v[j])) {
                return field + "[" + j + "] is " + v[j] + ", must be finite";
            }
        }
        return null;
    }

    private static String boundsProblem(double[] v, double low, double high, String field) {
        for (int j = 0; j < v.length; j++) {
            if (v[j] < low || v[j] > high) {
                return field + "[" + j + "] is " + v[j] + ", outside [" + low + ", " + high + "]";
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transition t
                && episodeId == t.episodeId
                && step == t.step
                && Arrays.equals(obs, t.obs)
                && Arrays.equals(act, t.act)
                && Double.doubleToLongBits(rew) == Double.doubleToLongBits(t.rew)
                && Arrays.equals(nextObs, t.nextObs)
                && done == t.done
                && truncated == t.truncated;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(episodeId);
        h = 31 * h + step;
        h = 31 * h + Arrays.hashCode(obs);
        h = 31 * h + Arrays.hashCode(act);
        h = 31 * h + Double.hashCode(rew);
        h = 31 * h + Arrays.hashCode(nextObs);
        return 4 * h + (done ? 2 : 0) + (truncated ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Transition[episodeId=" + episodeId + ", step=" + step + ", obs=" + Arrays.toString(obs)
                + ", act=" + Arrays.toString(act) + ", rew=" + rew + ", nextObs=" + Arrays.toString(nextObs)
                + ", done=" + done + ", truncated=" + truncated + "]";
    }
}

package io.sim2real.nn.calibration;

import java.util.Arrays;

/**
 * The counterfactual one-step discrepancy of paired transitions: for row i, the real next observation o'_real and
 * the simulator's next observation f_sim(o, a) from the same state and action,
 * <pre>
 *   d_i = (1/D) Σ_j (o'_real[i][j] − f_sim(o, a)[i][j])² / var_j(o' − o)
 * </pre>
 * the squared one-step error in units of the variance of each dimension's change, averaged over the D dimensions.
 * The variances come from a reference set of state changes: passed in, or the sim side's own changes
 * f_sim(o, a) − o over the pairs. d = 0 for identical dynamics (up to the solver's warm start, which setting
 * MuJoCo's state loses); a d of 1 means the simulator misses the change by as much as changes vary.
 *
 * <p>The per-row values are the stream {@link DriftDetector} watches; their mean is the
 * "counterfactual_discrepancy" gap metric.
 */
public final class CounterfactualDiscrepancy {

    /** Smallest variance a dimension is given, so that a dimension that never changes cannot divide by zero. */
    public static final double MIN_VARIANCE = 1e-12;

    private final double[] changeVariance;

    private CounterfactualDiscrepancy(double[] changeVariance) {
        this.changeVariance = changeVariance;
    }

    /** Per-row values and their mean. */
    public record Result(double[] perRow, double mean) {
        public int size() {
            return perRow.length;
        }

        /** The largest per-row value. */
        public double max() {
            double m = Double.NEGATIVE_INFINITY;
            for (double d : perRow) {
                m = Math.max(m, d);
            }
            return m;
        }
    }

    /** With given per-dimension variances of the change o' − o (each floored at {@link #MIN_VARIANCE}). */
    public static CounterfactualDiscrepancy withVariance(double[] changeVariance) {
        if (changeVariance.length == 0) {
            throw new IllegalArgumentException("no dimensions");
        }
        double[] v = new double[changeVariance.length];
        for (int j = 0; j < v.length; j++) {
            if (!(changeVariance[j] >= 0) || Double.isInfinite(changeVariance[j])) {
                throw new IllegalArgumentException("variance of dimension " + j + " is " + changeVariance[j]);
            }
            v[j] = Math.max(changeVariance[j], MIN_VARIANCE);
        }
        return new CounterfactualDiscrepancy(v);
    }

    /** With the variances of the changes {@code next − obs} of a reference set (sample variance, n − 1). */
    public static CounterfactualDiscrepancy fromChanges(double[][] obs, double[][] next) {
        checkRows(obs, next, "obs", "next");
        int n = obs.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 reference transitions, got " + n);
        }
        int d = obs[0].length;
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += (next[i][j] - obs[i][j]) / n;
            }
        }
        double[] var = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = next[i][j] - obs[i][j] - mean[j];
                var[j] += c * c / (n - 1);
            }
        }
        return withVariance(var);
    }

    /**
     * The discrepancy of paired rows, with the variances of the sim side's changes {@code simNext − obs} over the
     * same pairs.
     */
    public static Result measure(double[][] obs, double[][] realNext, double[][] simNext) {
        return fromChanges(obs, simNext).measure(realNext, simNext);
    }

    public int dimensions() {
        return changeVariance.length;
    }

    /** The per-dimension variances used (a copy). */
    public double[] changeVariance() {
        return changeVariance.clone();
    }

    /** d for one pair. */
    public double of(double[] realNext, double[] simNext) {
        int d = changeVariance.length;
        if (realNext.length != d || simNext.length != d) {
            throw new IllegalArgumentException("rows of " + realNext.length + " and " + simNext.length + " values, expected " + d);
        }
        double sum = 0;
        for (int j = 0; j < d; j++) {
            double e = realNext[j] - simNext[j];
            sum += e * e / changeVariance[j];
        }
        return sum / d;
    }

    /** d for every pair, and their mean. */
    public Result measure(double[][] realNext, double[][] simNext) {
        checkRows(realNext, simNext, "realNext", "simNext");
        if (realNext.length == 0) {
            throw new IllegalArgumentException("no pairs");
        }
        double[] per = new double[realNext.length];
        double sum = 0;
        for (int i = 0; i < per.length; i++) {
            per[i] = of(realNext[i], simNext[i]);
            if (!Double.isFinite(per[i])) {
                throw new IllegalArgumentException("pair " + i + " has a non-finite discrepancy");
            }
            sum += per[i];
        }
        return new Result(per, sum / per.length);
    }

    private static void checkRows(double[][] a, double[][] b, String an, String bn) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(an + " has " + a.length + " rows, " + bn + " " + b.length);
        }
    }

    @Override
    public String toString() {
        return "CounterfactualDiscrepancy" + Arrays.toString(changeVariance);
    }
}

package io.sim2real.nn.calibration;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Spearman's rank correlation, for calibrating a gap measure (G, or any metric here) against the return a fixed
 * policy loses across perturbation kinds and factors: does the measure order the perturbations as the loss does?
 * Ties get average ranks, so ρ is Pearson's correlation of the two rank vectors.
 */
public final class RankCorrelation {

    private RankCorrelation() {
    }

    /**
     * Spearman's ρ of paired values, in [−1, 1]; NaN when either side is constant (no order to compare).
     *
     * @throws IllegalArgumentException for arrays of different lengths, fewer than 2 pairs, or non-finite values
     */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("arrays of " + x.length + " and " + y.length + " values");
        }
        if (x.length < 2) {
            throw new IllegalArgumentException("need at least 2 pairs, got " + x.length);
        }
        return pearson(averageRanks(x), averageRanks(y));
    }

    /**
     * The rank of each value, 1 for the smallest; tied values share the mean of the ranks they span
     * ({1, 2, 2, 3} has ranks {1, 2.5, 2.5, 4}).
     */
    public static double[] averageRanks(double[] values) {
        int n = values.length;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("value " + i + " is " + values[i]);
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[n];
        int start = 0;
        while (start < n) {
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) {
                end++;
            }
            double rank = (start + 1 + end) / 2.0; // mean of ranks start + 1 .. end
            for (int k = start; k < end; k++) {
                ranks[order[k]] = rank;
            }
            start = end;
        }
        return ranks;
    }

    /** Pearson's correlation; NaN when either side has no variance. */
    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }

    /**
     * The area under the ROC curve of scores that should be higher for positives: the probability that a random
     * positive scores above a random negative, ties counting one half (Mann–Whitney U / (n+ n−)).
     */
    public static double auc(double[] positiveScores, double[] negativeScores) {
        int p = positiveScores.length;
        int q = negativeScores.length;
        if (p == 0 || q == 0) {
            throw new IllegalArgumentException("need scores of both classes, got " + p + " and " + q);
        }
        double[] all = new double[p + q];
        System.arraycopy(positiveScores, 0, all, 0, p);
        System.arraycopy(negativeScores, 0, all, p, q);
        double[] ranks = averageRanks(all);
        double sum = 0;
        for (int i = 0; i < p; i++) {
            sum += ranks[i];
        }
        return (sum - p * (p + 1) / 2.0) / ((double) p * q);
    }
}

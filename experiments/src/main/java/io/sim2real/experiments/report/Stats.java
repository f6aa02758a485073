package io.sim2real.experiments.report;

import java.util.List;
import java.util.Locale;

/** Mean and spread over seeds, as reports print them. */
public final class Stats {

    private Stats() {
    }

    public static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (0 for a single value). */
    public static double std(List<Double> values) {
        if (values.size() < 2) {
            return 0;
        }
        double m = mean(values);
        double s = 0;
        for (double v : values) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (values.size() - 1));
    }

    /**
     * "sim / real / combined", each "mean ± std" with no decimals; combined is the mean of the sim and real value of
     * the same index (episode or seed), so its spread is that of the pairs.
     */
    public static String simRealCombined(List<Double> sim, List<Double> real) {
        if (sim.size() != real.size()) {
            throw new IllegalArgumentException("sim and real returns must pair up: " + sim.size() + " against " + real.size());
        }
        List<Double> combined = new java.util.ArrayList<>();
        for (int i = 0; i < sim.size(); i++) {
            combined.add((sim.get(i) + real.get(i)) / 2);
        }
        return format(sim, 0) + " / " + format(real, 0) + " / " + format(combined, 0);
    }

    /**
     * "mean ± std" rounded for people: the std to two significant digits and the mean to the same decimal place
     * ({@code 0.225 ± 0.012}, {@code 1234 ± 12}); one value alone with {@link Numbers#SIGNIFICANT} significant digits.
     */
    public static String measure(List<Double> values) {
        double m = mean(values);
        if (values.size() < 2) {
            return Numbers.measure(m);
        }
        double s = std(values);
        if (s == 0 || !Double.isFinite(s) || !Double.isFinite(m)) {
            return Numbers.measure(m) + " ± " + Numbers.measure(s);
        }
        int decimals = 1 - (int) Math.floor(Math.log10(s));
        if (decimals > 12) {
            return Numbers.measure(m) + " ± " + Numbers.measure(s, 2);
        }
        decimals = Math.max(0, decimals);
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f, m) + " ± " + String.format(Locale.ROOT, f, s);
    }

    /** "mean ± std" with the given decimals, or just the mean for one seed. */
    public static String format(List<Double> values, int decimals) {
        String f = "%." + decimals + "f";
        String mean = String.format(Locale.ROOT, f, mean(values));
        return values.size() < 2 ? mean : mean + " ± " + String.format(Locale.ROOT, f, std(values));
    }
}

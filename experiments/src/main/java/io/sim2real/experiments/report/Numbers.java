package io.sim2real.experiments.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Numbers as reports print them for people: counts as integers ({@code 4000}, never {@code 4000.0}), measurements
 * with a few significant digits ({@code 0.2254}, never {@code 0.2253881646113155}). Plain decimal notation from
 * 1e-4 to 1e15, scientific outside it; no grouping separators, so that the same text is valid CSV.
 */
public final class Numbers {

    /** Significant digits of a measurement unless a caller asks for others. */
    public static final int SIGNIFICANT = 4;

    private Numbers() {
    }

    /** A count: {@code 4000}. */
    public static String count(long n) {
        return Long.toString(n);
    }

    /** A count held in a double: {@code 4000.0} prints {@code 4000}; a value that is not whole prints as a measurement. */
    public static String count(double n) {
        return n == Math.rint(n) && Math.abs(n) < 1e15 ? Long.toString((long) n) : measure(n);
    }

    /** A measurement with {@link #SIGNIFICANT} significant digits. */
    public static String measure(double v) {
        return measure(v, SIGNIFICANT);
    }

    /**
     * A measurement with {@code significant} significant digits, trailing zeros dropped ({@code 0.2254}, {@code 1.5},
     * {@code 12.35}); a value with more integer digits than that keeps them all, rounded to a whole number
     * ({@code 123457}); below 1e-4 in magnitude, scientific ({@code 2.254e-07}).
     */
    public static String measure(double v, int significant) {
        if (significant < 1) {
            throw new IllegalArgumentException("at least one significant digit, got " + significant);
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        if (v == 0) {
            return "0";
        }
        double magnitude = Math.abs(v);
        if (magnitude < 1e-4 || magnitude >= 1e15) {
            return String.format(Locale.ROOT, "%." + (significant - 1) + "e", v);
        }
        BigDecimal exact = new BigDecimal(v);
        BigDecimal rounded = magnitude >= Math.pow(10, significant)
                ? exact.setScale(0, RoundingMode.HALF_EVEN)
                : exact.round(new MathContext(significant, RoundingMode.HALF_EVEN));
        String text = rounded.stripTrailingZeros().toPlainString();
        return text.equals("-0") ? "0" : text;
    }

    /** Any number: whole numbers (integers, longs, whole doubles) as counts, others as measurements. */
    public static String of(Number n) {
        if (n instanceof Double || n instanceof Float || n instanceof BigDecimal) {
            return count(n.doubleValue());
        }
        return n.toString();
    }
}

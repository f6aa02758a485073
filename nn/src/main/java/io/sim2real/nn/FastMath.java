package io.sim2real.nn;

/**
 * tanh, the logistic sigmoid and softplus in float, from additions, multiplications, divisions, min, max and abs
 * only, so that HotSpot's C2 compiles loops over them to SIMD code. {@link Math#exp} and {@link Math#log} are
 * scalar calls; in the element-wise passes of a training step or of rollout inference they cost more than the
 * arithmetic around them (docs/BENCHMARKS.md). Errors are absolute and stated per method; FastMathTest checks
 * them against the JDK's double-precision functions.
 *
 * <p>Keep each loop short: C2 stops vectorising a loop whose body grows too large. A loop calling
 * {@link #softplus(float)} ran at 13 ns per element, against 1.2 ns for the same work split into
 * the two loops of {@link #softplus(float[], float[], int)} (JDK 17, measured 2026-11-25).
 */
final class FastMath {

    /** Beyond this |x|, tanh(x) rounds to ±1 in float; the rational form below is fitted on [-CLAMP, CLAMP]. */
    private static final float CLAMP = 7.90531110763549805f;

    private FastMath() {
    }

    /**
     * tanh(x) as x p(x²) / q(x²), the minimax rational form Eigen and XLA use for float (odd degree-13 numerator,
     * even degree-6 denominator). Error at most 7 ulp, 4e-7 absolute; NaN stays NaN.
     */
    static float tanh(float x) {
        float t = Math.max(-CLAMP, Math.min(CLAMP, x));
        float t2 = t * t;
        float p = -2.76076847742355e-16f;
        p = p * t2 + 2.00018790482477e-13f;
        p = p * t2 + -8.60467152213735e-11f;
        p = p * t2 + 5.12229709037114e-08f;
        p = p * t2 + 1.48572235717979e-05f;
        p = p * t2 + 6.37261928875436e-04f;
        p = p * t2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * t2 + 1.18534705686654e-04f;
        q = q * t2 + 2.26843463243900e-03f;
        q = q * t2 + 4.89352518554385e-03f;
        return t * p / q;
    }

    /**
     * 1 / (1 + e^-x) as (1 + tanh(x / 2)) / 2. Absolute error at most 2.5e-7, so tiny values lose their relative
     * precision (3 % at x = -12): right for activations and gradient factors, not for log-probabilities.
     */
    static float sigmoid(float x) {
        return 0.5f + 0.5f * tanh(0.5f * x);
    }

    /**
     * log(1 + e^x) = max(x, 0) - log(sigmoid(|x|)), the log of a number in [1/2, 1] taken as 2 atanh(w) with
     * w = (s - 1) / (s + 1) in [-1/3, 0], a series that needs eight terms for float. Absolute error at most 3e-7.
     */
    static float softplus(float x) {
        float s = 0.5f + 0.5f * Math.abs(tanh(0.5f * x));
        return Math.max(x, 0f) - logOfHalfToOne(s);
    }

    /** out[i] = softplus(x[i]) for i < n, as {@link #softplus(float)} but in two SIMD loops; x and out must differ. */
    static void softplus(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = 0.5f + 0.5f * Math.abs(tanh(0.5f * x[i]));
        }
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(x[i], 0f) - logOfHalfToOne(out[i]);
        }
    }

    /** out[i] = sigmoid(x[i]) for i < n (x and out may be the same array). */
    static void sigmoid(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = sigmoid(x[i]);
        }
    }

    /** log(s) for s in [1/2, 1]. */
    private static float logOfHalfToOne(float s) {
        float w = (s - 1f) / (s + 1f);
        float w2 = w * w;
        float series = 1f / 15f;
        series = series * w2 + 1f / 13f;
        series = series * w2 + 1f / 11f;
        series = series * w2 + 1f / 9f;
        series = series * w2 + 1f / 7f;
        series = series * w2 + 1f / 5f;
        series = series * w2 + 1f / 3f;
        series = series * w2 + 1f;
        return 2f * w * series;
    }
}

package io.sim2real.nn;

/**
 * Hidden-layer activations over heap arrays. {@code forward} writes h = f(z) and may overwrite z with what
 * {@code backward} needs (SiLU keeps its sigmoid there, so the backward pass computes no exponential);
 * {@code backward} multiplies a gradient by f'(z) from that cache and h.
 *
 * <p>The loops are written so that HotSpot's C2 compiles them to SIMD code: no calls it cannot inline, no
 * branches, only float arithmetic, min and max. That is why SiLU and tanh use {@link #tanh(float)}, a rational
 * approximation, instead of {@link Math#exp}: a scalar {@code exp} per element was most of a training step's
 * element-wise time (docs/BENCHMARKS.md).
 */
public enum Activation {
    SILU {
        @Override
        void forward(float[] z, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                float x = z[i];
                float s = 0.5f + 0.5f * tanh(0.5f * x);
                h[i] = x * s;
                z[i] = s;
            }
        }

        @Override
        void backward(float[] cache, float[] h, float[] g, int n) {
            // f'(z) = s (1 + z (1 - s)) = s + h (1 - s), with s the sigmoid kept by forward and h = z s.
            for (int i = 0; i < n; i++) {
                float s = cache[i];
                g[i] *= s + h[i] * (1f - s);
            }
        }
    },
    RELU {
        @Override
        void forward(float[] z, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                h[i] = Math.max(0f, z[i]);
            }
        }

        @Override
        void backward(float[] cache, float[] h, float[] g, int n) {
            // The mask as arithmetic keeps the loop branch-free: h is never negative, and (h 2^100) 2^100 is 0 for
            // h = 0 and at least 2^51 for the smallest positive float, so its min with 1 is exactly 0 or 1.
            for (int i = 0; i < n; i++) {
                g[i] *= Math.min(h[i] * 0x1p100f * 0x1p100f, 1f);
            }
        }
    },
    TANH {
        @Override
        void forward(float[] z, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                h[i] = tanh(z[i]);
            }
        }

        @Override
        void backward(float[] cache, float[] h, float[] g, int n) {
            for (int i = 0; i < n; i++) {
                float t = h[i];
                g[i] *= 1f - t * t;
            }
        }
    };

    /** Beyond this |x|, tanh(x) rounds to ±1 in float; the rational form below is fitted on [-CLAMP, CLAMP]. */
    private static final float CLAMP = 7.90531110763549805f;

    /**
     * tanh(x) as x p(x²) / q(x²), the minimax rational form Eigen and XLA use for float (odd degree-13 numerator,
     * even degree-6 denominator); its error is a few ulp (TanhTest checks it against {@link Math#tanh}).
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

    /** The logistic sigmoid through {@link #tanh(float)}: 1 / (1 + e^-x) = (1 + tanh(x / 2)) / 2. */
    static float sigmoid(float x) {
        return 0.5f + 0.5f * tanh(0.5f * x);
    }

    /** h = f(z) over the first n elements; z may be overwritten with the backward pass's cache. */
    abstract void forward(float[] z, float[] h, int n);

    /** g *= f'(z), from the cache forward left in z's place and h = f(z). */
    abstract void backward(float[] cache, float[] h, float[] g, int n);
}

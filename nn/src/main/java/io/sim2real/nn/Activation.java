package io.sim2real.nn;

/**
 * Hidden-layer activations over heap arrays. {@code forward} writes h = f(z) and may overwrite z with what
 * {@code backward} needs (SiLU keeps its sigmoid there, so the backward pass computes no exponential);
 * {@code backward} multiplies a gradient by f'(z) from that cache and h.
 *
 * <p>The loops are written so that HotSpot's C2 compiles them to SIMD code: no calls it cannot inline, no
 * branches, only float arithmetic, min and max. That is why SiLU and tanh use {@link FastMath}'s rational
 * tanh instead of {@link Math#exp}: a scalar {@code exp} per element was most of a training step's
 * element-wise time (docs/BENCHMARKS.md).
 */
public enum Activation {
    SILU {
        @Override
        void forward(float[] z, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                float x = z[i];
                float s = FastMath.sigmoid(x);
                h[i] = x * s;
                z[i] = s;
            }
        }

        @Override
        void forward(float[] z, float[] bias, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                float x = z[i] + bias[i];
                float s = FastMath.sigmoid(x);
                h[i] = x * s;
                z[i] = s;
            }
        }

        @Override
        void infer(float[] z, float[] bias, int n) {
            for (int i = 0; i < n; i++) {
                float x = z[i] + bias[i];
                z[i] = x * FastMath.sigmoid(x);
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
        void forward(float[] z, float[] bias, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                float x = z[i] + bias[i];
                h[i] = Math.max(0f, x);
                z[i] = x;
            }
        }

        @Override
        void infer(float[] z, float[] bias, int n) {
            for (int i = 0; i < n; i++) {
                z[i] = Math.max(0f, z[i] + bias[i]);
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
                h[i] = FastMath.tanh(z[i]);
            }
        }

        @Override
        void forward(float[] z, float[] bias, float[] h, int n) {
            for (int i = 0; i < n; i++) {
                float x = z[i] + bias[i];
                h[i] = FastMath.tanh(x);
                z[i] = x;
            }
        }

        @Override
        void infer(float[] z, float[] bias, int n) {
            for (int i = 0; i < n; i++) {
                z[i] = FastMath.tanh(z[i] + bias[i]);
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

    /** h = f(z) over the first n elements; z may be overwritten with the backward pass's cache. */
    abstract void forward(float[] z, float[] h, int n);

    /**
     * The bias add and {@link #forward(float[], float[], int)} in one pass: x = z + bias (the bias repeated per row,
     * as long as z), h = f(x), z = the backward pass's cache. Same arithmetic as the two passes, one trip through
     * memory.
     */
    abstract void forward(float[] z, float[] bias, float[] h, int n);

    /** Inference: z = f(z + bias) in place, keeping nothing for a backward pass. */
    abstract void infer(float[] z, float[] bias, int n);

    /** g *= f'(z), from the cache forward left in z's place and h = f(z). */
    abstract void backward(float[] cache, float[] h, float[] g, int n);
}

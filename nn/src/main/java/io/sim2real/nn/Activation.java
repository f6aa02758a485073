package io.sim2real.nn;

import java.nio.FloatBuffer;

/**
 * Hidden-layer activations. {@code forward} writes h = f(z) and may overwrite z with what {@code backward}
 * needs (SiLU keeps its sigmoid there, so the backward pass computes no exponential); {@code backward}
 * multiplies a gradient by f'(z) from that cache and h.
 */
public enum Activation {
    SILU {
        @Override
        void forward(FloatBuffer z, FloatBuffer h, int n) {
            // On heap arrays: far cheaper per element than direct-buffer accesses.
            float[] zs = scratch(0, n);
            float[] hs = scratch(1, n);
            z.get(0, zs, 0, n);
            for (int i = 0; i < n; i++) {
                float x = zs[i];
                float s = 1f / (1f + (float) Math.exp(-x));
                hs[i] = x * s;
                zs[i] = s;
            }
            h.put(0, hs, 0, n);
            z.put(0, zs, 0, n);
        }

        @Override
        void backward(FloatBuffer cache, FloatBuffer h, FloatBuffer g, int n) {
            // f'(z) = s (1 + z (1 - s)) = s + h (1 - s), with s the sigmoid kept by forward and h = z s.
            float[] ss = scratch(0, n);
            float[] hs = scratch(1, n);
            float[] gs = scratch(2, n);
            cache.get(0, ss, 0, n);
            h.get(0, hs, 0, n);
            g.get(0, gs, 0, n);
            for (int i = 0; i < n; i++) {
                float s = ss[i];
                gs[i] *= s + hs[i] * (1f - s);
            }
            g.put(0, gs, 0, n);
        }
    },
    RELU {
        @Override
        void forward(FloatBuffer z, FloatBuffer h, int n) {
            for (int i = 0; i < n; i++) {
                h.put(i, Math.max(0f, z.get(i)));
            }
        }

        @Override
        void backward(FloatBuffer cache, FloatBuffer h, FloatBuffer g, int n) {
            for (int i = 0; i < n; i++) {
                if (h.get(i) <= 0f) {
                    g.put(i, 0f);
                }
            }
        }
    },
    TANH {
        @Override
        void forward(FloatBuffer z, FloatBuffer h, int n) {
            for (int i = 0; i < n; i++) {
                h.put(i, (float) Math.tanh(z.get(i)));
            }
        }

        @Override
        void backward(FloatBuffer cache, FloatBuffer h, FloatBuffer g, int n) {
            for (int i = 0; i < n; i++) {
                float t = h.get(i);
                g.put(i, g.get(i) * (1f - t * t));
            }
        }
    };

    /** Per-thread heap scratch arrays, grown on demand (allocated once per thread and size). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }

    /** h = f(z) over the first n elements; z may be overwritten with the backward pass's cache. */
    abstract void forward(FloatBuffer z, FloatBuffer h, int n);

    /** g *= f'(z), from the cache forward left in z's place and h = f(z). */
    abstract void backward(FloatBuffer cache, FloatBuffer h, FloatBuffer g, int n);
}

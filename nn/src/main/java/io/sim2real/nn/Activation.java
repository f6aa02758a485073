package io.sim2real.nn;

import java.nio.FloatBuffer;

/** Hidden-layer activations, applied in place; the backward pass multiplies a gradient by the derivative. */
public enum Activation {
    SILU {
        @Override
        void forward(FloatBuffer z, FloatBuffer h, int n) {
            for (int i = 0; i < n; i++) {
                float x = z.get(i);
                h.put(i, x / (1f + (float) Math.exp(-x)));
            }
        }

        @Override
        void backward(FloatBuffer z, FloatBuffer h, FloatBuffer g, int n) {
            for (int i = 0; i < n; i++) {
                float x = z.get(i);
                float s = 1f / (1f + (float) Math.exp(-x));
                g.put(i, g.get(i) * s * (1f + x * (1f - s)));
            }
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
        void backward(FloatBuffer z, FloatBuffer h, FloatBuffer g, int n) {
            for (int i = 0; i < n; i++) {
                if (z.get(i) <= 0f) {
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
        void backward(FloatBuffer z, FloatBuffer h, FloatBuffer g, int n) {
            for (int i = 0; i < n; i++) {
                float t = h.get(i);
                g.put(i, g.get(i) * (1f - t * t));
            }
        }
    };

    /** h = f(z) over the first n elements. */
    abstract void forward(FloatBuffer z, FloatBuffer h, int n);

    /** g *= f'(z), given z and h = f(z). */
    abstract void backward(FloatBuffer z, FloatBuffer h, FloatBuffer g, int n);
}

package io.sim2real.nn;

import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adam over a fixed list of parameter arrays and their gradients, with L2 weight decay per array (added to
 * the gradient, as MBPO's per-layer decay is) and optional clipping of the gradients' global norm. Moment
 * buffers are allocated once; a step allocates nothing.
 */
public final class Adam {

    private final FloatBuffer[] params;
    private final FloatBuffer[] grads;
    private final float[][] m;
    private final float[][] v;
    /** Heap copies of the gradients, made by {@link #gradientNorm()} and read by the update that follows it. */
    private final float[][] gradCopy;
    private final float[] weightDecay;
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double clipNorm;
    private long t;

    /**
     * @param weightDecay per parameter array (same order), 0 for none
     * @param clipNorm    largest global gradient norm, or 0 for no clipping
     */
    public Adam(List<INDArray> parameters, List<INDArray> gradients, double learningRate, double[] weightDecay,
                double clipNorm) {
        this(parameters, gradients, learningRate, 0.9, 0.999, 1e-8, weightDecay, clipNorm);
    }

    public Adam(List<INDArray> parameters, List<INDArray> gradients, double learningRate, double beta1, double beta2,
                double epsilon, double[] weightDecay, double clipNorm) {
        if (parameters.size() != gradients.size() || parameters.size() != weightDecay.length) {
            throw new IllegalArgumentException("parameters, gradients and weight decays must match one to one");
        }
        int n = parameters.size();
        this.params = new FloatBuffer[n];
        this.grads = new FloatBuffer[n];
        this.m = new float[n][];
        this.v = new float[n][];
        this.gradCopy = new float[n][];
        this.weightDecay = new float[n];
        for (int i = 0; i < n; i++) {
            params[i] = F32.view(parameters.get(i));
            grads[i] = F32.view(gradients.get(i));
            if (params[i].capacity() != grads[i].capacity()) {
                throw new IllegalArgumentException("parameter " + i + " and its gradient differ in size");
            }
            m[i] = new float[params[i].capacity()];
            v[i] = new float[params[i].capacity()];
            gradCopy[i] = new float[params[i].capacity()];
            this.weightDecay[i] = (float) weightDecay[i];
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.clipNorm = clipNorm;
    }

    /** The global L2 norm of the gradients as they are now (before decay and clipping). */
    public double gradientNorm() {
        double sum = 0;
        for (int i = 0; i < grads.length; i++) {
            float[] g = gradCopy[i];
            grads[i].get(0, g, 0, g.length);
            sum += sumOfSquares(g, g.length);
        }
        return Math.sqrt(sum);
    }

    /**
     * Σ g[j]² in four independent partial sums: one running sum waits for each addition to finish (the JIT may
     * not reorder float additions), four keep the adder busy.
     */
    static double sumOfSquares(float[] g, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += g[j] * g[j];
            s1 += g[j + 1] * g[j + 1];
            s2 += g[j + 2] * g[j + 2];
            s3 += g[j + 3] * g[j + 3];
        }
        for (; j < n; j++) {
            s0 += g[j] * g[j];
        }
        return (double) s0 + s1 + s2 + s3;
    }

    /** One update; returns the gradient norm before clipping (NaN or infinite norms are refused). */
    public double step() {
        double norm = gradientNorm();
        if (!Double.isFinite(norm)) {
            throw new NonFiniteException("gradient norm is " + norm + "; refusing to update the parameters");
        }
        float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        t++;
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        float eps = (float) (epsilon * Math.sqrt(correction2));
        for (int i = 0; i < params.length; i++) {
            // Bulk copies into heap arrays let the JIT vectorise the update loop.
            // gradientNorm() has just copied the gradients to the heap.
            float[] p = scratchParams(i);
            float[] g = gradCopy[i];
            params[i].get(0, p, 0, m[i].length);
            float[] mi = m[i];
            float[] vi = v[i];
            float decay = weightDecay[i];
            for (int j = 0; j < mi.length; j++) {
                float gj = g[j] * scale + decay * p[j];
                mi[j] = b1 * mi[j] + (1 - b1) * gj;
                vi[j] = b2 * vi[j] + (1 - b2) * gj * gj;
                p[j] -= stepSize * mi[j] / ((float) Math.sqrt(vi[j]) + eps);
            }
            params[i].put(0, p, 0, mi.length);
        }
        return norm;
    }

    private float[] paramScratch = new float[0];

    private float[] scratchParams(int i) {
        if (paramScratch.length < m[i].length) {
            paramScratch = new float[maxLength()];
        }
        return paramScratch;
    }

    private int maxLength() {
        int max = 0;
        for (float[] a : m) {
            max = Math.max(max, a.length);
        }
        return max;
    }

    public long steps() {
        return t;
    }

    /** The first-moment buffers, one per parameter array (live, for checkpoints). */
    float[][] firstMoments() {
        return m;
    }

    /** The second-moment buffers, one per parameter array (live, for checkpoints). */
    float[][] secondMoments() {
        return v;
    }

    /** Sets the step count, which the bias corrections depend on (restoring a checkpoint). */
    void restoreSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("a negative step count: " + steps);
        }
        this.t = steps;
    }
}

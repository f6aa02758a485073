package io.sim2real.nn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A map R^D -> R^D of the form f(x) = x + s * g((x - c) / s), with g an MLP whose last layer starts at zero,
 * so f starts as the identity exactly. c and s (a per-column centre and scale, fixed at construction) let g work
 * in standardised units while f works in the caller's units. The latent model's encoders, decoders and
 * cross-domain mapping are such maps.
 *
 * <p>One network may be used several times in one optimiser step: every {@link #backward} adds to the
 * gradient sums that {@link #gradients()} returns, until {@link #zeroGradients()}.
 */
public final class ResidualMlp {

    private final EnsembleMlp g;
    private final int dim;
    private final float[] centre;
    private final float[] scale;

    /** f(x) of the last forward pass, and the standardised input g saw. */
    private final INDArray out;
    private final INDArray normalised;
    private final INDArray gNet;
    private final INDArray gIn;
    private final List<INDArray> gradientSums = new ArrayList<>();
    private final RowViews views = new RowViews();

    public ResidualMlp(int dim, int[] hidden, Activation activation, float[] centre, float[] scale, int maxBatch,
                       long seed) {
        if (centre.length != dim || scale.length != dim) {
            throw new IllegalArgumentException("centre and scale need " + dim + " columns");
        }
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = dim;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = dim;
        this.g = new EnsembleMlp(1, sizes, activation, maxBatch, seed);
        this.dim = dim;
        this.centre = centre.clone();
        this.scale = scale.clone();
        this.out = F32.zeros(maxBatch, dim);
        this.normalised = F32.zeros(maxBatch, dim);
        this.gNet = F32.zeros(maxBatch, dim);
        this.gIn = F32.zeros(maxBatch, dim);
        List<INDArray> params = g.parameters();
        params.get(params.size() - 2).assign(0);
        params.get(params.size() - 1).assign(0);
        for (INDArray p : params) {
            gradientSums.add(F32.zeros(p.rows(), p.columns()));
        }
    }

    public int dim() {
        return dim;
    }

    public int maxBatch() {
        return g.maxBatch();
    }

    /** f(x) for the first rows rows of x (rows x D); a view valid until the next forward pass. */
    public INDArray forward(INDArray x, int rows) {
        FloatBuffer xv = F32.view(x);
        FloatBuffer nv = F32.view(normalised);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                int i = r * dim + j;
                nv.put(i, (xv.get(i) - centre[j]) / scale[j]);
            }
        }
        FloatBuffer gv = F32.view(g.forward(0, normalised, rows));
        FloatBuffer ov = F32.view(out);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                int i = r * dim + j;
                ov.put(i, xv.get(i) + scale[j] * gv.get(i));
            }
        }
        return views.rows(out, rows);
    }

    /**
     * Given dL/df for the last forward pass, adds dL/dparameters to the gradient sums and returns dL/dx, a
     * view valid until the next backward pass.
     */
    public INDArray backward(INDArray gOut, int rows) {
        FloatBuffer go = F32.view(gOut);
        FloatBuffer gn = F32.view(gNet);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                int i = r * dim + j;
                gn.put(i, go.get(i) * scale[j]);
            }
        }
        FloatBuffer back = F32.view(g.backward(0, gNet, rows));
        FloatBuffer gi = F32.view(gIn);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                int i = r * dim + j;
                gi.put(i, go.get(i) + back.get(i) / scale[j]);
            }
        }
        // Heap loops, not INDArray.addi: an ND4J op per array costs more than the addition itself at these sizes.
        List<INDArray> grads = g.gradients();
        for (int p = 0; p < grads.size(); p++) {
            HeapScratch.combine(gradientSums.get(p), 1f, grads.get(p), 1f);
        }
        return views.rows(gIn, rows);
    }

    /**
     * f applied row by row in double precision: x + s * g(.), so that while g is zero the result is x exactly,
     * not x rounded to float. Processes any number of rows in chunks of {@link #maxBatch()}.
     */
    public double[][] apply(double[][] x) {
        int n = x.length;
        double[][] result = new double[n][];
        int chunk = g.maxBatch();
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            FloatBuffer nv = F32.view(normalised);
            for (int r = 0; r < m; r++) {
                for (int j = 0; j < dim; j++) {
                    nv.put(r * dim + j, (float) ((x[start + r][j] - centre[j]) / scale[j]));
                }
            }
            FloatBuffer gv = F32.view(g.forward(0, normalised, m));
            for (int r = 0; r < m; r++) {
                double[] row = new double[dim];
                for (int j = 0; j < dim; j++) {
                    row[j] = x[start + r][j] + (double) scale[j] * gv.get(r * dim + j);
                }
                result[start + r] = row;
            }
        }
        return result;
    }

    /** Replaces the fixed centre and scale (when a checkpoint restores the standardisation they come from). */
    public void rescale(float[] newCentre, float[] newScale) {
        System.arraycopy(newCentre, 0, centre, 0, dim);
        System.arraycopy(newScale, 0, scale, 0, dim);
    }

    public void zeroGradients() {
        for (INDArray s : gradientSums) {
            FloatBuffer v = F32.view(s);
            int n = v.capacity();
            float[] zeros = HeapScratch.get(0, n);
            java.util.Arrays.fill(zeros, 0, n, 0f);
            v.put(0, zeros, 0, n);
        }
    }

    public List<INDArray> parameters() {
        return g.parameters();
    }

    /** The gradient sums since {@link #zeroGradients()}, in the order of {@link #parameters()}. */
    public List<INDArray> gradients() {
        return gradientSums;
    }

    /** Whether parameter array p is a weight matrix (rather than a bias), for weight decay. */
    public boolean isWeight(int p) {
        return g.isWeight(p);
    }
}

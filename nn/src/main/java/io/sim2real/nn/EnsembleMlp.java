package io.sim2real.nn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * E independent MLPs of one shape (E = 1 for a plain network), trained side by side. Weights, gradients and
 * every intermediate buffer are allocated once, for a maximum batch size; a training step allocates no
 * off-heap memory. Matrix products run on OpenBLAS through {@link Gemm} (one gemm per member per layer), element-wise
 * work in Java over heap copies (SIMD loops, see {@link HeapScratch}). The last layer is linear.
 *
 * <p>Activation buffers come in {@code lanes} sets; member e uses lane {@code e % lanes}. Members of different
 * lanes may run on different threads at once; within a lane, a member's {@link #backward} must follow its own
 * {@link #forward} with no other forward in that lane in between. One lane keeps the memory of a 7-member
 * ensemble that of one network.
 */
public final class EnsembleMlp {

    private final int members;
    private final int[] sizes;
    private final Activation activation;
    private final int maxBatch;

    /** [member][layer] weights (in x out), biases (1 x out), and their gradients. */
    private final INDArray[][] w;
    private final INDArray[][] b;
    private final INDArray[][] dw;
    private final INDArray[][] db;
    private final int lanes;
    /** [lane][layer] pre-activations z and outputs h (maxBatch x out) of the last forward pass; h of the last layer is z. */
    private final INDArray[][] z;
    private final INDArray[][] h;
    /** [lane][layer] gradient with respect to a layer's input (maxBatch x in). */
    private final INDArray[][] gIn;
    /** [lane] the input and the member of the last forward pass, for the first layer's weight gradients. */
    private final INDArray[] input;
    private final int[] lastForward;
    /** [lane] the lane's cached row views (of its own buffers and of the inputs and gradients it is given). */
    private final RowViews[] views;

    public EnsembleMlp(int members, int[] sizes, Activation activation, int maxBatch, long seed) {
        this(members, sizes, activation, maxBatch, 1, seed);
    }

    public EnsembleMlp(int members, int[] sizes, Activation activation, int maxBatch, int lanes, long seed) {
        if (members < 1 || sizes.length < 2 || maxBatch < 1 || lanes < 1) {
            throw new IllegalArgumentException("need >= 1 member, >= 2 layer sizes and a positive batch");
        }
        this.members = members;
        this.sizes = sizes.clone();
        this.activation = activation;
        this.maxBatch = maxBatch;
        int layers = sizes.length - 1;
        w = new INDArray[members][layers];
        b = new INDArray[members][layers];
        dw = new INDArray[members][layers];
        db = new INDArray[members][layers];
        this.lanes = Math.min(lanes, members);
        z = new INDArray[this.lanes][layers];
        h = new INDArray[this.lanes][layers];
        gIn = new INDArray[this.lanes][layers];
        input = new INDArray[this.lanes];
        lastForward = new int[this.lanes];
        java.util.Arrays.fill(lastForward, -1);
        views = new RowViews[this.lanes];
        for (int lane = 0; lane < this.lanes; lane++) {
            views[lane] = new RowViews();
            for (int l = 0; l < layers; l++) {
                z[lane][l] = F32.zeros(maxBatch, sizes[l + 1]);
                h[lane][l] = l == layers - 1 ? z[lane][l] : F32.zeros(maxBatch, sizes[l + 1]);
                gIn[lane][l] = F32.zeros(maxBatch, sizes[l]);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int e = 0; e < members; e++) {
            for (int l = 0; l < layers; l++) {
                int in = sizes[l];
                int out = sizes[l + 1];
                w[e][l] = F32.zeros(in, out);
                b[e][l] = F32.zeros(1, out);
                dw[e][l] = F32.zeros(in, out);
                db[e][l] = F32.zeros(1, out);
                initialise(w[e][l], in, out, random);
            }
        }
    }

    /** Truncated-normal-like init with std 1/(2 sqrt(in)), as MBPO's networks use; biases zero. */
    private static void initialise(INDArray weights, int in, int out, SplittableRandom random) {
        FloatBuffer v = F32.view(weights);
        double std = 1.0 / (2.0 * Math.sqrt(in));
        for (int i = 0; i < in * out; i++) {
            double x;
            do {
                x = random.nextGaussian();
            } while (Math.abs(x) > 2);
            v.put(i, (float) (x * std));
        }
    }


    public int members() {
        return members;
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int lanes() {
        return lanes;
    }

    public int layers() {
        return sizes.length - 1;
    }

    /**
     * Member e's output for the first {@code rows} rows of {@code x} (at least rows x in, row-major). The result
     * is a view into this network's buffers, valid until the next forward pass.
     */
    public INDArray forward(int e, INDArray x, int rows) {
        checkRows(rows);
        int lane = e % lanes;
        INDArray in = views[lane].rows(x, rows);
        input[lane] = in;
        lastForward[lane] = e;
        return forwardRows(e, lane, in, 0, rows, true);
    }

    /** Rows per block of {@link #predict}: a block's activations (rows x 200 floats) stay in a core's L2 cache. */
    static final int PREDICT_BLOCK = 512;

    /**
     * Member e's output for the first {@code rows} rows of {@code x}, for inference only: no {@link #backward} may
     * follow. It runs the rows in blocks of {@link #PREDICT_BLOCK} through every layer, so that large batches
     * (rollouts) work in cache, and keeps no backward cache. The result is a view into this network's buffers,
     * valid until the next forward pass in the lane.
     */
    public INDArray predict(int e, INDArray x, int rows) {
        checkRows(rows);
        int lane = e % lanes;
        lastForward[lane] = -1;
        for (int start = 0; start < rows; start += PREDICT_BLOCK) {
            int count = Math.min(PREDICT_BLOCK, rows - start);
            forwardRows(e, lane, F32.rowRange(x, start, count), start, count, false);
        }
        return views[lane].rows(z[lane][layers() - 1], rows);
    }

    /**
     * Runs rows [start, start + count) of the lane's buffers through member e, {@code in} holding those rows'
     * inputs; {@code keepCache} leaves what {@link #backward} needs. Returns the output rows.
     */
    private INDArray forwardRows(int e, int lane, INDArray in, int start, int count, boolean keepCache) {
        int layers = layers();
        for (int l = 0; l < layers; l++) {
            INDArray zl = start == 0 ? views[lane].rows(z[lane][l], count) : F32.rowRange(z[lane][l], start, count);
            Gemm.gemm(in, false, w[e][l], false, zl);
            // Bias and activation in one pass over heap copies (see HeapScratch).
            int cols = sizes[l + 1];
            int n = count * cols;
            FloatBuffer zv = F32.view(zl);
            float[] zs = HeapScratch.get(0, n);
            zv.get(0, zs, 0, n);
            addBias(zs, b[e][l], count, cols);
            boolean hidden = l < layers - 1;
            if (hidden) {
                INDArray hl = start == 0 ? views[lane].rows(h[lane][l], count) : F32.rowRange(h[lane][l], start, count);
                float[] hs = HeapScratch.get(1, n);
                activation.forward(zs, hs, n);
                F32.view(hl).put(0, hs, 0, n);
                in = hl;
            } else {
                in = zl;
            }
            if (keepCache || !hidden) {
                zv.put(0, zs, 0, n);
            }
        }
        return in;
    }

    /**
     * Gradients of member e for the loss whose gradient with respect to the last forward output is {@code gOut}
     * (rows x out). Overwrites the member's parameter gradients; returns the gradient with respect to its input.
     */
    public INDArray backward(int e, INDArray gOut, int rows) {
        checkRows(rows);
        int lane = e % lanes;
        if (e != lastForward[lane] || input[lane].rows() != rows) {
            throw new IllegalStateException("backward(" + e + ", " + rows + " rows) must follow that member's forward pass");
        }
        RowViews v = views[lane];
        INDArray g = v.rows(gOut, rows);
        for (int l = layers() - 1; l >= 0; l--) {
            INDArray layerInput = l == 0 ? input[lane] : v.rows(h[lane][l - 1], rows);
            Gemm.gemm(layerInput, true, g, false, dw[e][l]);
            columnSums(g, db[e][l], rows, sizes[l + 1]);
            INDArray gi = v.rows(gIn[lane][l], rows);
            Gemm.gemm(g, false, w[e][l], true, gi);
            if (l > 0) {
                int n = rows * sizes[l];
                float[] cache = HeapScratch.get(0, n);
                float[] hs = HeapScratch.get(1, n);
                float[] gs = HeapScratch.get(2, n);
                F32.view(z[lane][l - 1]).get(0, cache, 0, n);
                F32.view(h[lane][l - 1]).get(0, hs, 0, n);
                FloatBuffer gv = F32.view(gi);
                gv.get(0, gs, 0, n);
                activation.backward(cache, hs, gs, n);
                gv.put(0, gs, 0, n);
            }
            g = gi;
        }
        return g;
    }

    /** z[r][c] += bias[c] over rows x cols; the inner loop compiles to SIMD code. */
    private static void addBias(float[] zs, INDArray bias, int rows, int cols) {
        float[] bs = HeapScratch.get(3, cols);
        F32.view(bias).get(0, bs, 0, cols);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                zs[base + c] += bs[c];
            }
        }
    }

    /** out[c] = sum over rows of g[r][c]. */
    private static void columnSums(INDArray g, INDArray out, int rows, int cols) {
        int n = rows * cols;
        float[] gs = HeapScratch.get(2, n);
        float[] sums = HeapScratch.get(3, cols);
        F32.view(g).get(0, gs, 0, n);
        java.util.Arrays.fill(sums, 0, cols, 0f);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                sums[c] += gs[base + c];
            }
        }
        F32.view(out).put(0, sums, 0, cols);
    }

    private void checkRows(int rows) {
        if (rows < 1 || rows > maxBatch) {
            throw new IllegalArgumentException("batch of " + rows + " rows; this network holds buffers for 1.." + maxBatch);
        }
    }

    /** Every parameter array, member by member, layer by layer: weights then bias. */
    public List<INDArray> parameters() {
        List<INDArray> out = new ArrayList<>();
        for (int e = 0; e < members; e++) {
            for (int l = 0; l < layers(); l++) {
                out.add(w[e][l]);
                out.add(b[e][l]);
            }
        }
        return out;
    }

    /** The gradients, in the order of {@link #parameters()}. */
    public List<INDArray> gradients() {
        List<INDArray> out = new ArrayList<>();
        for (int e = 0; e < members; e++) {
            for (int l = 0; l < layers(); l++) {
                out.add(dw[e][l]);
                out.add(db[e][l]);
            }
        }
        return out;
    }

    /** The parameters of one member, for copying a member (elites) or for per-member optimisers. */
    public List<INDArray> parameters(int e) {
        return parameters().subList(e * 2 * layers(), (e + 1) * 2 * layers());
    }

    public List<INDArray> gradients(int e) {
        return gradients().subList(e * 2 * layers(), (e + 1) * 2 * layers());
    }

    /** Index of the weight layer each parameter array belongs to (for per-layer weight decay). */
    public int layerOf(int parameterIndex) {
        return (parameterIndex % (2 * layers())) / 2;
    }

    public boolean isWeight(int parameterIndex) {
        return parameterIndex % 2 == 0;
    }
}

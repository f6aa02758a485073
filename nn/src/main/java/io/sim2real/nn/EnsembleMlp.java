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
        return forwardRows(e, lane, in, 0, rows);
    }

    /** Rows per block of {@link #predict}: a block's activations (rows x 200 floats) stay in a core's L2 cache. */
    static final int PREDICT_BLOCK = 512;

    /**
     * Floats per heap copy of an element-wise pass: the pass runs over the rows in pieces this large, so that its
     * two or three heap arrays stay in L1 rather than streaming a whole batch through L2 once per loop.
     */
    static final int CHUNK_FLOATS = 2048;

    /**
     * Member e's output for the first {@code rows} rows of {@code x}, for inference only: no {@link #backward} may
     * follow. It runs the rows in blocks of {@link #PREDICT_BLOCK} through every layer, so that large batches
     * (rollouts) work in cache, keeps no backward cache, and applies each hidden layer's bias and activation in place
     * in one pass. Where {@link #shareInference} gave it threads, idle ones take blocks too (a block's arithmetic
     * does not depend on which thread runs it, so neither do the results). The result is a view into this
     * network's buffers, valid until the next forward pass in the lane.
     */
    public INDArray predict(int e, INDArray x, int rows) {
        checkRows(rows);
        int lane = e % lanes;
        lastForward[lane] = -1;
        INDArray out = views[lane].rows(z[lane][layers() - 1], rows);
        if (!Gemm.direct()) {
            for (int start = 0; start < rows; start += PREDICT_BLOCK) {
                int count = Math.min(PREDICT_BLOCK, rows - start);
                forwardRows(e, lane, F32.rowRange(x, start, count), start, count);
            }
            return out;
        }
        int blocks = (rows + PREDICT_BLOCK - 1) / PREDICT_BLOCK;
        PredictJob job = new PredictJob(e, x, rows, z[lane][layers() - 1], blocks);
        java.util.concurrent.Executor pool = helpers;
        if (pool != null) {
            for (int i = 0; i < Math.min(helperThreads, blocks - 1); i++) {
                pool.execute(job);
            }
        }
        job.run();
        job.await();
        return out;
    }

    /** Threads that take blocks of {@link #predict} when idle (an ensemble's lanes, between their own work). */
    private volatile java.util.concurrent.Executor helpers;
    private volatile int helperThreads;

    /** Lets up to {@code threads} threads of {@code pool} run blocks of predictions when they are idle. */
    void shareInference(java.util.concurrent.Executor pool, int threads) {
        this.helperThreads = threads;
        this.helpers = pool;
    }

    /** One call of {@link #predict}: its blocks go to whichever thread claims them first. */
    private final class PredictJob implements Runnable {
        private final int e;
        private final INDArray x;
        private final int rows;
        private final INDArray out;
        private final int blocks;
        private final Thread owner = Thread.currentThread();
        private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        private volatile Throwable failure;

        PredictJob(int e, INDArray x, int rows, INDArray out, int blocks) {
            this.e = e;
            this.x = x;
            this.rows = rows;
            this.out = out;
            this.blocks = blocks;
        }

        @Override
        public void run() {
            if (next.get() >= blocks) {
                return; // a helper that came too late
            }
            BlockBuffers buffers = spare.poll();
            if (buffers == null) {
                buffers = new BlockBuffers();
            }
            try {
                int block;
                while ((block = next.getAndIncrement()) < blocks) {
                    try {
                        int start = block * PREDICT_BLOCK;
                        predictBlock(buffers, e, x, start, Math.min(PREDICT_BLOCK, rows - start), out);
                    } catch (Throwable t) {
                        failure = t;
                    } finally {
                        if (finished.incrementAndGet() == blocks) {
                            java.util.concurrent.locks.LockSupport.unpark(owner);
                        }
                    }
                }
            } finally {
                spare.add(buffers);
            }
        }

        void await() {
            while (finished.get() < blocks) {
                java.util.concurrent.locks.LockSupport.park(this);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Two block-sized activation buffers, used by one thread at a time. */
    private final class BlockBuffers {
        private final INDArray[] arrays = new INDArray[2];
        private final FloatBuffer[] floats = new FloatBuffer[2];
        private final org.bytedeco.javacpp.FloatPointer[] pointers = new org.bytedeco.javacpp.FloatPointer[2];

        BlockBuffers() {
            int widest = 1;
            for (int l = 1; l < sizes.length - 1; l++) {
                widest = Math.max(widest, sizes[l]);
            }
            for (int i = 0; i < 2; i++) {
                arrays[i] = F32.zeros(PREDICT_BLOCK, widest);
                floats[i] = F32.view(arrays[i]);
                pointers[i] = Gemm.address(arrays[i]);
            }
        }
    }

    /** Block buffers not in use; at most one per thread that ran a prediction at once. */
    private final java.util.concurrent.ConcurrentLinkedQueue<BlockBuffers> spare = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Rows [start, start + count) of x through member e, hidden layers alternating between the two block buffers
     * (each packed, a row {@code width} floats), the output into the same rows of {@code out}.
     */
    private void predictBlock(BlockBuffers buffers, int e, INDArray x, int start, int count, INDArray out) {
        int layers = layers();
        org.bytedeco.javacpp.FloatPointer in = Gemm.address(x);
        int ldIn = Gemm.rowStride(x);
        long inOffset = (long) start * ldIn;
        for (int l = 0; l < layers; l++) {
            int cols = sizes[l + 1];
            INDArray weights = w[e][l];
            if (l == layers - 1) {
                Gemm.gemm(in, inOffset, ldIn, Gemm.address(weights), cols, false, Gemm.address(out), (long) start * cols,
                        cols, count, cols, sizes[l]);
                addBias(F32.view(out), start * cols, b[e][l], count, cols);
            } else {
                int i = l % 2;
                Gemm.gemm(in, inOffset, ldIn, Gemm.address(weights), cols, false, buffers.pointers[i], 0, cols, count,
                        cols, sizes[l]);
                inferInPlace(buffers.floats[i], b[e][l], count, cols);
                in = buffers.pointers[i];
                inOffset = 0;
                ldIn = cols;
            }
        }
    }

    /** Rows per piece of an element-wise pass over rows of {@code cols} floats (see {@link #CHUNK_FLOATS}). */
    private static int chunkRows(int cols) {
        return Math.max(1, CHUNK_FLOATS / cols);
    }

    /** This thread's heap array (slot 3) holding the bias repeated for {@code rows} rows. */
    private static float[] biasTile(INDArray bias, int rows, int cols) {
        float[] tile = HeapScratch.get(3, rows * cols);
        F32.view(bias).get(0, tile, 0, cols);
        for (int r = 1; r < rows; r++) {
            System.arraycopy(tile, 0, tile, r * cols, cols);
        }
        return tile;
    }

    /** v = f(v + bias) over rows x cols from the start of v, piece by piece through heap copies. */
    private void inferInPlace(FloatBuffer v, INDArray bias, int rows, int cols) {
        int chunk = chunkRows(cols);
        float[] tile = biasTile(bias, Math.min(chunk, rows), cols);
        float[] zs = HeapScratch.get(0, chunk * cols);
        for (int r = 0; r < rows; r += chunk) {
            int n = Math.min(chunk, rows - r) * cols;
            int at = r * cols;
            v.get(at, zs, 0, n);
            activation.infer(zs, tile, n);
            v.put(at, zs, 0, n);
        }
    }

    /** v[at + r cols + c] += bias[c] over rows x cols, piece by piece through heap copies. */
    private static void addBias(FloatBuffer v, int at, INDArray bias, int rows, int cols) {
        int chunk = chunkRows(cols);
        float[] tile = biasTile(bias, Math.min(chunk, rows), cols);
        float[] zs = HeapScratch.get(0, chunk * cols);
        for (int r = 0; r < rows; r += chunk) {
            int n = Math.min(chunk, rows - r) * cols;
            int from = at + r * cols;
            v.get(from, zs, 0, n);
            for (int i = 0; i < n; i++) {
                zs[i] += tile[i];
            }
            v.put(from, zs, 0, n);
        }
    }

    /**
     * Runs rows [start, start + count) of the lane's buffers through member e, {@code in} holding those rows'
     * inputs, and leaves what {@link #backward} needs. Returns the output rows.
     */
    private INDArray forwardRows(int e, int lane, INDArray in, int start, int count) {
        int layers = layers();
        for (int l = 0; l < layers; l++) {
            INDArray zl = start == 0 ? views[lane].rows(z[lane][l], count) : F32.rowRange(z[lane][l], start, count);
            Gemm.gemm(in, false, w[e][l], false, zl);
            int cols = sizes[l + 1];
            if (l < layers - 1) {
                INDArray hl = start == 0 ? views[lane].rows(h[lane][l], count) : F32.rowRange(h[lane][l], start, count);
                activate(F32.view(zl), F32.view(hl), b[e][l], count, cols);
                in = hl;
            } else {
                addBias(F32.view(zl), 0, b[e][l], count, cols);
                in = zl;
            }
        }
        return in;
    }

    /** Bias and activation in one pass (see HeapScratch): h = f(z + bias), z = the backward pass's cache. */
    private void activate(FloatBuffer zv, FloatBuffer hv, INDArray bias, int rows, int cols) {
        int chunk = chunkRows(cols);
        float[] tile = biasTile(bias, Math.min(chunk, rows), cols);
        float[] zs = HeapScratch.get(0, chunk * cols);
        float[] hs = HeapScratch.get(1, chunk * cols);
        for (int r = 0; r < rows; r += chunk) {
            int n = Math.min(chunk, rows - r) * cols;
            int at = r * cols;
            zv.get(at, zs, 0, n);
            activation.forward(zs, tile, hs, n);
            hv.put(at, hs, 0, n);
            zv.put(at, zs, 0, n);
        }
    }

    /**
     * Gradients of member e for the loss whose gradient with respect to the last forward output is {@code gOut}
     * (rows x out). Overwrites the member's parameter gradients; returns the gradient with respect to its input.
     */
    public INDArray backward(int e, INDArray gOut, int rows) {
        return backward(e, gOut, rows, true, true);
    }

    /**
     * As {@link #backward(int, INDArray, int)}, computing only what is asked for: without {@code parameterGradients}
     * the member's gradients are left as they were (a loss differentiated through a network that it does not train,
     * as SAC's actor loss through the critics); without {@code inputGradient} the first layer's input gradient is not
     * computed and null is returned (a network trained on fixed inputs). Each skipped product is a full gemm.
     */
    public INDArray backward(int e, INDArray gOut, int rows, boolean parameterGradients, boolean inputGradient) {
        checkRows(rows);
        int lane = e % lanes;
        if (e != lastForward[lane] || input[lane].rows() != rows) {
            throw new IllegalStateException("backward(" + e + ", " + rows + " rows) must follow that member's forward pass");
        }
        RowViews v = views[lane];
        INDArray g = v.rows(gOut, rows);
        for (int l = layers() - 1; l >= 0; l--) {
            if (parameterGradients) {
                INDArray layerInput = l == 0 ? input[lane] : v.rows(h[lane][l - 1], rows);
                Gemm.gemm(layerInput, true, g, false, dw[e][l]);
                if (l == layers() - 1) {
                    columnSums(g, db[e][l], rows, sizes[l + 1]); // the hidden layers' sums come with their activation pass
                }
            }
            if (l == 0 && !inputGradient) {
                return null;
            }
            INDArray gi = v.rows(gIn[lane][l], rows);
            Gemm.gemm(g, false, w[e][l], true, gi);
            if (l > 0) {
                activationGradient(F32.view(z[lane][l - 1]), F32.view(h[lane][l - 1]), F32.view(gi), rows, sizes[l],
                        parameterGradients ? db[e][l - 1] : null);
            }
            g = gi;
        }
        return g;
    }

    /**
     * g *= f'(z) from the forward pass's cache and h, piece by piece through heap copies; where {@code sums} is
     * given, the column sums of the result (the layer's bias gradient) too, while the pieces are in cache.
     */
    private void activationGradient(FloatBuffer cv, FloatBuffer hv, FloatBuffer gv, int rows, int cols, INDArray sums) {
        int chunk = chunkRows(cols);
        float[] cache = HeapScratch.get(0, chunk * cols);
        float[] hs = HeapScratch.get(1, chunk * cols);
        float[] gs = HeapScratch.get(2, chunk * cols);
        float[] total = HeapScratch.get(3, cols);
        java.util.Arrays.fill(total, 0, cols, 0f);
        for (int r = 0; r < rows; r += chunk) {
            int count = Math.min(chunk, rows - r);
            int n = count * cols;
            int at = r * cols;
            cv.get(at, cache, 0, n);
            hv.get(at, hs, 0, n);
            gv.get(at, gs, 0, n);
            activation.backward(cache, hs, gs, n);
            gv.put(at, gs, 0, n);
            if (sums != null) {
                addRows(gs, total, count, cols);
            }
        }
        if (sums != null) {
            F32.view(sums).put(0, total, 0, cols);
        }
    }

    /** out[c] = sum over rows of g[r][c], rows in order. */
    private static void columnSums(INDArray g, INDArray out, int rows, int cols) {
        int chunk = chunkRows(cols);
        float[] gs = HeapScratch.get(2, chunk * cols);
        float[] sums = HeapScratch.get(3, cols);
        FloatBuffer gv = F32.view(g);
        java.util.Arrays.fill(sums, 0, cols, 0f);
        for (int r = 0; r < rows; r += chunk) {
            int count = Math.min(chunk, rows - r);
            gv.get(r * cols, gs, 0, count * cols);
            addRows(gs, sums, count, cols);
        }
        F32.view(out).put(0, sums, 0, cols);
    }

    /** sums[c] += g[r][c] for each of {@code rows} rows in order (the inner loop compiles to SIMD code). */
    private static void addRows(float[] g, float[] sums, int rows, int cols) {
        for (int k = 0; k < rows; k++) {
            int base = k * cols;
            for (int c = 0; c < cols; c++) {
                sums[c] += g[base + c];
            }
        }
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

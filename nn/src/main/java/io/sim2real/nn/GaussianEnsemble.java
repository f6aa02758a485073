package io.sim2real.nn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ensemble of probabilistic networks (MBPO's dynamics model): each member maps an input to the mean and
 * log-variance of a D-dimensional Gaussian. The log-variance is kept between learned soft bounds
 * (max_logvar - softplus(max_logvar - raw), then min_logvar + softplus(. - min_logvar)), shared by the
 * members, and the loss is the Gaussian negative log-likelihood summed over members plus
 * {@code boundPenalty * (sum max_logvar - sum min_logvar)}. Works in the standardised space its caller
 * provides; a training step allocates no off-heap memory.
 */
public final class GaussianEnsemble {

    private final EnsembleMlp net;
    private final int outDim;
    private final double boundPenalty;
    private final INDArray maxLogVar;
    private final INDArray minLogVar;
    private final INDArray dMaxLogVar;
    private final INDArray dMinLogVar;
    /** [member] gradient of the loss with respect to the network's raw output (maxBatch x 2D). */
    private final INDArray[] gOut;
    private final Adam adam;
    private final int lanes;
    /** [lane] this lane's share of the bound gradients; [member] the member's NLL of the last step. */
    private final float[][] laneDMax;
    private final float[][] laneDMin;
    private final double[] memberLoss;
    private final java.util.concurrent.ExecutorService pool;
    private final double[] decay;

    public GaussianEnsemble(int members, int inDim, int[] hidden, int outDim, Activation activation, int maxBatch,
                            double learningRate, double[] weightDecayPerLayer, double boundPenalty, long seed) {
        this(members, inDim, hidden, outDim, activation, maxBatch, learningRate, weightDecayPerLayer, boundPenalty, 1, seed);
    }

    /** With {@code threads} > 1, members are trained on that many threads at once, each with its own buffers. */
    public GaussianEnsemble(int members, int inDim, int[] hidden, int outDim, Activation activation, int maxBatch,
                            double learningRate, double[] weightDecayPerLayer, double boundPenalty, int threads, long seed) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = inDim;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 2 * outDim;
        if (weightDecayPerLayer.length != sizes.length - 1) {
            throw new IllegalArgumentException("one weight decay per layer: " + (sizes.length - 1) + " expected");
        }
        this.net = new EnsembleMlp(members, sizes, activation, maxBatch, threads, seed);
        this.lanes = net.lanes();
        this.laneDMax = new float[lanes][outDim];
        this.laneDMin = new float[lanes][outDim];
        this.memberLoss = new double[members];
        this.pool = lanes > 1 ? java.util.concurrent.Executors.newFixedThreadPool(lanes - 1, r -> {
            Thread t = new Thread(r, "ensemble-lane");
            t.setDaemon(true);
            return t;
        }) : null;
        if (pool != null) {
            // Between their own lanes' work, the pool's threads take blocks of other predictions (rows split over threads).
            net.shareInference(pool, lanes - 1);
        }
        this.outDim = outDim;
        this.boundPenalty = boundPenalty;
        this.maxLogVar = F32.zeros(1, outDim).addi(0.5);
        this.minLogVar = F32.zeros(1, outDim).subi(10);
        this.dMaxLogVar = F32.zeros(1, outDim);
        this.dMinLogVar = F32.zeros(1, outDim);
        this.gOut = new INDArray[members];
        for (int e = 0; e < members; e++) {
            gOut[e] = F32.zeros(maxBatch, 2L * outDim);
        }
        List<INDArray> params = new ArrayList<>(net.parameters());
        List<INDArray> grads = new ArrayList<>(net.gradients());
        this.decay = new double[params.size() + 2];
        for (int p = 0; p < params.size(); p++) {
            decay[p] = net.isWeight(p) ? weightDecayPerLayer[net.layerOf(p)] : 0;
        }
        params.add(maxLogVar);
        params.add(minLogVar);
        grads.add(dMaxLogVar);
        grads.add(dMinLogVar);
        this.adam = new Adam(params, grads, learningRate, decay, 0);
    }

    public int members() {
        return net.members();
    }

    public int inputSize() {
        return net.inputSize();
    }

    public int outputSize() {
        return outDim;
    }

    public int maxBatch() {
        return net.maxBatch();
    }

    public EnsembleMlp network() {
        return net;
    }

    /**
     * One Adam step on every member, member e on its own minibatch {@code x[e]}, {@code y[e]} (first
     * {@code rows} rows). Returns the mean Gaussian NLL over members (without the bound penalty).
     */
    public double trainStep(INDArray[] x, INDArray[] y, int rows) {
        computeGradients(x, y, rows);
        adam.step();
        return lastMeanNll;
    }

    private double lastMeanNll;

    /**
     * Fills every gradient for the objective (sum over members of the NLL, plus the bound penalty) and returns
     * that objective; does not update anything.
     */
    double computeGradients(INDArray[] x, INDArray[] y, int rows) {
        runLanes(lane -> {
            java.util.Arrays.fill(laneDMax[lane], 0f);
            java.util.Arrays.fill(laneDMin[lane], 0f);
            for (int e = lane; e < net.members(); e += lanes) {
                memberLoss[e] = memberGradients(e, x[e], y[e], rows, laneDMax[lane], laneDMin[lane]);
            }
        });
        FloatBuffer maxV = F32.view(maxLogVar);
        FloatBuffer minV = F32.view(minLogVar);
        FloatBuffer dMax = F32.view(dMaxLogVar);
        FloatBuffer dMin = F32.view(dMinLogVar);
        double total = 0;
        for (int e = 0; e < net.members(); e++) {
            if (!Double.isFinite(memberLoss[e])) {
                throw new NonFiniteException("member " + e + " loss is " + memberLoss[e]);
            }
            total += memberLoss[e];
        }
        double penalty = 0;
        for (int j = 0; j < outDim; j++) {
            float sumMax = (float) boundPenalty;
            float sumMin = (float) -boundPenalty;
            for (int lane = 0; lane < lanes; lane++) {
                sumMax += laneDMax[lane][j];
                sumMin += laneDMin[lane][j];
            }
            dMax.put(j, sumMax);
            dMin.put(j, sumMin);
            penalty += boundPenalty * (maxV.get(j) - minV.get(j));
        }
        lastMeanNll = total / net.members();
        return total + penalty;
    }

    /** Member e's NLL on its batch; fills its network gradients and adds its bound gradients to dMax, dMin. */
    private double memberGradients(int e, INDArray xe, INDArray ye, int rows, float[] dMax, float[] dMin) {
        double loss = forwardNll(e, xe, ye, rows, 1f, gOut[e], dMax, dMin, null, null);
        net.backward(e, gOut[e], rows, true, false);
        return loss;
    }

    /**
     * Member e's forward pass on x and its Gaussian NLL against y (mean over rows and dimensions). Writes
     * {@code weight} times the loss's gradient with respect to the raw output into g, adds the bound gradients
     * to dMax and dMin, and, where given, the gradient with respect to y into gTarget and the predicted mean
     * into meanOut (rows x D). The forward pass is left in place for {@code network().backward(e, g, rows)}.
     */
    public double forwardNll(int e, INDArray x, INDArray y, int rows, float weight, INDArray g, float[] dMax, float[] dMin,
                      INDArray gTarget, INDArray meanOut) {
        float scale = weight / (rows * outDim);
        int width = 2 * outDim;
        int n = rows * outDim;
        // The network's scratch arrays are free again once its forward pass has returned.
        float[] outs = HeapScratch.get(0, rows * width);
        F32.view(net.forward(e, x, rows)).get(0, outs, 0, rows * width);
        float[] logVar = HeapScratch.get(2, n);
        float[] sUpper = HeapScratch.get(3, n);
        float[] sLower = HeapScratch.get(4, n);
        boundedLogVariance(outs, rows, logVar, sUpper, sLower);
        float[] targets = HeapScratch.get(1, n);
        F32.view(y).get(0, targets, 0, n);
        float[] gs = HeapScratch.get(5, rows * width);
        // Flat loops over rows x D (see FastMath): the exponentials, then every per-element term, then the sums in
        // the order of rows, as one loop per element did.
        float[] invVar = HeapScratch.get(6, n);
        for (int i = 0; i < n; i++) {
            invVar[i] = (float) Math.exp(-logVar[i]);
        }
        float[] means = HeapScratch.get(7, n);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(outs, r * width, means, r * outDim, outDim);
        }
        float[] lossTerms = outs;
        float[] dMeans = HeapScratch.get(8, n);
        float[] dRaw = HeapScratch.get(9, n);
        // d logVar / d raw = sLower sUpper; d / d max = sLower (1 - sUpper), into sUpper; d / d min = 1 - sLower, into sLower.
        for (int i = 0; i < n; i++) {
            float diff = means[i] - targets[i];
            float q = diff * diff * invVar[i];
            lossTerms[i] = q + logVar[i];
            dMeans[i] = 2f * diff * invVar[i] * scale;
            float dLogVar = (1f - q) * scale;
            float lower = sLower[i];
            float upper = sUpper[i];
            dRaw[i] = dLogVar * lower * upper;
            sUpper[i] = dLogVar * lower * (1f - upper);
            sLower[i] = dLogVar * (1f - lower);
        }
        double loss = 0;
        for (int i = 0; i < n; i++) {
            loss += lossTerms[i];
        }
        for (int r = 0; r < rows; r++) {
            int at = r * outDim;
            for (int j = 0; j < outDim; j++) {
                dMax[j] += sUpper[at + j];
                dMin[j] += sLower[at + j];
            }
            System.arraycopy(dMeans, at, gs, r * width, outDim);
            System.arraycopy(dRaw, at, gs, r * width + outDim, outDim);
        }
        if (gTarget != null) {
            for (int i = 0; i < n; i++) {
                invVar[i] = -dMeans[i];
            }
            F32.view(gTarget).put(0, invVar, 0, n);
        }
        if (meanOut != null) {
            F32.view(meanOut).put(0, means, 0, n);
        }
        F32.view(g).put(0, gs, 0, rows * width);
        return loss / (rows * outDim);
    }

    /**
     * The soft bounds on the raw log-variances (the second half of each row of {@code outs}, rows x 2D): logVar =
     * min + softplus(max - softplus(max - raw) - min), into {@code logVar} (rows x D), and where given the two
     * sigmoids of the chain rule. Flat SIMD loops over rows x D, the bounds repeated per row (see FastMath).
     */
    private void boundedLogVariance(float[] outs, int rows, float[] logVar, float[] sUpper, float[] sLower) {
        int n = rows * outDim;
        float[] maxs = HeapScratch.get(6, n);
        float[] mins = HeapScratch.get(7, n);
        float[] aUpper = HeapScratch.get(8, n);
        float[] aLower = HeapScratch.get(9, n);
        F32.view(maxLogVar).get(0, maxs, 0, outDim);
        F32.view(minLogVar).get(0, mins, 0, outDim);
        int width = 2 * outDim;
        for (int r = 0; r < rows; r++) {
            if (r > 0) {
                System.arraycopy(maxs, 0, maxs, r * outDim, outDim);
                System.arraycopy(mins, 0, mins, r * outDim, outDim);
            }
            System.arraycopy(outs, r * width + outDim, aUpper, r * outDim, outDim);
        }
        for (int i = 0; i < n; i++) {
            aUpper[i] = maxs[i] - aUpper[i];
        }
        FastMath.softplus(aUpper, aLower, n);
        for (int i = 0; i < n; i++) {
            aLower[i] = maxs[i] - aLower[i] - mins[i];
        }
        FastMath.softplus(aLower, logVar, n);
        for (int i = 0; i < n; i++) {
            logVar[i] += mins[i];
        }
        if (sUpper != null) {
            FastMath.sigmoid(aUpper, sUpper, n);
            FastMath.sigmoid(aLower, sLower, n);
        }
    }

    /** The gradients of the two log-variance bounds (max, min), as the optimiser reads them. */
    public INDArray[] boundGradients() {
        return new INDArray[] {dMaxLogVar, dMinLogVar};
    }

    /** The two log-variance bounds (max, min), 1 x D each. */
    public INDArray[] bounds() {
        return new INDArray[] {maxLogVar, minLogVar};
    }

    public double boundPenalty() {
        return boundPenalty;
    }

    /** The L2 weight decay of each array of {@link #parameters()}. */
    public double[] weightDecays() {
        return decay.clone();
    }

    /** Members are spread over this many lanes; member e belongs to lane {@code e % lanes()}. */
    public int lanes() {
        return lanes;
    }

    /**
     * Runs {@code work} once per lane, lanes in parallel (lane 0 on the calling thread). Inside, a lane may call
     * {@link #predict} for its own members only.
     */
    public void inLanes(java.util.function.IntConsumer work) {
        runLanes(work);
    }

    /** Runs lane 0 here and the others on the pool; waits for all. */
    private void runLanes(java.util.function.IntConsumer work) {
        if (pool == null) {
            work.accept(0);
            return;
        }
        java.util.List<java.util.concurrent.Future<?>> running = new ArrayList<>(lanes - 1);
        for (int lane = 1; lane < lanes; lane++) {
            int l = lane;
            running.add(pool.submit(() -> work.accept(l)));
        }
        work.accept(0);
        try {
            for (java.util.concurrent.Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The gradients, in the order of {@link #parameters()}. */
    public List<INDArray> gradients() {
        List<INDArray> g = new ArrayList<>(net.gradients());
        g.add(dMaxLogVar);
        g.add(dMinLogVar);
        return g;
    }

    /**
     * Member e's predicted mean and log-variance for the first {@code rows} rows of x, written into
     * {@code mean} and {@code logVar} (rows x D).
     */
    public void predict(int e, INDArray x, int rows, INDArray mean, INDArray logVar) {
        int width = 2 * outDim;
        float[] outs = HeapScratch.get(0, rows * width);
        F32.view(net.predict(e, x, rows)).get(0, outs, 0, rows * width);
        float[] result = HeapScratch.get(1, rows * outDim);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(outs, r * width, result, r * outDim, outDim);
        }
        F32.view(mean).put(0, result, 0, rows * outDim);
        if (logVar != null) {
            boundedLogVariance(outs, rows, result, null, null);
            F32.view(logVar).put(0, result, 0, rows * outDim);
        }
    }

    /** Mean squared error of member e's mean on (x, y), first rows rows. */
    public double meanSquaredError(int e, INDArray x, INDArray y, int rows, INDArray scratch) {
        predict(e, x, rows, scratch, null);
        FloatBuffer p = F32.view(scratch);
        FloatBuffer t = F32.view(y);
        double sum = 0;
        for (int i = 0; i < rows * outDim; i++) {
            double d = p.get(i) - t.get(i);
            sum += d * d;
        }
        return sum / (rows * outDim);
    }

    /** Every parameter array (networks, then the two log-variance bounds), for checkpoints and elites. */
    public List<INDArray> parameters() {
        List<INDArray> p = new ArrayList<>(net.parameters());
        p.add(maxLogVar);
        p.add(minLogVar);
        return p;
    }

}

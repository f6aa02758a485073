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

    public GaussianEnsemble(int members, int inDim, int[] hidden, int outDim, Activation activation, int maxBatch,
                            double learningRate, double[] weightDecayPerLayer, double boundPenalty, long seed) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = inDim;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 2 * outDim;
        if (weightDecayPerLayer.length != sizes.length - 1) {
            throw new IllegalArgumentException("one weight decay per layer: " + (sizes.length - 1) + " expected");
        }
        this.net = new EnsembleMlp(members, sizes, activation, maxBatch, seed);
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
        double[] decay = new double[params.size() + 2];
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
        FloatBuffer maxV = F32.view(maxLogVar);
        FloatBuffer minV = F32.view(minLogVar);
        FloatBuffer dMax = F32.view(dMaxLogVar);
        FloatBuffer dMin = F32.view(dMinLogVar);
        for (int j = 0; j < outDim; j++) {
            dMax.put(j, (float) boundPenalty);
            dMin.put(j, (float) -boundPenalty);
        }
        double total = 0;
        float scale = 1f / (rows * outDim);
        int width = 2 * outDim;
        for (int e = 0; e < net.members(); e++) {
            FloatBuffer out = F32.view(net.forward(e, x[e], rows));
            FloatBuffer target = F32.view(y[e]);
            FloatBuffer g = F32.view(gOut[e]);
            double loss = 0;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < outDim; j++) {
                    int meanAt = r * width + j;
                    int rawAt = meanAt + outDim;
                    float max = maxV.get(j);
                    float min = minV.get(j);
                    float raw = out.get(rawAt);
                    float upper = max - softplus(max - raw);
                    float logVar = min + softplus(upper - min);
                    float invVar = (float) Math.exp(-logVar);
                    float diff = out.get(meanAt) - target.get(r * outDim + j);
                    loss += diff * diff * invVar + logVar;
                    g.put(meanAt, 2f * diff * invVar * scale);
                    float dLogVar = (1f - diff * diff * invVar) * scale;
                    float sLower = sigmoid(upper - min);
                    float sUpper = sigmoid(max - raw);
                    g.put(rawAt, dLogVar * sLower * sUpper);
                    dMax.put(j, dMax.get(j) + dLogVar * sLower * (1f - sUpper));
                    dMin.put(j, dMin.get(j) + dLogVar * (1f - sLower));
                }
            }
            loss *= scale;
            if (!Double.isFinite(loss)) {
                throw new NonFiniteException("member " + e + " loss is " + loss);
            }
            total += loss;
            net.backward(e, gOut[e], rows);
        }
        lastMeanNll = total / net.members();
        double penalty = 0;
        for (int j = 0; j < outDim; j++) {
            penalty += boundPenalty * (maxV.get(j) - minV.get(j));
        }
        return total + penalty;
    }

    /** The gradients, in the order of {@link #parameters()}. */
    List<INDArray> gradients() {
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
        FloatBuffer out = F32.view(net.forward(e, x, rows));
        FloatBuffer m = F32.view(mean);
        FloatBuffer lv = logVar == null ? null : F32.view(logVar);
        FloatBuffer maxV = F32.view(maxLogVar);
        FloatBuffer minV = F32.view(minLogVar);
        int width = 2 * outDim;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < outDim; j++) {
                m.put(r * outDim + j, out.get(r * width + j));
                if (lv != null) {
                    float raw = out.get(r * width + outDim + j);
                    float upper = maxV.get(j) - softplus(maxV.get(j) - raw);
                    lv.put(r * outDim + j, minV.get(j) + softplus(upper - minV.get(j)));
                }
            }
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

    static float softplus(float x) {
        return Math.max(x, 0f) + (float) Math.log1p(Math.exp(-Math.abs(x)));
    }

    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }
}

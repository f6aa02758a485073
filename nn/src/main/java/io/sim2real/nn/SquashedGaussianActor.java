package io.sim2real.nn;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SAC's policy: an MLP gives the mean and a raw log-std per action dimension; log-std is squashed into
 * [{@value #LOG_STD_MIN}, {@value #LOG_STD_MAX}], u = mean + std * eps, and the action is tanh(u). Shared by
 * policy-service (training) and env-service (acting), so the inference code exists once.
 */
public final class SquashedGaussianActor {

    static final float LOG_STD_MIN = -5f;
    static final float LOG_STD_MAX = 2f;
    private static final float HALF_LOG_2PI = (float) (0.5 * Math.log(2 * Math.PI));

    private final EnsembleMlp net;
    private final int obsDim;
    private final int actDim;
    /** Per sample of the last {@link #sample}: noise, pre-squash u, action, std, log-prob. */
    private final float[] eps;
    private final float[] u;
    private final float[] action;
    private final float[] std;
    private final float[] logProb;
    private final float[] rawTanh;
    private final INDArray gOut;

    public SquashedGaussianActor(int obsDim, int actDim, int[] hidden, int maxBatch, long seed) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = obsDim;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 2 * actDim;
        this.net = new EnsembleMlp(1, sizes, Activation.RELU, maxBatch, seed);
        this.obsDim = obsDim;
        this.actDim = actDim;
        this.eps = new float[maxBatch * actDim];
        this.u = new float[maxBatch * actDim];
        this.action = new float[maxBatch * actDim];
        this.std = new float[maxBatch * actDim];
        this.logProb = new float[maxBatch];
        this.rawTanh = new float[maxBatch * actDim];
        this.gOut = F32.zeros(maxBatch, 2L * actDim);
    }

    public EnsembleMlp network() {
        return net;
    }

    public int actDim() {
        return actDim;
    }

    /** Draws fresh noise for the next {@link #sample}. */
    public void drawNoise(int rows, SplittableRandom random) {
        for (int i = 0; i < rows * actDim; i++) {
            eps[i] = (float) random.nextGaussian();
        }
    }

    /** The noise buffer (rows x actDim), for tests that fix the noise. */
    float[] noise() {
        return eps;
    }

    /**
     * Reparameterised sample with the current noise: actions (rows x actDim) into {@code actionsOut}, and
     * log-probabilities returned through {@link #logProb(int)}.
     */
    public void sample(INDArray obs, int rows, INDArray actionsOut) {
        FloatBuffer out = F32.view(net.forward(0, obs, rows));
        FloatBuffer a = F32.view(actionsOut);
        int w = 2 * actDim;
        for (int r = 0; r < rows; r++) {
            float lp = 0;
            for (int j = 0; j < actDim; j++) {
                int k = r * actDim + j;
                float mean = out.get(r * w + j);
                float t = (float) Math.tanh(out.get(r * w + actDim + j));
                rawTanh[k] = t;
                float logStd = LOG_STD_MIN + 0.5f * (LOG_STD_MAX - LOG_STD_MIN) * (t + 1f);
                float s = (float) Math.exp(logStd);
                std[k] = s;
                float uk = mean + s * eps[k];
                u[k] = uk;
                float ak = (float) Math.tanh(uk);
                action[k] = ak;
                a.put(r * actDim + j, ak);
                // log N(u) - log(1 - tanh(u)^2), the latter as 2 (log 2 - u - softplus(-2u)) for stability
                lp += -0.5f * eps[k] * eps[k] - logStd - HALF_LOG_2PI
                        - 2f * ((float) Math.log(2) - uk - FastMath.softplus(-2f * uk));
            }
            logProb[r] = lp;
        }
    }

    public float logProb(int row) {
        return logProb[row];
    }

    /** Deterministic actions tanh(mean) for acting in evaluation; rows x actDim into {@code actionsOut}. */
    public void mean(INDArray obs, int rows, INDArray actionsOut) {
        FloatBuffer out = F32.view(net.forward(0, obs, rows));
        FloatBuffer a = F32.view(actionsOut);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < actDim; j++) {
                a.put(r * actDim + j, (float) Math.tanh(out.get(r * 2 * actDim + j)));
            }
        }
    }

    /**
     * Back-propagates a loss sum_r [ coefLogProb * logProb_r + sum_j dLossDAction[r][j] * action_rj ] through the
     * last {@link #sample}, filling the actor's gradients. {@code dLossDAction} is rows x actDim.
     */
    public void backward(int rows, FloatBuffer dLossDAction, float coefLogProb) {
        FloatBuffer g = F32.view(gOut);
        int w = 2 * actDim;
        float half = 0.5f * (LOG_STD_MAX - LOG_STD_MIN);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < actDim; j++) {
                int k = r * actDim + j;
                float a = action[k];
                // d logProb / du = 2 tanh(u) = 2a; d a / du = 1 - a^2
                float gu = coefLogProb * 2f * a + dLossDAction.get(k) * (1f - a * a);
                float gLogStd = gu * std[k] * eps[k] - coefLogProb;
                g.put(r * w + j, gu);
                g.put(r * w + actDim + j, gLogStd * half * (1f - rawTanh[k] * rawTanh[k]));
            }
        }
        net.backward(0, gOut, rows, true, false);
    }
}

package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks analytic gradients against central finite differences along random directions of the whole
 * parameter vector: in float32, a directional derivative is far better conditioned than one coordinate.
 */
public final class GradientCheck {

    private GradientCheck() {
    }

    /**
     * {@code grads} must hold the gradients at the current parameters; {@code loss} evaluates the loss at
     * the current parameters (it may overwrite the gradients: they are read first).
     */
    public static void assertDirectionalDerivatives(List<INDArray> params, List<INDArray> grads, DoubleSupplier loss,
                                             double eps, double relativeTolerance, long seed, int trials, String what) {
        float[][] g = new float[grads.size()][];
        for (int p = 0; p < grads.size(); p++) {
            FloatBuffer v = F32.view(grads.get(p));
            g[p] = new float[v.capacity()];
            v.get(0, g[p]);
        }
        SplittableRandom dir = new SplittableRandom(seed);
        for (int trial = 0; trial < trials; trial++) {
            float[][] d = new float[params.size()][];
            double analytic = 0;
            for (int p = 0; p < params.size(); p++) {
                d[p] = new float[g[p].length];
                for (int j = 0; j < d[p].length; j++) {
                    d[p][j] = (float) (2 * dir.nextDouble() - 1);
                    analytic += d[p][j] * g[p][j];
                }
            }
            shift(params, d, eps);
            double plus = loss.getAsDouble();
            shift(params, d, -2 * eps);
            double minus = loss.getAsDouble();
            shift(params, d, eps);
            assertEquals(analytic, (plus - minus) / (2 * eps), relativeTolerance * Math.max(1, Math.abs(analytic)),
                    what + ", trial " + trial);
        }
    }

    private static void shift(List<INDArray> params, float[][] d, double eps) {
        for (int p = 0; p < params.size(); p++) {
            FloatBuffer v = F32.view(params.get(p));
            for (int j = 0; j < d[p].length; j++) {
                v.put(j, v.get(j) + (float) (eps * d[p][j]));
            }
        }
    }
}

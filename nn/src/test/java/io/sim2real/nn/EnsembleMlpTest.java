package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class EnsembleMlpTest {

    private static INDArray random(int rows, int cols, long seed) {
        INDArray a = F32.zeros(rows, cols);
        FloatBuffer v = F32.view(a);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows * cols; i++) {
            v.put(i, (float) (2 * r.nextDouble() - 1));
        }
        return a;
    }

    /** L = sum(out * R): its gradient with respect to out is R. */
    private static double loss(EnsembleMlp net, int e, INDArray x, INDArray r, int rows) {
        FloatBuffer out = F32.view(net.forward(e, x, rows));
        FloatBuffer rv = F32.view(r);
        double sum = 0;
        for (int i = 0; i < rows * net.outputSize(); i++) {
            sum += (double) out.get(i) * rv.get(i);
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void shouldMatchFiniteDifferencesAlongRandomDirections(Activation activation) {
        int rows = 6;
        EnsembleMlp net = new EnsembleMlp(2, new int[] {3, 8, 8, 2}, activation, 8, 1);
        INDArray x = random(rows, 3, 2);
        INDArray r = random(rows, 2, 3);
        for (int e = 0; e < 2; e++) {
            loss(net, e, x, r, rows);
            net.backward(e, r, rows);
            // ReLU has kinks: a smaller step makes crossing one unlikely; float32 still resolves it.
            double eps = activation == Activation.RELU ? 1e-3 : 1e-2;
            int member = e;
            GradientCheck.assertDirectionalDerivatives(net.parameters(e), net.gradients(e),
                    () -> loss(net, member, x, r, rows), eps, 2e-3, 10 + e, 5, activation + " member " + e);
        }
    }

    @Test
    void shouldComputeTheInputGradientToo() {
        EnsembleMlp net = new EnsembleMlp(1, new int[] {4, 6, 3}, Activation.TANH, 5, 7);
        INDArray x = random(5, 4, 8);
        INDArray r = random(5, 3, 9);
        double base = loss(net, 0, x, r, 5);
        FloatBuffer gx = F32.view(net.backward(0, r, 5).dup());
        FloatBuffer xv = F32.view(x);
        float old = xv.get(2);
        xv.put(2, old + 1e-2f);
        double plus = loss(net, 0, x, r, 5);
        xv.put(2, old - 1e-2f);
        double minus = loss(net, 0, x, r, 5);
        assertEquals(gx.get(2), (plus - minus) / 2e-2, 1e-3);
        assertNotEquals(0.0, base);
    }

    @Test
    void shouldGiveEachMemberItsOwnWeightsAndRefuseOversizedBatches() {
        EnsembleMlp net = new EnsembleMlp(2, new int[] {3, 4, 1}, Activation.SILU, 4, 1);
        INDArray x = random(4, 3, 1);
        float a = F32.view(net.forward(0, x, 4).dup()).get(0);
        float b = F32.view(net.forward(1, x, 4).dup()).get(0);
        assertNotEquals(a, b);
        assertThrows(IllegalArgumentException.class, () -> net.forward(0, random(5, 3, 1), 5));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void shouldPredictInBlocksWhatTheTrainingForwardPassGives(Activation activation) {
        int rows = 2 * EnsembleMlp.PREDICT_BLOCK + 77;
        EnsembleMlp net = new EnsembleMlp(3, new int[] {5, 16, 16, 4}, activation, rows, 2, 9);
        INDArray x = random(rows, 5, 3);
        for (int e = 0; e < 3; e++) {
            float[] trained = net.forward(e, x, rows).dup().data().asFloat();
            FloatBuffer predicted = F32.view(net.predict(e, x, rows));
            // Equal up to rounding: BLAS sums a block's edge rows in another order than the whole batch's.
            for (int i = 0; i < rows * 4; i++) {
                assertEquals(trained[i], predicted.get(i), 1e-6f * (1 + Math.abs(trained[i])), "member " + e + " element " + i);
            }
            int member = e;
            assertThrows(IllegalStateException.class, () -> net.backward(member, random(rows, 4, 5), rows),
                    "a prediction keeps no backward cache");
        }
    }

    @Test
    void shouldFitAKnownNonlinearFunctionWithAdam() {
        int n = 256;
        INDArray x = random(n, 1, 4);
        INDArray y = F32.zeros(n, 1);
        for (int i = 0; i < n; i++) {
            F32.view(y).put(i, (float) Math.sin(3 * F32.view(x).get(i)));
        }
        EnsembleMlp net = new EnsembleMlp(1, new int[] {1, 32, 32, 1}, Activation.SILU, n, 3);
        Adam adam = new Adam(net.parameters(), net.gradients(), 3e-3, new double[net.parameters().size()], 0);
        INDArray g = F32.zeros(n, 1);
        double mse = Double.NaN;
        for (int step = 0; step < 1500; step++) {
            FloatBuffer out = F32.view(net.forward(0, x, n));
            FloatBuffer gv = F32.view(g);
            mse = 0;
            for (int i = 0; i < n; i++) {
                float diff = out.get(i) - F32.view(y).get(i);
                mse += diff * diff / n;
                gv.put(i, 2 * diff / n);
            }
            net.backward(0, g, n);
            adam.step();
        }
        assertTrue(mse < 2e-3, "mse after training " + mse);
    }
}

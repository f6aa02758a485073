package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class GaussianEnsembleTest {

    private static INDArray fill(int rows, int cols, java.util.function.IntToDoubleFunction f) {
        INDArray a = F32.zeros(rows, cols);
        FloatBuffer v = F32.view(a);
        for (int i = 0; i < rows * cols; i++) {
            v.put(i, (float) f.applyAsDouble(i));
        }
        return a;
    }

    @Test
    void shouldMatchFiniteDifferencesIncludingTheLogVarianceBounds() {
        SplittableRandom r = new SplittableRandom(1);
        GaussianEnsemble model = new GaussianEnsemble(2, 3, new int[] {8}, 2, Activation.SILU, 6, 1e-3,
                new double[] {0, 0}, 0.01, 2);
        // bounds close to the outputs, so that both soft bounds carry gradient
        F32.view(model.parameters().get(model.parameters().size() - 2)).put(0, 0.2f);
        F32.view(model.parameters().get(model.parameters().size() - 1)).put(1, -0.3f);
        INDArray[] x = {fill(6, 3, i -> 2 * r.nextDouble() - 1), fill(6, 3, i -> 2 * r.nextDouble() - 1)};
        INDArray[] y = {fill(6, 2, i -> r.nextDouble()), fill(6, 2, i -> r.nextDouble())};
        model.computeGradients(x, y, 6);
        GradientCheck.assertDirectionalDerivatives(model.parameters(), model.gradients(),
                () -> model.computeGradients(x, y, 6), 1e-2, 3e-3, 3, 5, "Gaussian ensemble");
    }

    @Test
    void shouldLearnTheMeanAndTheNoiseLevelOfNoisyData() {
        int n = 512;
        SplittableRandom r = new SplittableRandom(5);
        INDArray x = fill(n, 1, i -> 2 * r.nextDouble() - 1);
        FloatBuffer xv = F32.view(x);
        double noise = 0.1;
        INDArray y = fill(n, 1, i -> Math.sin(3 * xv.get(i)) + noise * r.nextGaussian());
        GaussianEnsemble model = new GaussianEnsemble(3, 1, new int[] {64, 64}, 1, Activation.SILU, n, 3e-3,
                new double[] {1e-5, 1e-5, 1e-5}, 0.01, 4);
        INDArray[] xs = {x, x, x};
        INDArray[] ys = {y, y, y};
        for (int step = 0; step < 2000; step++) {
            model.trainStep(xs, ys, n);
        }
        INDArray mean = F32.zeros(n, 1);
        INDArray logVar = F32.zeros(n, 1);
        model.predict(1, x, n, mean, logVar);
        double mse = 0;
        double lv = 0;
        for (int i = 0; i < n; i++) {
            double d = F32.view(mean).get(i) - Math.sin(3 * xv.get(i));
            mse += d * d / n;
            lv += F32.view(logVar).get(i) / n;
        }
        assertTrue(mse < 3e-3, "mean error " + mse);
        assertEquals(Math.log(noise * noise), lv, 0.7, "learned log-variance near log(0.01) = -4.6");
    }

    @Test
    void shouldTrainTheSameOnTwoThreadsAsOnOne() {
        SplittableRandom r = new SplittableRandom(9);
        INDArray[] x = new INDArray[3];
        INDArray[] y = new INDArray[3];
        for (int e = 0; e < 3; e++) {
            x[e] = fill(16, 4, i -> 2 * r.nextDouble() - 1);
            y[e] = fill(16, 2, i -> r.nextDouble());
        }
        GaussianEnsemble one = new GaussianEnsemble(3, 4, new int[] {8, 8}, 2, Activation.SILU, 16, 1e-3,
                new double[] {1e-5, 1e-5, 1e-5}, 0.01, 1, 11);
        GaussianEnsemble two = new GaussianEnsemble(3, 4, new int[] {8, 8}, 2, Activation.SILU, 16, 1e-3,
                new double[] {1e-5, 1e-5, 1e-5}, 0.01, 2, 11);
        for (int step = 0; step < 20; step++) {
            assertEquals(one.trainStep(x, y, 16), two.trainStep(x, y, 16), 1e-6, "step " + step);
        }
        List<INDArray> a = one.parameters();
        List<INDArray> b = two.parameters();
        for (int p = 0; p < a.size(); p++) {
            FloatBuffer va = F32.view(a.get(p));
            FloatBuffer vb = F32.view(b.get(p));
            for (int j = 0; j < va.capacity(); j++) {
                assertEquals(va.get(j), vb.get(j), 1e-5);
            }
        }
    }

    /**
     * Two lanes share a large prediction's blocks between their threads, inside lanes and outside them; the
     * results must be those of one thread, bit for bit, whichever thread ran which block.
     */
    @Test
    void shouldPredictTheSameBitsOnTwoThreadsAsOnOne() {
        int rows = 5 * EnsembleMlp.PREDICT_BLOCK + 33;
        SplittableRandom r = new SplittableRandom(13);
        INDArray x = fill(rows, 5, i -> 2 * r.nextDouble() - 1);
        GaussianEnsemble one = new GaussianEnsemble(3, 5, new int[] {40, 30}, 3, Activation.SILU, rows, 1e-3,
                new double[] {0, 0, 0}, 0.01, 1, 17);
        GaussianEnsemble two = new GaussianEnsemble(3, 5, new int[] {40, 30}, 3, Activation.SILU, rows, 1e-3,
                new double[] {0, 0, 0}, 0.01, 2, 17);
        INDArray[][] expected = new INDArray[3][];
        for (int e = 0; e < 3; e++) {
            expected[e] = new INDArray[] {F32.zeros(rows, 3), F32.zeros(rows, 3)};
            one.predict(e, x, rows, expected[e][0], expected[e][1]);
        }
        for (int e = 0; e < 3; e++) {
            INDArray mean = F32.zeros(rows, 3);
            INDArray logVar = F32.zeros(rows, 3);
            two.predict(e, x, rows, mean, logVar);
            assertSameBits(expected[e][0], mean, "member " + e + " mean, outside lanes");
            assertSameBits(expected[e][1], logVar, "member " + e + " log-variance, outside lanes");
        }
        INDArray[][] inLanes = new INDArray[3][];
        two.inLanes(lane -> {
            for (int e = lane; e < 3; e += two.lanes()) {
                inLanes[e] = new INDArray[] {F32.zeros(rows, 3), F32.zeros(rows, 3)};
                two.predict(e, x, rows, inLanes[e][0], inLanes[e][1]);
            }
        });
        for (int e = 0; e < 3; e++) {
            assertSameBits(expected[e][0], inLanes[e][0], "member " + e + " mean, in lanes");
            assertSameBits(expected[e][1], inLanes[e][1], "member " + e + " log-variance, in lanes");
        }
    }

    private static void assertSameBits(INDArray expected, INDArray actual, String what) {
        FloatBuffer a = F32.view(expected);
        FloatBuffer b = F32.view(actual);
        for (int i = 0; i < a.capacity(); i++) {
            assertEquals(Float.floatToRawIntBits(a.get(i)), Float.floatToRawIntBits(b.get(i)), what + " element " + i);
        }
    }
}

package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The dynamics model on real HalfCheetah transitions (MuJoCo, random policy). */
class DynamicsModelTest {

    /** n transitions: obs, act, rew, nextObs. */
    record Data(double[][] obs, double[][] act, double[] rew, double[][] next) {
    }

    static Data collect(int n, long seed) {
        io.sim2real.nn.latent.Transitions t = HalfCheetahData.random(DomainPhysics.neutral(), n, seed);
        return new Data(t.obs(), t.act(), t.rew(), t.nextObs());
    }

    private static EnsembleConfig small() {
        return EnsembleConfig.mbpo(1).withSize(4, 3, new int[] {128, 128, 128}).withEpochs(40);
    }

    @Test
    void shouldLearnHalfCheetahDynamicsAndChooseTheBestMembersAsElites() {
        Data train = collect(6000, 1);
        DynamicsModel model = new DynamicsModel(17, 6, small());
        DynamicsModel.TrainingReport report = model.train(train.obs(), train.act(), train.rew(), train.next(), 6000);

        double initial = Arrays.stream(report.initialHoldoutMse()).average().orElseThrow();
        double trained = Arrays.stream(report.holdoutMse()).average().orElseThrow();
        assertTrue(trained < 0.5 * initial, "hold-out error must fall: " + initial + " -> " + trained);

        Integer[] byError = {0, 1, 2, 3};
        Arrays.sort(byError, (a, b) -> Double.compare(report.holdoutMse()[a], report.holdoutMse()[b]));
        int[] expected = {byError[0], byError[1], byError[2]};
        Arrays.sort(expected);
        assertArrayEquals(expected, report.elites());

        // One-step error on fresh transitions, relative to the variance of the true change: a model that
        // predicts no change scores about 1 (plus the squared mean change); we require it to explain most of it.
        Data test = collect(2000, 2);
        double[][] predicted = new double[2000][];
        double[] predictedRew = new double[2000];
        model.step(test.obs(), test.act(), 2000, true, new SplittableRandom(3), predicted, predictedRew);
        double relative = 0;
        for (int j = 0; j < 17; j++) {
            double mean = 0;
            for (int i = 0; i < 2000; i++) {
                mean += (test.next()[i][j] - test.obs()[i][j]) / 2000;
            }
            double var = 0;
            double err = 0;
            for (int i = 0; i < 2000; i++) {
                double d = test.next()[i][j] - test.obs()[i][j];
                var += (d - mean) * (d - mean);
                err += (predicted[i][j] - test.next()[i][j]) * (predicted[i][j] - test.next()[i][j]);
            }
            relative += err / var / 17;
        }
        System.out.printf("HalfCheetah dynamics: hold-out MSE %.4f -> %.4f in %d epochs (%.1f s); one-step error / variance %.4f%n",
                initial, trained, report.epochs(), report.seconds(), relative);
        assertTrue(relative < 0.3, "one-step error relative to the variance of the change: " + relative
                + " (epochs " + report.epochs() + ")");
    }

    @Test
    void shouldRefuseToTrainOnNonFiniteData() {
        Data d = collect(200, 4);
        d.next()[10][3] = Double.NaN;
        DynamicsModel model = new DynamicsModel(17, 6, small().withEpochs(2));
        assertThrows(NonFiniteException.class, () -> model.train(d.obs(), d.act(), d.rew(), d.next(), 200));
    }
}

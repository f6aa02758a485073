package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sim2real.contracts.Domain;
import io.sim2real.nn.latent.Transitions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fidelity measure: 0 for a model that predicts every transition, about 1 for one that predicts the mean change. */
class MbpoTrainingFidelityTest {

    /** A model that predicts o' = o + f(o), r = g(o) for fixed functions, or the mean change. */
    private static MbpoTraining.Prediction predicting(boolean exact, double[] meanChange) {
        return (d, obs, act, sampled, rng, next, rew) -> {
            for (int i = 0; i < obs.length; i++) {
                next[i] = new double[obs[i].length];
                for (int j = 0; j < obs[i].length; j++) {
                    next[i][j] = obs[i][j] + (exact ? change(obs[i], act[i], j) : meanChange[j]);
                }
                rew[i] = exact ? reward(obs[i], act[i]) : meanChange[obs[i].length];
            }
        };
    }

    private static double change(double[] o, double[] a, int j) {
        return Math.sin(o[j] * (j + 1)) + a[0];
    }

    private static double reward(double[] o, double[] a) {
        return o[0] - 0.1 * a[0] * a[0];
    }

    private static Transitions data(int n) {
        SplittableRandom r = new SplittableRandom(3);
        double[][] obs = new double[n][3];
        double[][] act = new double[n][1];
        double[] rew = new double[n];
        double[][] next = new double[n][3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                obs[i][j] = r.nextGaussian();
            }
            act[i][0] = r.nextDouble(-1, 1);
            for (int j = 0; j < 3; j++) {
                next[i][j] = obs[i][j] + change(obs[i], act[i], j);
            }
            rew[i] = reward(obs[i], act[i]);
        }
        return new Transitions(obs, act, rew, next);
    }

    @Test
    void shouldScoreAnExactModelZeroAndTheMeanChangeOne() {
        Transitions t = data(4000);
        double[] mean = new double[4];
        for (int i = 0; i < t.size(); i++) {
            for (int j = 0; j < 3; j++) {
                mean[j] += (t.nextObs()[i][j] - t.obs()[i][j]) / t.size();
            }
            mean[3] += t.rew()[i] / t.size();
        }
        SplittableRandom rng = new SplittableRandom(1);
        assertEquals(0.0, MbpoTraining.fidelity(predicting(true, mean), Domain.SIM, t, false, rng), 1e-12);
        assertEquals(1.0, MbpoTraining.fidelity(predicting(false, mean), Domain.SIM, t, false, rng), 1e-9);
        double[] off = mean.clone();
        off[0] += 1;
        double worse = MbpoTraining.fidelity(predicting(false, off), Domain.SIM, t, false, rng);
        assertEquals(true, worse > 1.1, "an offset prediction is worse than the mean: " + worse);
    }
}

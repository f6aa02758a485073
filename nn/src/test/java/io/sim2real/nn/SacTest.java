package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class SacTest {

    private static final int B = 8;

    private static Sac sacWithBatch(long seed) {
        SacConfig c = SacConfig.standard(3, 2, seed).withHidden(new int[] {16, 16}).withBatchSize(B);
        Sac sac = new Sac(c);
        SplittableRandom r = new SplittableRandom(seed);
        double[][] o = new double[B][3], a = new double[B][2], o2 = new double[B][3];
        double[] rew = new double[B];
        boolean[] done = new boolean[B];
        for (int b = 0; b < B; b++) {
            for (int j = 0; j < 3; j++) {
                o[b][j] = r.nextGaussian();
                o2[b][j] = r.nextGaussian();
            }
            for (int j = 0; j < 2; j++) {
                a[b][j] = 2 * r.nextDouble() - 1;
            }
            rew[b] = r.nextGaussian();
            done[b] = b % 4 == 0;
        }
        sac.load(o, a, rew, o2, done, B);
        sac.computeTargets(B);
        return sac;
    }

    // The critics and the actor use ReLU: a small step keeps a random direction from crossing many kinks.
    @Test
    void shouldMatchFiniteDifferencesForTheCriticLoss() {
        Sac sac = sacWithBatch(1);
        sac.computeCriticGradients(B);
        GradientCheck.assertDirectionalDerivatives(sac.critic().parameters(), sac.critic().gradients(),
                () -> sac.computeCriticGradients(B), 2e-4, 1e-2, 2, 5, "critic");
    }

    @Test
    void shouldMatchFiniteDifferencesForTheActorLossWithFixedNoise() {
        Sac sac = sacWithBatch(3);
        sac.actor().drawNoise(B, new SplittableRandom(4));
        sac.computeActorGradients(B);
        GradientCheck.assertDirectionalDerivatives(sac.actor().network().parameters(), sac.actor().network().gradients(),
                () -> sac.computeActorGradients(B), 2e-4, 1e-2, 5, 5, "actor");
    }

    @Test
    void shouldLearnAContextualBanditAndTuneItsTemperature() {
        // One-step episodes: reward -|a - target(o)|^2 with target(o) = 0.5 tanh(o); the best action is known.
        int batch = 128;
        SacConfig c = SacConfig.standard(2, 2, 7).withHidden(new int[] {64, 64}).withBatchSize(batch)
                .withLearningRates(3e-3);
        Sac sac = new Sac(c);
        SplittableRandom r = new SplittableRandom(8);
        double[][] o = new double[batch][2], a = new double[batch][2], o2 = new double[batch][2];
        double[] rew = new double[batch];
        boolean[] done = new boolean[batch];
        java.util.Arrays.fill(done, true);
        INDArray obs = F32.zeros(batch, 2);
        INDArray act = F32.zeros(batch, 2);
        Sac.UpdateStats stats = null;
        for (int step = 0; step < 1500; step++) {
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < 2; j++) {
                    o[b][j] = r.nextGaussian();
                    F32.view(obs).put(b * 2 + j, (float) o[b][j]);
                }
            }
            sac.actor().drawNoise(batch, r);
            sac.actor().sample(obs, batch, act);
            for (int b = 0; b < batch; b++) {
                double cost = 0;
                for (int j = 0; j < 2; j++) {
                    a[b][j] = F32.view(act).get(b * 2 + j);
                    double d = a[b][j] - 0.5 * Math.tanh(o[b][j]);
                    cost += d * d;
                }
                rew[b] = -cost;
            }
            stats = sac.update(o, a, rew, o2, done, batch);
        }
        sac.actor().mean(obs, batch, act);
        double err = 0;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < 2; j++) {
                double d = F32.view(act).get(b * 2 + j) - 0.5 * Math.tanh(o[b][j]);
                err += d * d / (2 * batch);
            }
        }
        assertTrue(Math.sqrt(err) < 0.1, "deterministic action RMS error " + Math.sqrt(err));
        assertTrue(stats.alpha() < 1.0, "temperature tuned down from 1: " + stats.alpha());
        assertEquals(-2.0, stats.entropy(), 1.5, "entropy near its target -|A| = -2");
    }
}

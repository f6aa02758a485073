package io.sim2real.nn.latent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.GradientCheck;
import io.sim2real.nn.HalfCheetahData;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.RolloutModel;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.contracts.PerturbationKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The latent model on real HalfCheetah transitions (MuJoCo, random actions), small networks. */
class LatentModelTest {

    static Transitions sim;
    static Transitions real;
    static DynamicsModel simModel;

    static EnsembleConfig smallEnsemble() {
        return EnsembleConfig.mbpo(3).withSize(3, 2, new int[] {32, 32}).withEpochs(5);
    }

    static LatentConfig smallLatent(int batch) {
        return LatentConfig.defaults(5).withHidden(new int[] {16}).withBatchSize(batch);
    }

    @BeforeAll
    static void data() {
        sim = HalfCheetahData.random(DomainPhysics.neutral(), 800, 1);
        real = HalfCheetahData.random(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 2.0), 800, 2);
        simModel = new DynamicsModel(17, 6, smallEnsemble());
        simModel.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
    }

    @Test
    void shouldPredictExactlyWhatItsInitialEnsemblePredictsBeforeJointTraining() {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(32));
        int n = 300;
        for (Domain d : Domain.values()) {
            assertArrayEquals(real.obs()[7], latent.encode(d, real.obs())[7], 0.0, "p_" + d + " starts as the identity");
            for (boolean deterministic : new boolean[] {true, false}) {
                double[][] expected = new double[n][];
                double[] expectedRew = new double[n];
                simModel.step(real.obs(), real.act(), n, deterministic, new SplittableRandom(9), expected, expectedRew);
                double[][] actual = new double[n][];
                double[] actualRew = new double[n];
                latent.step(d, real.obs(), real.act(), n, deterministic, new SplittableRandom(9), actual, actualRew);
                assertArrayEquals(expectedRew, actualRew, 0.0, d + (deterministic ? " mean" : " sampled") + " rewards");
                for (int i = 0; i < n; i++) {
                    assertArrayEquals(expected[i], actual[i], 0.0, d + " next observation " + i);
                }
            }
        }
        double[][] z = latent.encode(Domain.REAL, real.obs());
        assertArrayEquals(z[3], latent.mapToSim(z)[3], 0.0, "m starts as the identity");
    }

    @Test
    void shouldComputeTheGradientsOfTheJointObjective() {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(8));
        SplittableRandom rng = new SplittableRandom(4);
        // Move every network off its initial point so that no gradient is trivially zero.
        for (int s = 0; s < 30; s++) {
            latent.trainStep(sim, real, rng);
        }
        int[] rowsSim = rng.ints(8, 0, sim.size()).toArray();
        int[] rowsReal = rng.ints(8, 0, real.size()).toArray();
        latent.loadRows(Domain.SIM, sim, rowsSim);
        latent.loadRows(Domain.REAL, real, rowsReal);
        LatentModel.Losses losses = latent.computeGradients();
        assertTrue(losses.correspondence() > 0 && losses.autoencoding() > 0 && losses.decoding() > 0, losses.toString());
        GradientCheck.assertDirectionalDerivatives(latent.parameters(), latent.gradients(),
                () -> latent.computeGradients().total(), 1e-3, 0.02, 7, 4, "joint objective");
    }

    @Test
    void shouldComputeTheAnchorsGradientAgainstFiniteDifferences() {
        // Both encoders trained, so the term's whole gradient is checked: into p_real and into p_sim.
        LatentModel free = LatentModel.from(simModel, 17, 6, smallLatent(8));
        SplittableRandom rng = new SplittableRandom(4);
        // Without the anchor p_real drifts from p_sim, so the term below is far from its minimum.
        for (int s = 0; s < 30; s++) {
            free.trainStep(sim, real, rng);
        }
        LatentModel anchored = LatentModel.from(simModel, 17, 6, smallLatent(8).withAnchor(1000));
        copy(free.parameters(), anchored.parameters());
        int[] rowsSim = rng.ints(8, 0, sim.size()).toArray();
        int[] rowsReal = rng.ints(8, 0, real.size()).toArray();
        for (LatentModel m : List.of(free, anchored)) {
            m.loadRows(Domain.SIM, sim, rowsSim);
            m.loadRows(Domain.REAL, real, rowsReal);
        }
        LatentModel.Losses without = free.computeGradients();
        LatentModel.Losses with = anchored.computeGradients();
        assertEquals(0.0, without.anchor(), 0.0, "no anchor at weight 0");
        assertTrue(with.anchor() > 1e-3, "p_real has moved off p_sim: " + with);
        assertEquals(without.total() + with.anchor(), with.total(), 1e-4 * Math.abs(with.total()), "the other terms are unchanged");
        // The anchor's own gradient: the anchored model's less the free one's at the same parameters and rows (a large
        // weight, so that its directional derivatives are well above the check's absolute floor of 0.01).
        List<INDArray> anchorGradient = new ArrayList<>();
        for (int p = 0; p < free.gradients().size(); p++) {
            anchorGradient.add(anchored.gradients().get(p).sub(free.gradients().get(p)));
        }
        GradientCheck.assertDirectionalDerivatives(anchored.parameters(), anchorGradient,
                () -> anchored.computeGradients().anchor(), 1e-3, 0.01, 11, 4, "anchor term");
    }

    @Test
    void shouldKeepTheRealLatentsNearTheSimOnesWithTheAnchor() {
        // The training methods' configuration: the sim side kept the identity, so p_sim(o) = o.
        LatentConfig kept = smallLatent(64).withSimAutoencoderTrained(false);
        LatentModel free = LatentModel.from(simModel, 17, 6, kept);
        LatentModel anchored = LatentModel.from(simModel, 17, 6, kept.withAnchor(10));
        GapAnalysis.trainJointly(free, sim, real, 150, new SplittableRandom(2), 1e3);
        GapAnalysis.trainJointly(anchored, sim, real, 150, new SplittableRandom(2), 1e3);
        double[][] o = java.util.Arrays.copyOf(real.obs(), 400);
        assertArrayEquals(o[3], anchored.encode(Domain.SIM, o)[3], 0.0, "the sim side stays the identity");
        double drift = distance(free.encode(Domain.REAL, o), o);
        double anchoredDrift = distance(anchored.encode(Domain.REAL, o), o);
        assertTrue(drift > 0 && anchoredDrift < 0.5 * drift, "mean |p_real(o) - o|: " + drift + " free, " + anchoredDrift
                + " anchored");
    }

    private static double distance(double[][] a, double[][] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int j = 0; j < a[i].length; j++) {
                s += (a[i][j] - b[i][j]) * (a[i][j] - b[i][j]);
            }
            sum += Math.sqrt(s);
        }
        return sum / a.length;
    }

    private static void copy(List<INDArray> from, List<INDArray> to) {
        for (int p = 0; p < from.size(); p++) {
            to.get(p).assign(from.get(p));
        }
    }

    @Test
    void shouldLowerTheJointLossAndMoveTheMappingAwayFromTheIdentityWhenDomainsDiffer() {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(64));
        LatentModel.Losses[] losses = GapAnalysis.trainJointly(latent, sim, real, 150, new SplittableRandom(2), 1e3);
        assertTrue(losses[1].total() < losses[0].total(), "loss " + losses[0].total() + " -> " + losses[1].total());
        double[][] z = latent.encode(Domain.REAL, real.obs());
        assertNotEquals(z[0][8], latent.mapToSim(z)[0][8], 0.0);
    }

    @Test
    void shouldRollOutInLatentSpaceAndShowThePolicyDecodedObservations() {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(32));
        GapAnalysis.trainJointly(latent, sim, real, 20, new SplittableRandom(2), 1e3);
        RolloutModel rollouts = latent.rolloutModel(Domain.REAL);
        double[][] starts = java.util.Arrays.copyOf(real.obs(), 50);
        double[][] z = rollouts.enter(starts);
        assertArrayEquals(latent.encode(Domain.REAL, starts)[4], z[4], 0.0);
        double[][] next = new double[50][];
        double[] rew = new double[50];
        rollouts.step(z, java.util.Arrays.copyOf(real.act(), 50), 50, new SplittableRandom(1), next, rew);
        double[][] shown = rollouts.observe(next);
        assertArrayEquals(latent.decode(Domain.REAL, next)[4], shown[4], 0.0);
        assertEquals(17, shown[4].length);
    }

    @Test
    void shouldRollOutWithAnElitesMeanWhenAskedAndWithItsSampleOtherwise() {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(32));
        GapAnalysis.trainJointly(latent, sim, real, 20, new SplittableRandom(2), 1e3);
        int n = 50;
        double[][] starts = java.util.Arrays.copyOf(sim.obs(), n);
        double[][] act = java.util.Arrays.copyOf(sim.act(), n);
        double[][] mean = new double[n][];
        latent.dynamics().step(latent.encode(Domain.SIM, starts), act, n, true, new SplittableRandom(9), mean, new double[n]);

        RolloutModel meanRollouts = latent.rolloutModel(Domain.SIM, false);
        double[][] next = new double[n][];
        meanRollouts.step(meanRollouts.enter(starts), act, n, new SplittableRandom(9), next, new double[n]);
        assertArrayEquals(mean[7], next[7], 0.0);

        RolloutModel sampled = latent.rolloutModel(Domain.SIM);
        double[][] noisy = new double[n][];
        sampled.step(sampled.enter(starts), act, n, new SplittableRandom(9), noisy, new double[n]);
        assertNotEquals(mean[7][3], noisy[7][3], 0.0);
    }

    @Test
    void shouldKeepTheSimEncoderAndDecoderTheIdentityWhenTheyAreNotTrained() {
        LatentModel kept = LatentModel.from(simModel, 17, 6, smallLatent(32).withSimAutoencoderTrained(false));
        LatentModel trained = LatentModel.from(simModel, 17, 6, smallLatent(32));
        GapAnalysis.trainJointly(kept, sim, real, 30, new SplittableRandom(2), 1e3);
        GapAnalysis.trainJointly(trained, sim, real, 30, new SplittableRandom(2), 1e3);
        double[][] o = java.util.Arrays.copyOf(sim.obs(), 5);
        assertArrayEquals(o[3], kept.encode(Domain.SIM, o)[3], 0.0);
        assertArrayEquals(o[3], kept.decode(Domain.SIM, o)[3], 0.0);
        assertNotEquals(o[3][5], trained.encode(Domain.SIM, o)[3][5], 0.0);
        // The real side still learns, and so does m.
        double[][] z = kept.encode(Domain.REAL, o);
        assertNotEquals(o[3][5], z[3][5], 0.0);
        assertNotEquals(z[3][5], kept.mapToSim(z)[3][5], 0.0);
    }

    @Test
    void shouldSaveAndRestoreEveryNetwork(@TempDir Path dir) throws Exception {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(32));
        GapAnalysis.trainJointly(latent, sim, real, 20, new SplittableRandom(2), 1e3);
        Path file = dir.resolve("latent.ckpt");
        latent.save(file, 4);
        assertTrue(Files.size(file) > 0);
        LatentModel restored = LatentModel.random(sim, real, 17, 6, smallEnsemble(), smallLatent(32));
        assertEquals(4, restored.load(file));
        double[][] z = latent.mapToSim(latent.encode(Domain.REAL, real.obs()));
        double[][] zr = restored.mapToSim(restored.encode(Domain.REAL, real.obs()));
        assertArrayEquals(z[11], zr[11], 0.0);
        double[][] a = new double[10][];
        double[][] b = new double[10][];
        latent.step(Domain.SIM, sim.obs(), sim.act(), 10, true, new SplittableRandom(1), a, new double[10]);
        restored.step(Domain.SIM, sim.obs(), sim.act(), 10, true, new SplittableRandom(1), b, new double[10]);
        assertArrayEquals(a[9], b[9], 0.0);
    }

    @Test
    void shouldStopWithAClearErrorOnNonFiniteData() {
        LatentModel latent = LatentModel.from(simModel, 17, 6, smallLatent(32));
        Transitions poisoned = real.head(64);
        double[][] obs = poisoned.obs().clone();
        for (int i = 0; i < obs.length; i++) {
            obs[i] = obs[i].clone();
            obs[i][3] = Double.NaN;
        }
        Transitions bad = new Transitions(obs, poisoned.act(), poisoned.rew(), poisoned.nextObs());
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> latent.trainStep(sim, bad, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("not finite") || e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void shouldFitGaussiansAndMeasureTheirKlDivergence() {
        SplittableRandom r = new SplittableRandom(3);
        double[][] a = new double[20000][2];
        double[][] b = new double[20000][2];
        for (int i = 0; i < a.length; i++) {
            a[i][0] = r.nextGaussian();
            a[i][1] = r.nextGaussian();
            b[i][0] = 1 + 2 * r.nextGaussian();
            b[i][1] = r.nextGaussian();
        }
        // KL(N(0, I) || N((1,0), diag(4,1))) = 1/2 (1/4 + 1/4 - 1 + ln 4) = 0.4431
        assertEquals(0.4431, GaussianFit.of(a).klTo(GaussianFit.of(b)), 0.02);
        assertEquals(0.0, GaussianFit.of(a).klTo(GaussianFit.of(a)), 1e-9);
    }
}

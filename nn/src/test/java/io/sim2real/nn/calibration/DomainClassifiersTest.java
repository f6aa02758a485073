package io.sim2real.nn.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.nn.HalfCheetahData;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DARC's classifiers on real MuJoCo data, 5,000 transitions a side (4,000 to train, 1,000 held out), default
 * configuration. Paired: the sim side is the neutral simulator's step from each real transition's state and action.
 * Unpaired: the sim side is an independent neutral-physics collection (other start states and actions).
 */
class DomainClassifiersTest {

    static final int ROWS = 5000;
    static final int ENVS = 16;
    static final DomainClassifiers.Config CONFIG = DomainClassifiers.Config.defaults(3);
    /** Identical physics, paired: both sides' inputs agree to 1e-15, so the classifier cannot tell them apart. */
    static final double PAIRED_NULL_KL = 0.05;
    static final double PAIRED_NULL_AUC = 0.02;
    /**
     * Identical physics, unpaired: 64 envs a side, so that 5,000 rows come from many trajectories; what the
     * classifier still finds is which trajectories a held-out row shares with the training rows (measured KL
     * about −0.07, AUC about 0.57 with 16 envs).
     */
    static final double UNPAIRED_NULL_KL = 0.25;
    static final double UNPAIRED_NULL_AUC = 0.65;

    static CounterfactualPairs same;
    static CounterfactualPairs g15;
    static CounterfactualPairs g20;

    @BeforeAll
    static void collect() {
        same = pairs(1.0);
        g15 = pairs(1.5);
        g20 = pairs(2.0);
    }

    static CounterfactualPairs pairs(double gravity) {
        return CounterfactualPairs.collect(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, gravity), ROWS, ENVS, 1);
    }

    static DomainClassifiers.Report train(String label, TransitionRows real, TransitionRows sim) {
        CpuTime.Timed<DomainClassifiers> t = CpuTime.of(() -> DomainClassifiers.train(real, sim, CONFIG));
        DomainClassifiers.Report r = t.value().report();
        System.out.printf("%s: KL %.3f nats, AUC %.3f, (s,a) AUC %.3f, %d+%d rows, %.2f s CPU (process %.2f s, wall %.2f s)%n",
                label, r.klNats(), r.auc(), r.stateActionAuc(), real.size(), sim.size(), t.cpuSeconds(), t.processCpuSeconds(),
                t.wallSeconds());
        return r;
    }

    @Test
    void shouldFindNoGapBetweenIdenticalPhysicsAndAGrowingOneUnderGravity() {
        DomainClassifiers.Report r10 = train("paired, gravity 1.0", same.realRows(), same.simRows());
        DomainClassifiers.Report r15 = train("paired, gravity 1.5", g15.realRows(), g15.simRows());
        DomainClassifiers.Report r20 = train("paired, gravity 2.0", g20.realRows(), g20.simRows());
        assertEquals(0, r10.klNats(), PAIRED_NULL_KL, "identical physics: KL");
        assertEquals(0.5, r10.auc(), PAIRED_NULL_AUC, "identical physics: AUC");
        assertTrue(r15.auc() > 0.75 && r20.auc() > 0.9, "AUC at 1.5, 2.0: " + r15.auc() + ", " + r20.auc());
        assertTrue(r15.klNats() > 0.5 && r20.klNats() > r15.klNats() + 1,
                "KL at 1.5, 2.0: " + r15.klNats() + ", " + r20.klNats());
        // the sides share their states and actions: the (s, a) classifier has nothing to go on
        assertEquals(0.5, r20.stateActionAuc(), 0.02);
    }

    @Test
    void shouldWorkOnUnpairedSimTransitions() {
        TransitionRows sim = TransitionRows.of(HalfCheetahData.random(DomainPhysics.neutral(), ROWS, 64, 2));
        TransitionRows real10 = TransitionRows.of(HalfCheetahData.random(DomainPhysics.neutral(), ROWS, 64, 1));
        TransitionRows real20 = TransitionRows.of(HalfCheetahData.random(
                DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 2.0), ROWS, 64, 1));
        DomainClassifiers.Report r10 = train("unpaired, gravity 1.0", real10, sim);
        DomainClassifiers.Report r20 = train("unpaired, gravity 2.0", real20, sim);
        assertEquals(0, r10.klNats(), UNPAIRED_NULL_KL, "identical physics: KL");
        assertTrue(r10.auc() < UNPAIRED_NULL_AUC, "identical physics: AUC " + r10.auc());
        assertTrue(r20.auc() > 0.9 && r20.klNats() > 1, "gravity 2.0: AUC " + r20.auc() + ", KL " + r20.klNats());
    }

    @Test
    void shouldCorrectForDifferentSideSizes() {
        // 5,000 real against 1,250 sim rows: uncorrected, every logit would lean log 4 ≈ 1.39 towards real
        TransitionRows sim = TransitionRows.of(HalfCheetahData.random(DomainPhysics.neutral(), ROWS / 4, 64, 2));
        TransitionRows real = TransitionRows.of(HalfCheetahData.random(DomainPhysics.neutral(), ROWS, 64, 1));
        DomainClassifiers c = DomainClassifiers.train(real, sim, CONFIG);
        System.out.printf("unpaired, gravity 1.0, 5000 real against 1250 sim: KL %.3f, AUC %.3f%n", c.report().klNats(), c.report().auc());
        assertEquals(0, c.report().klNats(), UNPAIRED_NULL_KL);
        assertEquals(4000, c.report().trainReal());
        assertEquals(1000, c.report().trainSim());
    }

    @Test
    void shouldGiveAPerTransitionLogRatioWhoseRealMeanIsTheKlEstimate() {
        DomainClassifiers c = DomainClassifiers.train(g20.realRows(), g20.simRows(), CONFIG);
        double[] real = c.logRatio(g20.realRows());
        double[] sim = c.logRatio(g20.simRows());
        assertEquals(ROWS, real.length);
        double realMean = Arrays.stream(real).average().orElseThrow();
        double simMean = Arrays.stream(sim).average().orElseThrow();
        // over all rows (training and held out) the real side's mean log-ratio is positive and the sim side's negative
        assertTrue(realMean > 1 && simMean < -1, "mean log-ratio real " + realMean + ", sim " + simMean);
        assertEquals(c.report().klNats(), realMean, 0.5 * realMean, "held-out KL against the all-rows mean");
    }

    @Test
    void shouldBeReproducibleForASeed() {
        TransitionRows real = g15.slice(0, 1000).realRows();
        TransitionRows sim = g15.slice(0, 1000).simRows();
        DomainClassifiers.Config small = CONFIG.withEpochs(3);
        DomainClassifiers.Report a = DomainClassifiers.train(real, sim, small).report();
        DomainClassifiers.Report b = DomainClassifiers.train(real, sim, small).report();
        assertEquals(a.klNats(), b.klNats(), 0.0);
        assertEquals(a.auc(), b.auc(), 0.0);
    }
}

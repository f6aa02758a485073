package io.sim2real.nn.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.messages.GapMeasurement.Pairing;
import io.sim2real.nn.HalfCheetahData;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The gap probe in its default configuration on real MuJoCo HalfCheetah data: random-action transitions under
 * gravity 1.0, 1.5 and 2.0, each paired with the standard simulator's prediction from the same state and action.
 */
class GapProbeTest {

    static final int ROWS = 4000;
    static final int ENVS = 16;
    static final long SEED = 1;

    /** Random-action transitions under the given gravity factor. */
    static Transitions real(double gravity, int rows, long seed) {
        return HalfCheetahData.random(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, gravity), rows, ENVS, seed);
    }

    /** The standard simulator's transitions from the same states and actions: (o, a, r_sim, f_sim(o, a)). */
    static Transitions counterfactual(Transitions real) {
        int n = real.size();
        int chunk = 250;
        double[][] next = new double[n][];
        double[] rew = new double[n];
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), chunk, 1, 0)) {
            for (int from = 0; from < n; from += chunk) {
                int m = Math.min(chunk, n - from);
                double[][] obs = new double[chunk][];
                double[][] act = new double[chunk][];
                for (int i = 0; i < chunk; i++) {
                    obs[i] = real.obs()[from + Math.min(i, m - 1)];
                    act[i] = real.act()[from + Math.min(i, m - 1)];
                }
                env.setStates(obs);
                StepResult s = env.step(act);
                for (int i = 0; i < m; i++) {
                    next[from + i] = s.nextObs()[i];
                    rew[from + i] = s.rew()[i];
                }
            }
        }
        return new Transitions(real.obs(), real.act(), rew, next);
    }

    static String describe(double gravity, GapProbe.Result r) {
        return String.format(Locale.ROOT, "gravity %.2f %s: G %.4f +- %.4f (seeds %s), floor %.4f +- %.4f (seeds %s), %d rows, "
                        + "%.1f s CPU, %.1f s wall", gravity, r.pairing().wireName(), r.g(), r.spread(), Arrays.toString(r.perSeed()),
                r.floor(), r.floorSpread(), Arrays.toString(r.floorPerSeed()), r.rows(), r.cpuSeconds(), r.wallSeconds());
    }

    @Test
    void shouldOrderGravityFactorsOnCounterfactualPairsAgainstTheirNoiseFloor() {
        GapProbe probe = new GapProbe(GapProbe.Config.defaults());
        double[] factors = {1.0, 1.5, 2.0};
        GapProbe.Result[] results = new GapProbe.Result[factors.length];
        for (int i = 0; i < factors.length; i++) {
            Transitions real = real(factors[i], ROWS, SEED);
            results[i] = probe.measure(counterfactual(real), real, Pairing.COUNTERFACTUAL);
            System.out.println(describe(factors[i], results[i]));
            assertEquals(ROWS, results[i].rows());
            assertEquals(Pairing.COUNTERFACTUAL, results[i].pairing());
        }
        assertTrue(results[0].g() < results[1].g() && results[1].g() < results[2].g(),
                "G over gravity 1.0, 1.5, 2.0: " + results[0].g() + ", " + results[1].g() + ", " + results[2].g());
        assertTrue(!results[0].exceedsFloor(3), "identical dynamics lie within the floor + 3 sigma: " + describe(1.0, results[0]));
        assertTrue(results[1].exceedsFloor(3), "gravity 1.5x lies above the floor + 3 sigma: " + describe(1.5, results[1]));
        assertTrue(results[2].exceedsFloor(3), "gravity 2x lies above the floor + 3 sigma: " + describe(2.0, results[2]));
    }

    @Test
    void shouldFindAGapAboveTheFloorInUnpairedData() {
        // The run's own sim data from other states (another seed): only the floor and G of the same probe compare.
        GapProbe probe = new GapProbe(GapProbe.Config.defaults().withSeeds(2).withMaxRows(3000));
        Transitions sim = real(1.0, 3000, SEED + 1);
        GapProbe.Result r = probe.measure(sim, real(2.0, 3000, SEED), Pairing.UNPAIRED);
        System.out.println(describe(2.0, r));
        assertEquals(Pairing.UNPAIRED, r.pairing());
        assertEquals(2, r.perSeed().length);
        assertTrue(r.exceedsFloor(3), "gravity 2x, unpaired: " + describe(2.0, r));
    }

    @Test
    void shouldUseOnlyTheNewestRowsAndRefuseCounterfactualSidesOfDifferentLengths() {
        Transitions real = real(1.0, 40, SEED);
        Transitions window = GapProbe.newest(real, 10);
        assertEquals(10, window.size());
        assertTrue(window.obs()[0] == real.obs()[30] && window.obs()[9] == real.obs()[39], "the last 10 rows");
        GapProbe probe = new GapProbe(GapProbe.Config.defaults());
        assertThrows(IllegalArgumentException.class, () -> probe.measure(real.head(30), real, Pairing.COUNTERFACTUAL));
        assertThrows(IllegalArgumentException.class, () -> new GapProbe.Config(3, 2, new int[] {8}, 1, new int[] {8}, 8, 1, 0,
                100, 0, GapProbe.HALF_CHEETAH_SCALE), "no seeds");
    }
}

package io.sim2real.nn.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import org.junit.jupiter.api.Test;

/**
 * The counterfactual one-step discrepancy on real MuJoCo pairs: 5,000 random-action transitions of 16 envs under
 * each physics, each with the neutral simulator's step from the same state and action.
 */
class CounterfactualDiscrepancyTest {

    static final int ROWS = 5000;
    static final int ENVS = 16;
    /**
     * Identical physics: MuJoCo put in the state an observation describes reproduces the real step to double
     * precision (measured mean about 6e-30, max about 4e-27 over 5,000 pairs: the Newton solver converges, so the lost
     * warm start does not show). The tolerance is the level of float32 rounding of observations (about 1e-12), far
     * below any physics change (gravity 1.05 gives about 1e-4).
     */
    static final double IDENTICAL_MEAN_TOLERANCE = 1e-12;
    static final double IDENTICAL_MAX_TOLERANCE = 1e-10;

    static CounterfactualPairs pairs(double gravity) {
        return CounterfactualPairs.collect(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, gravity), ROWS, ENVS, 1);
    }

    @Test
    void shouldBeNearZeroForIdenticalPhysicsAndRiseWithGravity() {
        double[] factors = {1.0, 1.05, 1.5, 2.0};
        double[] means = new double[factors.length];
        for (int f = 0; f < factors.length; f++) {
            CounterfactualPairs p = pairs(factors[f]);
            CpuTime.Timed<CounterfactualDiscrepancy.Result> d = CpuTime.of(p::discrepancy);
            means[f] = d.value().mean();
            System.out.printf("gravity %.2f: discrepancy mean %.3e, max %.3e over %d pairs (%.1f ms CPU)%n", factors[f],
                    d.value().mean(), d.value().max(), d.value().size(), d.cpuSeconds() * 1e3);
            if (factors[f] == 1.0) {
                assertTrue(d.value().mean() < IDENTICAL_MEAN_TOLERANCE, "identical physics: mean " + d.value().mean());
                assertTrue(d.value().max() < IDENTICAL_MAX_TOLERANCE, "identical physics: max " + d.value().max());
            }
        }
        for (int f = 1; f < factors.length; f++) {
            assertTrue(means[f] > 2 * means[f - 1], "discrepancy over gravity 1.0, 1.05, 1.5, 2.0: "
                    + java.util.Arrays.toString(means));
        }
        assertTrue(means[2] > 1e-3, "gravity 1.5: " + means[2]);
    }

    @Test
    void shouldAverageSquaredErrorsInUnitsOfTheChangeVariance() {
        CounterfactualDiscrepancy d = CounterfactualDiscrepancy.withVariance(new double[] {1, 4});
        assertEquals((1.0 + 4.0 / 4) / 2, d.of(new double[] {1, 2}, new double[] {0, 0}), 1e-15);
        CounterfactualDiscrepancy.Result r = d.measure(new double[][] {{1, 2}, {0, 0}}, new double[][] {{0, 0}, {0, 0}});
        assertArrayEquals(new double[] {1, 0}, r.perRow(), 1e-15);
        assertEquals(0.5, r.mean(), 1e-15);
        assertEquals(1, r.max(), 1e-15);
    }

    @Test
    void shouldTakeTheVarianceFromTheReferenceChanges() {
        double[][] obs = {{0, 10}, {0, 10}, {0, 10}};
        double[][] next = {{1, 10}, {2, 10}, {3, 10}}; // changes 1, 2, 3 (variance 1) and 0, 0, 0 (floored)
        CounterfactualDiscrepancy d = CounterfactualDiscrepancy.fromChanges(obs, next);
        assertArrayEquals(new double[] {1, CounterfactualDiscrepancy.MIN_VARIANCE}, d.changeVariance(), 1e-15);
        // measure(obs, real, sim) takes the variance from the sim side's changes
        CounterfactualDiscrepancy.Result r = CounterfactualDiscrepancy.measure(obs, new double[][] {{3, 10}, {2, 10}, {3, 10}}, next);
        assertArrayEquals(new double[] {2, 0, 0}, r.perRow(), 1e-12);
    }

    @Test
    void shouldRefuseMismatchedOrInvalidInput() {
        CounterfactualDiscrepancy d = CounterfactualDiscrepancy.withVariance(new double[] {1, 1});
        assertThrows(IllegalArgumentException.class, () -> d.of(new double[] {1}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> d.measure(new double[][] {{1, 2}}, new double[0][]));
        assertThrows(IllegalArgumentException.class, () -> d.measure(new double[][] {{Double.NaN, 2}}, new double[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> CounterfactualDiscrepancy.withVariance(new double[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> CounterfactualDiscrepancy.fromChanges(new double[][] {{1}}, new double[][] {{2}}));
    }
}

package io.sim2real.nn.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drift detector with its default configuration on streams of real per-transition counterfactual discrepancies
 * (16 envs of random actions, in the order a 16-env collector publishes them; all in the units of the neutral
 * simulator's changes at gravity 1.0), and on synthetic values for its arithmetic.
 */
class DriftDetectorTest {

    static final int ENVS = 16;
    /** Where the physics changes in the change streams. */
    static final int CHANGE = 4096;
    /** Largest delay (transitions from the change to the alarm, inclusive) accepted; measured: one block, 16. */
    static final int MAX_DELAY = 256;
    static final int LONG_STREAM = 1_000_000;
    /** Resampled chunk length: keeps the stream's autocorrelation over a few hundred transitions. */
    static final int CHUNK = 256;

    static CounterfactualDiscrepancy units;
    static double[] g10;
    static double[] g15;
    static double[] g105;
    static double[] g20;
    static double[] mass13;

    @BeforeAll
    static void collect() {
        CounterfactualPairs same = pairs(DomainPhysics.neutral(), 8192, 11);
        units = CounterfactualDiscrepancy.fromChanges(same.obs(), same.simNext());
        g10 = units.measure(same.realNext(), same.simNext()).perRow();
        g15 = discrepancies(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.5), 16384, 12);
        g105 = discrepancies(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.05), 2048, 15);
        g20 = discrepancies(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 2.0), 2048, 13);
        mass13 = discrepancies(DomainPhysics.neutral().with(PerturbationKind.BODY_MASS, 1.3), 2048, 14);
    }

    static CounterfactualPairs pairs(DomainPhysics physics, int n, long seed) {
        return CounterfactualPairs.collect(physics, n, ENVS, seed);
    }

    static double[] discrepancies(DomainPhysics physics, int n, long seed) {
        CounterfactualPairs p = pairs(physics, n, seed);
        return units.measure(p.realNext(), p.simNext()).perRow();
    }

    static double[] concat(double[] before, int n, double[] after) {
        double[] out = Arrays.copyOf(before, n + after.length);
        System.arraycopy(after, 0, out, n, after.length);
        return out;
    }

    /** Feeds the stream; returns the detector (its first alarm, if any, latched). */
    static DriftDetector run(double[] stream) {
        DriftDetector d = new DriftDetector(DriftDetector.Config.forDiscrepancies());
        for (double x : stream) {
            d.observe(x);
        }
        return d;
    }

    static long delayAfterChange(String label, double[] before, int n, double[] after) {
        CpuTime.Timed<DriftDetector> t = CpuTime.of(() -> run(concat(before, n, after)));
        DriftDetector d = t.value();
        assertTrue(d.alarmed(), label + ": no alarm, " + d);
        assertTrue(d.alarmAt() >= n, label + ": alarm at " + d.alarmAt() + ", before the change at " + n);
        long delay = d.alarmAt() - n + 1;
        System.out.printf("%s: change at %d, alarm at %d (delay %d transitions), reference mu %.3f sigma %.3f, %.2f ms CPU%n",
                label, n, d.alarmAt(), delay, d.referenceMean(), d.referenceScale(), t.cpuSeconds() * 1e3);
        assertTrue(delay <= MAX_DELAY, label + ": delay " + delay);
        return delay;
    }

    @Test
    void shouldAlarmSoonAfterGravityRisesFromOneToOnePointFive() {
        delayAfterChange("gravity 1.0 -> 1.5", g10, CHANGE, g15);
    }

    @Test
    void shouldAlarmSoonAfterGravityRisesFromOneToOnePointZeroFive() {
        delayAfterChange("gravity 1.0 -> 1.05", g10, CHANGE, g105);
    }

    @Test
    void shouldAlarmSoonAfterBodyMassRisesFromOneToOnePointThree() {
        delayAfterChange("body mass 1.0 -> 1.3", g10, CHANGE, mass13);
    }

    @Test
    void shouldAlarmSoonAfterGravityRisesFromOnePointFiveToTwo() {
        // a reference with a gap: log-discrepancies spread by about 0.13 nats a block
        delayAfterChange("gravity 1.5 -> 2.0", g15, 2 * CHANGE, g20);
    }

    @Test
    void shouldStayQuietOnTheWholeStationaryRealStreams() {
        assertFalse(run(g15).alarmed(), "gravity 1.5, 16,384 transitions in order");
        assertFalse(run(g10).alarmed(), "gravity 1.0, 8,192 transitions in order");
    }

    /** Alarms (rearming after each) over a stream of chunks resampled from {@code source} after its first 2,048 values as reference. */
    static int alarmsOnResampledStream(double[] source, int length, long seed) {
        DriftDetector d = new DriftDetector(DriftDetector.Config.forDiscrepancies());
        int ref = d.config().referenceLength();
        for (int i = 0; i < ref; i++) {
            d.observe(source[i]);
        }
        SplittableRandom r = new SplittableRandom(seed);
        int alarms = 0;
        for (int produced = 0; produced < length; produced += CHUNK) {
            int start = r.nextInt(source.length - CHUNK);
            for (int i = start; i < start + Math.min(CHUNK, length - produced); i++) {
                if (d.observe(source[i])) {
                    alarms++;
                    d.rearm();
                }
            }
        }
        return alarms;
    }

    @Test
    void shouldRaiseNoFalseAlarmOverAMillionResampledTransitionsAtFixedPhysics() {
        CpuTime.Timed<Integer> a15 = CpuTime.of(() -> alarmsOnResampledStream(g15, LONG_STREAM, 7));
        int a10 = alarmsOnResampledStream(g10, LONG_STREAM, 8);
        System.out.printf("false alarms over %,d resampled transitions: %d at gravity 1.5 (%.0f ms CPU), %d at gravity 1.0%n",
                LONG_STREAM, a15.value(), a15.cpuSeconds() * 1e3, a10);
        assertEquals(0, a15.value(), "gravity 1.5");
        assertEquals(0, a10, "gravity 1.0");
        int longer = alarmsOnResampledStream(g15, 10 * LONG_STREAM, 9);
        System.out.printf("false alarms over %,d resampled transitions at gravity 1.5: %d%n", 10 * LONG_STREAM, longer);
        assertTrue(longer <= 2, "gravity 1.5 over 10^7: " + longer);
    }

    // ---- the arithmetic, on synthetic values ----

    /** No transform, single values, reference {−1, 1, −1, 1}: μ = 0, MAD = 1, σ = 1.4826. */
    static DriftDetector calibratedOnPlusMinusOne(double k, double h) {
        DriftDetector d = new DriftDetector(new DriftDetector.Config(4, 1, DriftDetector.Transform.NONE, 0, k, h, 1e-9));
        for (double x : new double[] {-1, 1, -1, 1}) {
            assertFalse(d.observe(x));
            assertTrue(Double.isNaN(d.stats().mean()) == !d.calibrated());
        }
        return d;
    }

    @Test
    void shouldAccumulateStandardisedExcessesAndLatchTheFirstAlarm() {
        DriftDetector d = calibratedOnPlusMinusOne(0.5, 5);
        assertTrue(d.calibrated());
        assertEquals(0, d.referenceMean(), 1e-15);
        assertEquals(1.4826, d.referenceScale(), 1e-12);
        double threeSigma = 3 * 1.4826;
        assertFalse(d.observe(threeSigma)); // S = 2.5
        assertEquals(2.5, d.statistic(), 1e-12);
        assertFalse(d.observe(threeSigma)); // S = 5.0, not above h
        assertTrue(d.observe(threeSigma)); // S = 7.5
        assertEquals(6, d.alarmAt());
        assertFalse(d.observe(-100)); // S back to 0: not alarmed now, but the first alarm stays latched
        assertEquals(0, d.statistic(), 0.0);
        assertTrue(d.alarmed());
        assertEquals(6, d.alarmAt());
        assertEquals(8, d.stats().observed());
    }

    @Test
    void shouldIgnoreShiftsSmallerThanTheAllowance() {
        DriftDetector d = calibratedOnPlusMinusOne(0.5, 5);
        for (int i = 0; i < 100_000; i++) {
            d.observe(0.49 * 1.4826);
        }
        assertFalse(d.alarmed());
        assertEquals(0, d.statistic(), 0.0);
    }

    @Test
    void shouldRearmKeepingTheReferenceAndResetForgettingIt() {
        DriftDetector d = calibratedOnPlusMinusOne(0, 1);
        assertTrue(d.observe(10));
        d.rearm();
        assertFalse(d.alarmed());
        assertEquals(-1, d.alarmAt());
        assertEquals(0, d.referenceMean(), 1e-15);
        assertTrue(d.observe(10));
        assertEquals(5, d.alarmAt());
        d.reset();
        assertFalse(d.calibrated());
        assertEquals(0, d.observed());
        assertTrue(Double.isNaN(d.referenceMean()));
        for (double x : new double[] {9, 11, 9, 11}) {
            assertFalse(d.observe(x)); // a new reference around 10
        }
        assertEquals(10, d.referenceMean(), 1e-12);
        assertFalse(d.observe(10));
    }

    @Test
    void shouldUpdateOnlyAtTheEndOfABlock() {
        DriftDetector d = new DriftDetector(new DriftDetector.Config(8, 4, DriftDetector.Transform.NONE, 0, 0, 1, 1));
        for (int i = 0; i < 8; i++) {
            d.observe(0);
        }
        assertEquals(1, d.referenceScale(), 0.0); // no spread: minScale
        for (int i = 0; i < 3; i++) {
            assertFalse(d.observe(100));
            assertEquals(0, d.statistic(), 0.0);
        }
        assertTrue(d.observe(100));
        assertEquals(11, d.alarmAt());
        assertEquals(100, d.statistic(), 1e-12);
    }

    @Test
    void shouldAlarmOnAnyGapAfterAReferenceWithoutOne() {
        // identical physics gives ~1e-30: the floor (1e-8) dominates; a discrepancy of 1e-6 is a clear change
        DriftDetector d = new DriftDetector(DriftDetector.Config.forDiscrepancies());
        for (int i = 0; i < 10_000; i++) {
            assertFalse(d.observe(i % 3 == 0 ? 0 : 1e-30));
        }
        assertEquals(0.05, d.referenceScale(), 1e-12);
        int i = 0;
        while (!d.observe(1e-6)) {
            i++;
        }
        assertTrue(i < 16, "alarm after " + (i + 1) + " values");
    }

    @Test
    void shouldWatchASeriesOfGapValues() {
        DriftDetector d = new DriftDetector(DriftDetector.Config.forSeries(20, 1e-3));
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            d.observe(0.2 + 0.01 * r.nextGaussian());
        }
        long quiet = d.alarmAt();
        assertEquals(-1, quiet, "in-control alarm");
        d.rearm();
        int steps = 0;
        while (!d.observe(0.25 + 0.01 * r.nextGaussian())) {
            steps++;
        }
        System.out.printf("G series: alarm %s in 10,000 in-control steps, a 5-sigma shift caught after %d steps%n",
                quiet < 0 ? "none" : "at " + quiet, steps + 1);
        assertTrue(steps < 5, "a 5 sigma shift took " + (steps + 1) + " steps");
    }

    @Test
    void shouldRefuseInvalidValuesAndConfigurations() {
        DriftDetector log = new DriftDetector(DriftDetector.Config.forDiscrepancies());
        assertThrows(IllegalArgumentException.class, () -> log.observe(-1e-3));
        assertThrows(IllegalArgumentException.class, () -> log.observe(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> log.observe(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new DriftDetector.Config(10, 4, DriftDetector.Transform.NONE, 0, 1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new DriftDetector.Config(4, 4, DriftDetector.Transform.NONE, 0, 1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new DriftDetector.Config(8, 4, DriftDetector.Transform.LOG, 0, 1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new DriftDetector.Config(8, 4, DriftDetector.Transform.NONE, 0, 1, 0, 1));
    }
}

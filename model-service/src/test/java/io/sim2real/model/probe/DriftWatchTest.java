package io.sim2real.model.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.nn.calibration.DriftDetector;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The service's drift watch on real MuJoCo counterfactual pairs, fed in batches as env-service publishes them. */
class DriftWatchTest {

    private static final int ENVS = 16;
    private static final int BATCH = 256;

    private static DriftWatch watch() {
        return new DriftWatch(DriftDetector.Config.forDiscrepancies(), DriftDetector.Config.forSeries(3, 0.05), 512);
    }

    /** Feeds rows [from, to) in batches of BATCH with source offsets from / BATCH; returns the first alarm raised. */
    private static Optional<DriftWatch.Alarm> feed(DriftWatch w, MujocoPairs p, int from, int to) {
        Optional<DriftWatch.Alarm> first = Optional.empty();
        for (int b = from; b < to; b += BATCH) {
            MujocoPairs s = p.slice(b, Math.min(b + BATCH, to));
            Optional<DriftWatch.Alarm> a = w.onPairs(0, b / BATCH, s.obs(), s.realNext(), s.simNext());
            if (first.isEmpty()) {
                first = a;
            }
        }
        return first;
    }

    private static long delay(DomainPhysics after, long seed) {
        int change = 4096;
        MujocoPairs p = MujocoPairs.collect(DomainPhysics.neutral(), after, change, change + 1024, ENVS, seed);
        DriftWatch w = watch();
        assertTrue(feed(w, p, 0, change).isEmpty(), "no alarm on identical physics");
        assertFalse(w.view().alarmed());
        DriftWatch.Alarm a = feed(w, p, change, p.size()).orElseThrow(() -> new AssertionError("no alarm after " + after));
        assertEquals(DriftWatch.Source.DISCREPANCY, a.source());
        assertTrue(a.at() > change, "fired after the change: " + a);
        System.out.printf("drift alarm after %s: %d real transitions after the change (S = %.1f)%n", after,
                a.at() - change, a.statistic());
        return a.at() - change;
    }

    @Test
    void shouldAlarmWithinOneBlockOfAGravityOrBodyMassChangeAndNotBefore() {
        assertTrue(delay(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.5), 1) <= 32);
        assertTrue(delay(DomainPhysics.neutral().with(PerturbationKind.BODY_MASS, 1.3), 2) <= 32);
    }

    /** One hour of a 20 Hz robot; an alarm is acknowledged (reset: a new reference) and counted. */
    private static int falseAlarms(DomainPhysics physics, long seed) {
        int n = 72_000;
        MujocoPairs p = MujocoPairs.collect(physics, n, ENVS, seed);
        DriftWatch w = watch();
        int alarms = 0;
        for (int b = 0; b < n; b += BATCH) {
            MujocoPairs s = p.slice(b, Math.min(b + BATCH, n));
            if (w.onPairs(0, b / BATCH, s.obs(), s.realNext(), s.simNext()).isPresent()) {
                alarms++;
                w.reset();
            }
        }
        assertEquals(n, w.pairsSeen());
        System.out.printf("%s: %d false alarms in %d stationary pairs (S at the end %.2f, %s)%n", physics, alarms, n,
                w.statistic(DriftWatch.Source.DISCREPANCY), w.view());
        return alarms;
    }

    @Test
    void shouldRaiseNoAlarmOverAnHourOfStationaryPairs() {
        assertEquals(0, falseAlarms(DomainPhysics.neutral(), 3), "identical physics");
        assertEquals(0, falseAlarms(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.5), 4), "a constant gap");
    }

    @Test
    void shouldGoOnAfterARestoreWithTheSameReferenceAlarmAndPairsSeen() {
        // A constant gap (gravity 1.5): a reference with spread, and S that moves.
        MujocoPairs p = MujocoPairs.collect(DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.5), 6144, ENVS, 5);
        DriftWatch w = watch();
        feed(w, p, 0, 4096);
        w.onG(1.0, "counterfactual", 4096);
        w.onG(1.1, "counterfactual", 4096);
        DriftWatch r = DriftWatch.restore(w.save(), DriftDetector.Config.forDiscrepancies(),
                DriftDetector.Config.forSeries(3, 0.05), 512);
        assertEquals(w.view(), r.view(), "the same reference, statistic, alarm and counts");
        assertEquals(w.save(), r.save(), "saved again: the same state");
        assertTrue(r.view().calibrated() && r.view().scale() > 0.05, r.view().toString());

        // The log replayed after a restart: nothing fed twice.
        feed(r, p, 0, 4096);
        assertEquals(4096, r.pairsSeen());
        // New pairs: the restored watch sees what the original sees (S up to the lost partial block, none here).
        feed(w, p, 4096, 6144);
        feed(r, p, 4096, 6144);
        assertEquals(6144, r.pairsSeen());
        assertEquals(w.statistic(DriftWatch.Source.DISCREPANCY), r.statistic(DriftWatch.Source.DISCREPANCY), 1e-9);

        // A latched alarm survives, with where it fired and whether it was published.
        MujocoPairs jump = MujocoPairs.collect(DomainPhysics.neutral(), DomainPhysics.neutral().with(PerturbationKind.GRAVITY, 1.5),
                2560, 3072, ENVS, 6);
        DriftWatch a = watch();
        DriftWatch.Alarm alarm = feed(a, jump, 0, 3072).orElseThrow();
        a.markPublished(alarm);
        DriftWatch b = DriftWatch.restore(a.save(), DriftDetector.Config.forDiscrepancies(),
                DriftDetector.Config.forSeries(3, 0.05), 512);
        assertEquals(Optional.of(alarm), b.alarm());
        assertTrue(b.alarmPublished());
        assertTrue(feed(b, jump, 0, 3072).isEmpty(), "replayed pairs raise nothing");
        assertEquals(3072, b.pairsSeen(), "and are not counted twice");
        b.reset();
        assertFalse(b.view().alarmed(), "acknowledged");
        assertFalse(b.view().calibrated(), "a new reference is taken");
        assertTrue(b.units().isPresent(), "in the run's units");
    }

    @Test
    void shouldAlarmOnAJumpInTheGSeriesAndStartOverWhenThePairingChanges() {
        DriftWatch w = watch();
        double[] g = {0.50, 0.52, 0.49, 0.51, 0.50, 0.52};
        for (int i = 0; i < g.length; i++) {
            assertTrue(w.onG(g[i], "unpaired", 1000L * i).isEmpty());
        }
        // Pairs arrive: the counterfactual G is on another level, a new reference, no alarm.
        for (int i = 0; i < 4; i++) {
            assertTrue(w.onG(2.0 + 0.01 * i, "counterfactual", 7000 + 1000L * i).isEmpty());
        }
        DriftWatch.Alarm a = w.onG(3.0, "counterfactual", 12_000).orElseThrow();
        assertEquals(new DriftWatch.Alarm(DriftWatch.Source.G, 12_000, a.statistic()), a);
        assertTrue(a.statistic() > 6);
    }
}

package io.sim2real.training.acting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.RunSpec.DomainSpec.PhysicsChange;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.physics.halfcheetah.CounterfactualSimulator;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PhysicsScheduleTest {

    private static final PhysicsSchedule GRAVITY_AT_500 = new PhysicsSchedule(Map.of(),
            List.of(new PhysicsChange(500, Map.of("gravity", 1.5))), 0, null);

    @Test
    void shouldCountTheScheduleFromTheCollectionsRealStepOffset() {
        assertEquals(1.0, GRAVITY_AT_500.physicsAt(499).changed().getOrDefault("gravity", 1.0));
        assertEquals(1.5, GRAVITY_AT_500.physicsAt(500).changed().get("gravity"));
        assertEquals(500, GRAVITY_AT_500.nextChange(0));
        assertEquals(Long.MAX_VALUE, GRAVITY_AT_500.nextChange(500));
        PhysicsSchedule later = GRAVITY_AT_500.withRealStepOffset(300);
        assertEquals(200, later.nextChange(0));
        assertEquals(1.5, later.physicsAt(200).changed().get("gravity"));
    }

    /** One collection of {@code steps} (resumed after {@code before} published ones), physics following the schedule. */
    private static List<TransitionBatch> collect(PhysicsSchedule schedule, long steps, long before, int envs) {
        List<TransitionBatch> out = new ArrayList<>();
        try (HalfCheetahEnv env = new HalfCheetahEnv(schedule.physicsAt(before), envs, 1, 11)) {
            TransitionCollector c = new TransitionCollector(env, new RandomPolicy(EnvSpec.HALF_CHEETAH, 11), "r",
                    Domain.REAL, "e", 64, steps, out::add);
            if (before > 0) {
                c.continueAfter(before, 1_000_000);
            }
            c.follow(schedule, (p, at) -> new HalfCheetahEnv(p, envs, 1, 100 + at));
            while (!c.done()) {
                c.collect(250);
            }
            c.closeOwnEnvs();
            assertEquals(steps, c.published() + c.unstableDropped());
        }
        return out;
    }

    private static double[][] rows(List<TransitionBatch> batches, java.util.function.Function<TransitionBatch, double[][]> f) {
        return batches.stream().flatMap(b -> java.util.Arrays.stream(f.apply(b))).toArray(double[][]::new);
    }

    @Test
    void shouldChangeThePhysicsExactlyAtTheScheduledStepAndKeepTheBudget() {
        List<TransitionBatch> batches = collect(GRAVITY_AT_500, 1000, 0, 3);
        assertEquals(1000, batches.stream().mapToInt(TransitionBatch::size).sum());
        Set<String> seen = new HashSet<>();
        for (TransitionBatch b : batches) {
            for (int i = 0; i < b.size(); i++) {
                assertTrue(seen.add(b.episodeIds()[i] + "/" + b.stepIndices()[i]), "one (episode, step) once");
            }
        }
        double[][] obs = rows(batches, TransitionBatch::obs);
        try (CounterfactualSimulator sim = new CounterfactualSimulator(32)) {
            CounterfactualSimulator.Pairs p = sim.pair(obs, rows(batches, TransitionBatch::act), rows(batches, TransitionBatch::nextObs));
            assertEquals(0, p.skipped());
            double[] d = CounterfactualDiscrepancy.measure(p.obs(), p.realNextObs(), p.simNextObs()).perRow();
            double before = java.util.Arrays.stream(d, 0, 500).max().orElseThrow();
            double after = java.util.Arrays.stream(d, 500, 1000).average().orElseThrow();
            double afterMin = java.util.Arrays.stream(d, 500, 1000).min().orElseThrow();
            System.out.printf("schedule: max d before the change %.3e, mean after %.3e, min after %.3e%n", before, after, afterMin);
            assertTrue(before < 1e-9, "identical physics before the change: " + before);
            assertTrue(afterMin > 1e-9, "every transition from the change on has gravity 1.5: " + afterMin);
        }
    }

    @Test
    void shouldResumeOnTheSameSchedule() {
        // Resumed after 300 published: 200 more at gravity 1.0, then 500 at 1.5.
        List<TransitionBatch> batches = collect(GRAVITY_AT_500, 1000, 300, 2);
        assertEquals(700, batches.stream().mapToInt(TransitionBatch::size).sum());
        try (CounterfactualSimulator sim = new CounterfactualSimulator(32)) {
            CounterfactualSimulator.Pairs p = sim.pair(rows(batches, TransitionBatch::obs), rows(batches, TransitionBatch::act),
                    rows(batches, TransitionBatch::nextObs));
            double[] d = CounterfactualDiscrepancy.measure(p.obs(), p.realNextObs(), p.simNextObs()).perRow();
            assertTrue(java.util.Arrays.stream(d, 0, 200).max().orElseThrow() < 1e-9);
            assertTrue(java.util.Arrays.stream(d, 200, 700).min().orElseThrow() > 1e-9);
        }
    }
}

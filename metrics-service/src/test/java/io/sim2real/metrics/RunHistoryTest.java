package io.sim2real.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunHistoryTest {

    private static GapMeasurement gap(String runId, double value, long modelVersion) {
        GapMeasurement g = SampleMessages.gap();
        return new GapMeasurement(g.schemaVersion(), runId, g.perturbation(), g.factor(), g.metric(), value,
                modelVersion, g.envStep(), g.timestampMs());
    }

    private static GapMeasurement gap(String runId, double value) {
        return gap(runId, value, SampleMessages.gap().modelVersion());
    }

    private static TransitionBatch batch(String runId, long policyVersion) {
        TransitionBatch b = SampleMessages.transitions(3);
        return new TransitionBatch(b.schemaVersion(), runId, b.domain(), b.envId(), policyVersion, b.episodeIds(),
                b.stepIndices(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    @Test
    void shouldKeepOnlyTheNewestPointsOfARun() {
        RunHistory h = new RunHistory(2);
        for (int i = 0; i < 5; i++) {
            h.gap(gap("r", i, i), 1000 + i);
        }
        List<RunHistory.GapPoint> gaps = h.view("r").orElseThrow().gaps();
        assertEquals(List.of(3.0, 4.0), gaps.stream().map(RunHistory.GapPoint::value).toList());
        assertEquals(1000, h.view("r").orElseThrow().firstRecordMs());
        assertEquals(1004, h.view("r").orElseThrow().lastRecordMs());
    }

    @Test
    void shouldKeepARoundRepublishedAfterARestartOnce() {
        RunHistory h = new RunHistory(10);
        h.gap(gap("r", 0.5, 1), 1000);
        h.gap(gap("r", 0.5, 1), 2000);
        h.gap(gap("r", 0.4, 2), 3000);
        assertEquals(List.of(1L, 2L), h.view("r").orElseThrow().gaps().stream().map(RunHistory.GapPoint::modelVersion).toList());
    }

    @Test
    void shouldCountTransitionsAndKeepTheNewestActingPolicyVersion() {
        RunHistory h = new RunHistory(10);
        h.transitions(batch("r", 4), 10);
        h.transitions(batch("r", 2), 11);
        assertEquals(6L, h.view("r").orElseThrow().transitions().get("real"));
        assertEquals(4L, h.view("r").orElseThrow().actingPolicyVersion().get("real"));
        assertEquals(11, h.view("r").orElseThrow().lastTransitionMs());
    }

    @Test
    void shouldAgeOutOldRunsAndTheLeastRecentlyActiveBeyondTheLimit() {
        RunHistory h = new RunHistory(10);
        h.gap(gap("old", 1), 100);
        h.gap(gap("a", 1), 1_000);
        h.gap(gap("b", 1), 2_000);
        h.gap(gap("c", 1), 3_000);
        // "a" has a recent definition, which counts as activity.
        List<String> dropped = h.expire(500, 2, run -> run.equals("a") ? 5_000 : Long.MIN_VALUE);
        assertEquals(List.of("old", "b"), dropped);
        assertEquals(List.of("a", "c"), h.runIds());
        assertTrue(h.view("old").isEmpty());
    }
}

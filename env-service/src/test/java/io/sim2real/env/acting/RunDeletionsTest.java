package io.sim2real.env.acting;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunDeletionsTest {

    private static byte[] definition(String runId) {
        RunSpec r = SampleMessages.run();
        return Codecs.RUN_SPEC.encode(new RunSpec(SchemaVersion.CURRENT, runId, r.method(), r.mode(), r.seed(),
                r.envSteps(), r.realDomain(), r.trainingDomains(), r.parameters(), r.createdAtMs()));
    }

    @Test
    void shouldReadNothingAsDeletedBeforeCatchingUpWithTheEndAsOfTheStart() {
        RunDeletions d = new RunDeletions(EnvSpec.HALF_CHEETAH);
        d.beginAt(Map.of(0, 5L, 1, 2L));
        // The run was deleted and defined again before the start: on the way, its tombstone is the latest record.
        d.apply("run-a", definition("run-a"));
        d.apply("run-a", null);
        d.reached(Map.of(0, 2L, 1, 2L));
        assertFalse(d.caughtUp());
        assertFalse(d.deleted("run-a"), "a tombstone read before catching up is history");
        d.apply("run-a", definition("run-a"));
        d.reached(Map.of(0, 5L, 1, 2L));
        assertTrue(d.caughtUp());
        assertTrue(d.defined("run-a"));
        assertFalse(d.deleted("run-a"));
        // Live: a tombstone deletes, a definition after it defines again.
        d.apply("run-a", null);
        assertTrue(d.deleted("run-a"));
        d.apply("run-a", definition("run-a"));
        assertFalse(d.deleted("run-a"));
    }

    @Test
    void shouldIgnoreWhatTheServicesDeadLetter() {
        RunDeletions d = new RunDeletions(EnvSpec.HALF_CHEETAH);
        d.beginAt(Map.of(0, 0L));
        assertTrue(d.caughtUp(), "an empty topic is read back at once");
        d.apply("run-a", definition("run-a"));
        d.apply("run-a", "{not json".getBytes(StandardCharsets.UTF_8));
        d.apply("run-a", "{\"runId\":\"run-a\"}".getBytes(StandardCharsets.UTF_8));
        d.apply("run-a", definition("run-b"));
        d.apply(null, null);
        assertTrue(d.defined("run-a"));
        assertFalse(d.deleted("run-a"));
        assertFalse(d.defined("run-b"), "a definition keyed by another run defines nothing");
    }

    @Test
    void shouldReadARunWithoutAnyRecordAsNeitherDefinedNorDeleted() {
        // Deleted while env-service was down and compacted away: a resumed collection stops (not defined); a
        // collection started on the registry's word before this read saw the definition does not (not deleted).
        RunDeletions d = new RunDeletions(EnvSpec.HALF_CHEETAH);
        assertFalse(d.caughtUp(), "not before the read begins");
        d.beginAt(Map.of());
        assertTrue(d.caughtUp());
        assertFalse(d.defined("gone"));
        assertFalse(d.deleted("gone"));
    }
}

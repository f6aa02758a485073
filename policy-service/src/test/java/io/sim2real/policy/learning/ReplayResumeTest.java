package io.sim2real.policy.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.policy.learning.LearnerCheckpoint.Applied;
import io.sim2real.policy.learning.ReplayResume.Verdict;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayResumeTest {

    private static final String P = LearnerCheckpoint.partition("sim2real.transitions", 0);

    private static ReplayResume resume() {
        return new ReplayResume(Map.of(P, new Applied(3, 1000)), Map.of(P, new Applied(9, 2000)));
    }

    @Test
    void shouldOweNothingForRecordsUpToTheLastCheckpointedOneAndGoOnAfterIt() {
        ReplayResume r = resume();
        assertEquals(Verdict.REFLECTED, r.accept(P, 3, 1000));
        assertEquals(Verdict.REFLECTED, r.accept(P, 5, 1500));
        assertFalse(r.complete(), "waits for the last checkpointed record");
        assertEquals(Verdict.REFLECTED, r.accept(P, 9, 2000));
        assertTrue(r.complete());
        assertEquals(Verdict.NEW, r.accept(P, 12, 2500));
        assertEquals(Verdict.NEW, r.accept(LearnerCheckpoint.partition("sim2real.transitions", 1), 0, 1), "a partition it never read");
    }

    @Test
    void shouldRefuseALogThatIsNotTheCheckpointedOne() {
        assertEquals(Verdict.MISMATCH, resume().accept(P, 3, 1001), "another first record: another broker");
        assertEquals(Verdict.MISMATCH, resume().accept(P, 0, 1000), "the run's first record elsewhere");
        ReplayResume r = resume();
        r.accept(P, 3, 1000);
        assertEquals(Verdict.MISMATCH, r.accept(P, 9, 2001), "another last record");
        ReplayResume s = resume();
        s.accept(P, 3, 1000);
        assertEquals(Verdict.MISMATCH, s.accept(P, 10, 2100), "the last checkpointed record is missing");
    }

    @Test
    void shouldKeepTheLearnerStateThroughItsMap() {
        LearnerCheckpoint c = new LearnerCheckpoint("run", 7, "SAC", 301, 4, java.util.List.of(299L, 3L, 300L, 1L), 3, 300,
                297, 300, 300, Long.MIN_VALUE + 5, true, Map.of(P, new Applied(0, 1)),
                Map.of(P, new Applied(9, Long.MAX_VALUE)), Map.of(LearnerCheckpoint.partition("sim2real.rollouts", 2), 77L), 1234);
        assertEquals(c, LearnerCheckpoint.fromMap(c.toMap()));
        // An earlier build's checkpoint has no owed updates with their transitions: its pending ones are its last's.
        Map<String, Object> earlier = new java.util.HashMap<>(c.toMap());
        earlier.remove("owed");
        assertEquals(java.util.List.of(300L, 4L), LearnerCheckpoint.fromMap(earlier).owed());
    }
}

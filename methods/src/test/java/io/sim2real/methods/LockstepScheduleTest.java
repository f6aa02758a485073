package io.sim2real.methods;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class LockstepScheduleTest {

    @Test
    void shouldActAtRandomThenWithThePolicyThatPaidForEverythingBefore() {
        LockstepSchedule s = LockstepSchedule.of(250, 1000, 1000, 500, 0);
        assertEquals(1, s.chunkOf(1));
        assertEquals(1, s.chunkOf(250));
        assertEquals(2, s.chunkOf(251));
        assertTrue(s.random(4), "transitions 751..1000 are still random");
        assertFalse(s.random(5));
        assertEquals(1000, s.actingPolicyEnvStep(5));
    }

    @Test
    void shouldPutRoundsOnChunkBoundariesAndGiveEachUpdateTheRoundBeforeItsChunk() {
        LockstepSchedule lag0 = LockstepSchedule.of(250, 1000, 1000, 500, 0);
        assertTrue(lag0.roundAt(1000));
        assertFalse(lag0.roundAt(1250));
        assertTrue(lag0.roundAt(1500));
        assertEquals(1500, lag0.roundCovers(2));
        assertEquals(0, lag0.roundFor(1000), "before the first round: environment rows only");
        assertEquals(1, lag0.roundFor(1001), "chunk 5 uses the round that covers chunks 1-4");
        assertEquals(1, lag0.roundFor(1500));
        assertEquals(2, lag0.roundFor(1501));
        LockstepSchedule lag1 = LockstepSchedule.of(250, 1000, 1000, 500, 1);
        assertEquals(0, lag1.roundFor(1001), "one chunk later: the round trains while the learner pays chunk 5");
        assertEquals(1, lag1.roundFor(1251));
        assertEquals(1, lag1.roundFor(1750));
        assertEquals(2, lag1.roundFor(1751));
    }

    @Test
    void shouldRoundSettingsUpToWholeChunksAndRefuseARandomPhaseThatEndsMidChunk() {
        LockstepSchedule s = LockstepSchedule.of(250, 0, 300, 300, 0);
        assertEquals(500, s.firstRound());
        assertEquals(500, s.roundEvery());
        assertThrows(IllegalArgumentException.class, () -> LockstepSchedule.of(250, 300, 1000, 250, 0));
        assertThrows(IllegalArgumentException.class, () -> LockstepSchedule.of(250, 0, 1000, 250, 2));
    }
}

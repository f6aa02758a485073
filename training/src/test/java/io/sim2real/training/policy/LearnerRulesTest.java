package io.sim2real.training.policy;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class LearnerRulesTest {

    @Test
    void shouldOweGPerTransitionFromTheMinTransitionsThOnHoweverTheyArrive() {
        OwedUpdates owed = new OwedUpdates(20, 1000);
        assertEquals(0, owed.total(999));
        assertEquals(20, owed.total(1000), "the min-transitions-th transition owes its updates, as MBPO's first update step");
        assertEquals(40, owed.between(999, 1001));
        OwedUpdates half = new OwedUpdates(0.5, 1);
        long inOnes = 0;
        for (int n = 0; n < 101; n++) {
            inOnes += half.between(n, n + 1);
        }
        assertEquals(half.total(101), inOnes, "batches of one owe what one batch of 101 owes");
        assertEquals(50, inOnes);
    }

    @Test
    void shouldTakeAtLeastOneEnvironmentRowAndAllWithoutRollouts() {
        assertEquals(13, MixedBatch.environmentRows(256, 0.05, true));
        assertEquals(1, MixedBatch.environmentRows(256, 0.0, true));
        assertEquals(256, MixedBatch.environmentRows(256, 0.0, false));
        assertEquals(256, MixedBatch.environmentRows(256, 1.0, true));
    }

    @Test
    void shouldPublishALockstepRunsSnapshotOnlyOnceCaughtUpAndAnAsyncOnesAlsoWhileBehind() {
        SnapshotRule rule = new SnapshotRule(200, 30);
        assertEquals(SnapshotRule.Due.NOTHING, rule.after(true, 400, 100, 20, 0, 0, -1), "lockstep, behind");
        assertEquals(SnapshotRule.Due.SNAPSHOT, rule.after(false, 400, 100, 20, 0, 0, -1), "async, 400 steps since the last");
        assertEquals(SnapshotRule.Due.CHECKPOINT, rule.after(true, 400, 100, 30, 0, 0, -1), "30 updates since none");
        assertEquals(SnapshotRule.Due.NOTHING, rule.after(true, 400, 100, 50, 0, 0, 30));
        assertEquals(SnapshotRule.Due.SNAPSHOT, rule.after(true, 400, 0, 201, 0, 0, 180), "caught up");
        assertEquals(SnapshotRule.Due.NOTHING, rule.after(true, 400, 0, 201, 400, 201, 201), "nothing new since v1");
        assertEquals(SnapshotRule.Due.NOTHING, new SnapshotRule(200, 0).after(true, 400, 5, 500, 0, 0, -1), "no checkpoints");
    }
}

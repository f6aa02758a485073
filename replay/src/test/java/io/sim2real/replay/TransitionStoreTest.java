package io.sim2real.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.messages.TransitionBatch;
import org.junit.jupiter.api.Test;

class TransitionStoreTest {

    @Test
    void shouldSampleRowsAsTheyWereStored() {
        TransitionStore store = new TransitionStore(10);
        TransitionBatch b = SampleMessages.transitions(4);
        store.add(b);
        TransitionStore.Sample s = store.sample(64, new java.util.SplittableRandom(1));
        for (int i = 0; i < 64; i++) {
            int row = java.util.Arrays.asList(b.obs()).indexOf(s.obs()[i]);
            org.junit.jupiter.api.Assertions.assertTrue(row >= 0);
            assertEquals(b.rew()[row], s.rew()[i]);
            org.junit.jupiter.api.Assertions.assertSame(b.nextObs()[row], s.nextObs()[i]);
        }
    }

    @Test
    void shouldKeepTheNewestTransitionsInOrderWhenFull() {
        TransitionStore store = new TransitionStore(5);
        TransitionBatch a = SampleMessages.transitions(3);
        TransitionBatch b = SampleMessages.transitions(4);
        store.add(a);
        store.add(b);
        assertEquals(5, store.size());
        assertEquals(7, store.added());
        TransitionStore.Snapshot s = store.snapshot();
        assertEquals(a.rew()[2], s.rew()[0]);
        assertEquals(b.rew()[3], s.rew()[4]);
        assertEquals(b.obs()[0], s.obs()[1]);
    }
}

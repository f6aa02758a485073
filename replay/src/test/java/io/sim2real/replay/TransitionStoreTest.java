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

    @Test
    void shouldDrawOnlyFromTheFirstRowsWhateverArrivedSince() {
        TransitionBatch a = SampleMessages.transitions(3);
        TransitionBatch b = SampleMessages.transitions(4);
        TransitionStore early = new TransitionStore(10);
        early.add(a);
        TransitionStore later = new TransitionStore(10);
        later.add(a);
        later.add(b);
        TransitionStore.Sample whole = early.sample(50, new java.util.SplittableRandom(3));
        TransitionStore.Sample prefix = later.sample(50, new java.util.SplittableRandom(3), 3);
        assertEquals(java.util.Arrays.asList(whole.obs()), java.util.Arrays.asList(prefix.obs()),
                "the first 3 rows, drawn alike, whatever came after them");
        assertEquals(java.util.Arrays.asList(whole.obs()),
                java.util.Arrays.asList(early.sample(50, new java.util.SplittableRandom(3), 100).obs()), "a limit past the end: every row");
    }

    @Test
    void shouldDrawFromTheFirstRowsStillHeldOnceFull() {
        TransitionStore store = new TransitionStore(5);
        TransitionBatch a = SampleMessages.transitions(3);
        TransitionBatch b = SampleMessages.transitions(4);
        store.add(a);
        store.add(b);
        // Held: a[2], b[0..3] (transitions 3..7); the first 4 transitions still held are a[2] and b[0].
        TransitionStore.Sample s = store.sample(64, new java.util.SplittableRandom(5), 4);
        java.util.Set<double[]> drawn = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        drawn.addAll(java.util.Arrays.asList(s.obs()));
        assertEquals(2, drawn.size());
        org.junit.jupiter.api.Assertions.assertTrue(drawn.contains(a.obs()[2]) && drawn.contains(b.obs()[0]));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> store.sample(1, new java.util.SplittableRandom(5), 2), "the first two were pushed out");
    }
}

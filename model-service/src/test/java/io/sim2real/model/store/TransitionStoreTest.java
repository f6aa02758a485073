package io.sim2real.model.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.messages.TransitionBatch;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TransitionStoreTest {

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
    void shouldApplyEachRecordOnceAcrossRedeliveries() {
        ConsumedOffsets offsets = new ConsumedOffsets();
        TopicPartition p = new TopicPartition("t", 0);
        assertFalse(offsets.alreadyApplied(p, 0));
        offsets.applied(p, 0);
        offsets.applied(p, 1);
        assertTrue(offsets.alreadyApplied(p, 1));
        assertFalse(offsets.alreadyApplied(p, 2));
        assertEquals(2, offsets.nextOffset(p).getAsLong());
        assertTrue(offsets.nextOffset(new TopicPartition("t", 1)).isEmpty());
    }
}

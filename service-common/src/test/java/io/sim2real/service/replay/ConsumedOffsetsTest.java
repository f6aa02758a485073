package io.sim2real.service.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumedOffsetsTest {

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

package io.sim2real.model.store;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The next offset this process has not yet applied to its in-memory stores, per partition. The stores are
 * rebuilt from Kafka at start (they live in memory), so on every partition assignment the consumer seeks to
 * this offset if the process has one, or to the beginning: nothing is lost after a restart and nothing is
 * added twice after a rebalance.
 */
public final class ConsumedOffsets {

    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

    public void applied(TopicPartition partition, long offset) {
        next.merge(partition, offset + 1, Math::max);
    }

    /** Whether this record was already applied (redelivered after a rebalance). */
    public boolean alreadyApplied(TopicPartition partition, long offset) {
        Long n = next.get(partition);
        return n != null && offset < n;
    }

    public OptionalLong nextOffset(TopicPartition partition) {
        Long n = next.get(partition);
        return n == null ? OptionalLong.empty() : OptionalLong.of(n);
    }
}

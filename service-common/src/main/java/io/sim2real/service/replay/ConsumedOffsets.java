package io.sim2real.service.replay;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The next offset this process has not yet applied to its in-memory replay buffers, per partition. The buffers
 * are rebuilt from Kafka at start (they live in memory), so on every partition assignment the consumer seeks to
 * this offset if the process has one, or to the beginning ({@link RebuildFromLogListener}): nothing is lost
 * after a restart and nothing is added twice after a rebalance.
 */
@jakarta.enterprise.context.ApplicationScoped
public class ConsumedOffsets {

    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();

    /**
     * Runs {@code apply} for a record unless this process already applied it, then remembers it; records
     * without Kafka metadata (in-memory channels) are always applied. Returns whether it ran.
     */
    public boolean applyOnce(IncomingKafkaRecordMetadata<?, ?> source, Runnable apply) {
        if (source == null) {
            apply.run();
            return true;
        }
        TopicPartition partition = new TopicPartition(source.getTopic(), source.getPartition());
        if (alreadyApplied(partition, source.getOffset())) {
            return false;
        }
        apply.run();
        applied(partition, source.getOffset());
        return true;
    }

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

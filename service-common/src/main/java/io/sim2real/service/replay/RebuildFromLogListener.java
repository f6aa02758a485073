package io.sim2real.service.replay;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * On assignment, seeks each partition to where this process's buffers end (see {@link ConsumedOffsets}). A
 * channel uses it with {@code consumer-rebalance-listener.name=rebuild-from-log}.
 */
@ApplicationScoped
@Identifier("rebuild-from-log")
public class RebuildFromLogListener implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(RebuildFromLogListener.class);

    @Inject
    ConsumedOffsets offsets;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            var next = offsets.nextOffset(p);
            if (next.isPresent()) {
                consumer.seek(p, next.getAsLong());
            } else {
                consumer.seekToBeginning(java.util.List.of(p));
            }
        }
        LOG.infof("rebuilding in-memory buffers from %s", partitions);
    }
}

package io.sim2real.service.replay;

import io.sim2real.service.messaging.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its beginning up to the end offsets it has when the read starts, without a consumer group
 * (nothing is committed, no other consumer is disturbed): how a service rebuilds state it keeps in Kafka before
 * it takes new work.
 */
public final class TopicReader {

    private TopicReader() {
    }

    /**
     * Calls {@code each} for every record of {@code topic} present at the start of the call, partition by
     * partition in offset order. A topic that does not exist reads as empty.
     *
     * @param kafkaConfig the client configuration (bootstrap servers, security), e.g. the default Kafka broker's
     * @param timeout     the longest the whole read may take
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public static void readToEnd(Map<String, Object> kafkaConfig, String topic, Duration timeout,
                                 Consumer<ConsumerRecord<String, byte[]>> each) {
        Map<String, Object> config = KafkaClients.config(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, io.sim2real.contracts.Topics.MAX_RECORD_BYTES);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            // Nothing was ever written.
        }
    }
}

package io.sim2real.env.dataset;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one run's transitions of one domain back from a topic, from the beginning up to the end offsets as
 * they are when it starts (records published later are not included), in partition order. It has no consumer
 * group: nothing is committed, no service's position moves. Records that fail validation are skipped and
 * counted (they are in the dead-letter topic already).
 */
public final class RunTransitionsReader {

    /** How many valid batches were read and how many invalid records were skipped. */
    public record Result(int batches, long transitions, int skipped) {
    }

    private RunTransitionsReader() {
    }

    public static Result read(Map<String, Object> kafkaConfig, String topic, String runId, Domain domain, EnvSpec spec,
                              Consumer<TransitionBatch> sink) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove("group.id");
        config.put("enable.auto.commit", false);
        config.put("max.partition.fetch.bytes", io.sim2real.contracts.Topics.MAX_RECORD_BYTES);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            int batches = 0;
            long transitions = 0;
            int skipped = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())) || !runId.equals(r.key())) {
                        continue;
                    }
                    TransitionBatch batch;
                    try {
                        batch = Codecs.TRANSITION_BATCH.decode(r.value(), r.headers(), spec); // JSON v1 or Protobuf v2, by its header
                    } catch (InvalidRecordException e) {
                        skipped++;
                        continue;
                    }
                    if (batch.domain() == domain && runId.equals(batch.runId())) {
                        sink.accept(batch);
                        batches++;
                        transitions += batch.size();
                    }
                }
            }
            return new Result(batches, transitions, skipped);
        }
    }
}

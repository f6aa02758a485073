package io.sim2real.env.acting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sim2real.contracts.Topics;
import io.sim2real.service.messaging.InboundRecords;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * env-service's changelog of collections on the compacted topic {@code sim2real.collections}, keyed by
 * collection id: each collection's request when it is accepted, and its state when it ends. A restarted
 * env-service reads it back ({@link CollectionRecovery}) and resumes what had not ended.
 */
@ApplicationScoped
public class CollectionLog {

    private static final Logger LOG = Logger.getLogger(CollectionLog.class);

    /**
     * A collection as logged.
     *
     * @param physics         the domain's perturbation factors by wire name
     * @param lockstep        the lockstep settings resolved when the collection was accepted, null for async
     * @param runDefined      whether the run had a definition when the collection was accepted
     * @param stepsTaken      env steps taken when this entry was written (0 at acceptance)
     * @param owner           the env-service instance that accepted it ({@code sim2real.env.instance-id}); only
     *                        that instance resumes it
     */
    public record Entry(String id, String owner, String runId, String domain, Map<String, Double> physics, boolean moveAttachments,
                        String policy, long envSteps, int numEnvs, int batchSize, long seed, LockstepEntry lockstep,
                        boolean runDefined, String state, long stepsTaken, long unstableDropped, long policyVersion,
                        String error, long createdAtMs) {
    }

    /** {@link Lockstep} as logged. */
    public record LockstepEntry(long chunk, long initialRandomSteps, long timeoutMs, List<String> trainingDomains) {
    }

    @Inject
    @Channel("collections-out")
    MutinyEmitter<Record<String, String>> emitter;

    @Inject
    ObjectMapper json;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** Writes the entry and waits for the broker's ack: a collection is accepted only once it is logged. */
    public void write(Entry entry) {
        try {
            emitter.sendAndAwait(Record.of(entry.id(), json.writeValueAsString(entry)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode collection " + entry.id(), e);
        }
    }

    /**
     * The latest entry of every collection in the log, oldest collection first. An unreadable entry is skipped and
     * copied, unchanged, to {@code sim2real.collections.dlq} with the reason.
     */
    public Collection<Entry> readAll(Duration timeout) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        List<ProducerRecord<String, byte[]>> unreadable = new ArrayList<>();
        io.sim2real.service.replay.TopicReader.readToEnd(kafkaConfig, Topics.COLLECTIONS, timeout, r -> {
            if (r.value() == null) {
                latest.remove(r.key());
                return;
            }
            try {
                latest.put(r.key(), json.readValue(r.value(), Entry.class));
            } catch (IOException e) {
                String reason = "MALFORMED: unreadable collection entry: " + e.getMessage();
                LOG.errorf("dead-lettering the entry of collection %s at %s-%d@%d: %s", r.key(), r.topic(),
                        r.partition(), r.offset(), reason);
                ProducerRecord<String, byte[]> dead = new ProducerRecord<>(Topics.deadLetterOf(Topics.COLLECTIONS),
                        r.key(), r.value());
                dead.headers().add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
                dead.headers().add(InboundRecords.REASON_CODE_HEADER, "MALFORMED".getBytes(StandardCharsets.UTF_8));
                unreadable.add(dead);
            }
        });
        if (!unreadable.isEmpty()) {
            deadLetter(unreadable);
        }
        return latest.values().stream()
                .sorted(java.util.Comparator.comparingLong(Entry::createdAtMs)).toList();
    }

    private void deadLetter(List<ProducerRecord<String, byte[]>> records) {
        Map<String, Object> config = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (v != null && !k.startsWith("topic")) {
                config.put(k, v);
            }
        });
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(r).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.errorf(e, "could not dead-letter %d unreadable collection entries", records.size());
        }
    }
}

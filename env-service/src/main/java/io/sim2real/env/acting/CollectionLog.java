package io.sim2real.env.acting;

import io.sim2real.training.acting.PhysicsSchedule;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.service.messaging.DeadLetters;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
     * @param followsRealDomain for a collection that emulates its run's real domain: the physics it follows (base
     *                          factors, schedule and real-step offset as accepted), so a resumed part goes on with the
     *                          same changes at the same counts; null for fixed physics (and in entries written before)
     */
    public record Entry(String id, String owner, String runId, String domain, Map<String, Double> physics, boolean moveAttachments,
                        String policy, long envSteps, int numEnvs, int batchSize, long seed, LockstepEntry lockstep,
                        boolean runDefined, String state, long stepsTaken, long unstableDropped, long policyVersion,
                        String error, long createdAtMs, PhysicsSchedule followsRealDomain) {
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
    DeadLetters deadLetters;

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

    /** An entry that parses but does not name its collection, run, domain and state is as unreadable as bad JSON. */
    private static Entry usable(String key, Entry e) throws IOException {
        if (e.id() == null || !e.id().equals(key) || e.runId() == null || e.domain() == null || e.state() == null) {
            throw new IOException("not a collection entry (id '" + e.id() + "' for key '" + key + "', runId '"
                    + e.runId() + "', domain '" + e.domain() + "', state '" + e.state() + "')");
        }
        return e;
    }

    /**
     * The latest entry of every collection in the log, oldest collection first. An unreadable entry, whatever its
     * size, is skipped and sent to {@code sim2real.collections.dlq} with the reason ({@link DeadLetters}).
     */
    public Collection<Entry> readAll(Duration timeout) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        List<CompletionStage<Void>> deadLetters = new ArrayList<>();
        io.sim2real.service.replay.TopicReader.readToEnd(kafkaConfig, Topics.COLLECTIONS, timeout, r -> {
            if (r.value() == null) {
                latest.remove(r.key());
                return;
            }
            try {
                latest.put(r.key(), usable(r.key(), json.readValue(r.value(), Entry.class)));
            } catch (IOException e) {
                LOG.errorf("dead-lettering the unreadable entry of collection %s at %s-%d@%d", r.key(), r.topic(),
                        r.partition(), r.offset());
                deadLetters.add(this.deadLetters.send(new DeadLetters.Source(r.topic(), r.partition(), r.offset(), r.key(),
                        r.value(), r.headers()), "MALFORMED", new InvalidRecordException(InvalidRecordException.Reason.MALFORMED,
                        "unreadable collection entry: " + e.getMessage(), e)));
            }
        });
        // Nothing is committed on this topic, so waiting here only makes the start-up log tell the truth.
        for (CompletionStage<Void> d : deadLetters) {
            try {
                d.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.errorf("a dead letter of sim2real.collections is not delivered yet (%s); it is retried in the background", e);
            }
        }
        return latest.values().stream()
                .sorted(java.util.Comparator.comparingLong(Entry::createdAtMs)).toList();
    }
}

package io.sim2real.env.acting;

import io.sim2real.training.acting.CollectionBudget;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.replay.TopicReader;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * When partitions of {@code sim2real.runs} come to this instance ({@link CollectionOwnership}: at start, or taken over
 * from another instance): reads the collections log back, counts on {@code sim2real.transitions} what each unfinished
 * collection of those partitions' runs had published, whichever instance published it, and hands them to
 * {@link CollectionService#resume}. The transitions of the runs concerned are also counted into
 * {@link PublishedTransitions}, which lockstep collections wait on.
 */
@ApplicationScoped
public class CollectionRecovery {

    private static final Logger LOG = Logger.getLogger(CollectionRecovery.class);

    @Inject
    CollectionLog log;

    @Inject
    CollectionService collections;

    @Inject
    PublishedTransitions published;

    @Inject
    CollectionOwnership ownership;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "sim2real.env.recovery-timeout", defaultValue = "PT5M")
    Duration timeout;

    /** What one collection had published. */
    static final class Published {
        long transitions;
        long maxEpisodeId = -1;
        long maxPolicyVersion;
    }

    /** Resumes the collections of the runs in these partitions, each held under the term given. */
    void recover(Map<Integer, Long> terms) {
        if (terms.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        Collection<CollectionLog.Entry> entries = log.readAll(timeout).stream()
                .filter(e -> terms.containsKey(ownership.partitionOf(e.runId()))).toList();
        Map<String, CollectionLog.Entry> unfinished = entries.stream()
                .filter(e -> !CollectionService.isFinished(e.state()))
                .collect(Collectors.toMap(e -> CollectionService.envIdOf(e.id()) + "@" + e.runId(), e -> e));
        Map<String, Published> byCollection = new HashMap<>();
        if (!unfinished.isEmpty()) {
            Set<String> runIds = unfinished.values().stream().map(CollectionLog.Entry::runId).collect(Collectors.toSet());
            // Counted afresh from the log: this instance may have held the run before, or not.
            published.forget(runIds::contains);
            TopicReader.readToEnd(kafkaConfig, Topics.TRANSITIONS, timeout, r -> {
                if (!runIds.contains(r.key()) || r.value() == null) {
                    return;
                }
                TransitionBatch b;
                try {
                    b = Codecs.TRANSITION_BATCH.parse(r.value(), r.headers()); // JSON v1 or Protobuf v2, by its header
                } catch (io.sim2real.contracts.validation.InvalidRecordException | RuntimeException e) {
                    return; // the consumers dead-letter it; it was never data of a collection
                }
                published.add(b.runId(), b.domain(), b.size());
                String key = b.envId() + "@" + b.runId();
                if (unfinished.containsKey(key)) {
                    Published p = byCollection.computeIfAbsent(key, k -> new Published());
                    p.transitions += b.size();
                    p.maxPolicyVersion = Math.max(p.maxPolicyVersion, b.policyVersion());
                    for (long id : b.episodeIds()) {
                        p.maxEpisodeId = Math.max(p.maxEpisodeId, id);
                    }
                }
            });
        }
        for (CollectionLog.Entry e : entries) {
            Published p = byCollection.getOrDefault(CollectionService.envIdOf(e.id()) + "@" + e.runId(), new Published());
            collections.resume(e, new CollectionService.Resume(p.transitions,
                    CollectionBudget.episodeIdOffset(p.maxEpisodeId, e.numEnvs()), p.maxPolicyVersion),
                    terms.get(ownership.partitionOf(e.runId())));
        }
        if (!entries.isEmpty()) {
            LOG.infof("collections of partitions %s read back in %.1f s: %d collections, %d resumed", terms.keySet(),
                    (System.nanoTime() - t0) / 1e9, entries.size(), unfinished.size());
        }
    }
}

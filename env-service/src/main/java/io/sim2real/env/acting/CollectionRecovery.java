package io.sim2real.env.acting;

import io.sim2real.training.acting.CollectionBudget;
import io.quarkus.runtime.StartupEvent;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.replay.TopicReader;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
 * At start, before env-service takes new work: reads the collections log back, counts on
 * {@code sim2real.transitions} what each unfinished collection had published, and hands them to
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

    // After the topics exist and the messaging channels are connected (both observe start-up with earlier priorities).
    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 500) StartupEvent event) {
        long t0 = System.nanoTime();
        Collection<CollectionLog.Entry> entries = log.readAll(timeout);
        // Another instance's collections are its own to resume (and to list).
        entries = entries.stream().filter(e -> collections.instanceId().equals(e.owner())).toList();
        Map<String, CollectionLog.Entry> unfinished = entries.stream()
                .filter(e -> !CollectionService.isFinished(e.state()))
                .collect(Collectors.toMap(e -> CollectionService.envIdOf(e.id()) + "@" + e.runId(), e -> e));
        Map<String, Published> byCollection = new HashMap<>();
        if (!unfinished.isEmpty()) {
            Set<String> runIds = unfinished.values().stream().map(CollectionLog.Entry::runId).collect(Collectors.toSet());
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
                    CollectionBudget.episodeIdOffset(p.maxEpisodeId, e.numEnvs()), p.maxPolicyVersion));
        }
        if (!entries.isEmpty()) {
            LOG.infof("collections log read back in %.1f s: %d collections, %d resumed", (System.nanoTime() - t0) / 1e9,
                    entries.size(), unfinished.size());
        }
    }
}

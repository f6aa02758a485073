package io.sim2real.model.training;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.LatestPolicies;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The policies of each run, read from {@code sim2real.policies}, for acting in model rollouts: the newest, and the
 * recent ones by envStep, since a lockstep round acts with the policy at exactly the transitions it covers while the
 * learner may already have published the next chunk's.
 */
@ApplicationScoped
public class PolicyFeed {

    /** Snapshots kept per run by envStep: enough for a round that trains while the learner pays a few chunks. */
    private static final int KEPT = 16;

    @Inject
    InboundRecords inbound;

    private final LatestPolicies latest = new LatestPolicies();
    private final Map<String, NavigableMap<Long, PolicySnapshot>> byEnvStep = new ConcurrentHashMap<>();

    @Incoming("policies")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.POLICY_SNAPSHOT, this::put);
    }

    private void put(PolicySnapshot snapshot) throws io.sim2real.contracts.validation.InvalidRecordException {
        latest.put(snapshot);
        NavigableMap<Long, PolicySnapshot> kept = byEnvStep.computeIfAbsent(snapshot.runId(), id -> new ConcurrentSkipListMap<>());
        kept.merge(snapshot.envStep(), snapshot, (old, now) -> now.version() >= old.version() ? now : old);
        while (kept.size() > KEPT) {
            kept.pollFirstEntry();
        }
        synchronized (this) {
            notifyAll();
        }
    }

    public Optional<PolicySnapshot> latest(String runId) {
        return latest.latest(runId);
    }

    /** The run's newest snapshot with exactly this envStep, waiting up to {@code timeout} for it. */
    public Optional<PolicySnapshot> awaitEnvStep(String runId, long envStep, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                PolicySnapshot s = byEnvStep.getOrDefault(runId, new ConcurrentSkipListMap<>()).get(envStep);
                if (s != null) {
                    return Optional.of(s);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                wait(Math.max(1, Math.min(1000, left / 1_000_000)));
            }
        }
    }
}

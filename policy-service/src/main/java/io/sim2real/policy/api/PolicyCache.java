package io.sim2real.policy.api;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.ActorRunner;
import io.sim2real.service.messaging.InboundRecords;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The newest published policy of each run, rebuilt from its snapshot, for {@code POST /act}: serving never
 * touches the network being trained. Read from {@code sim2real.policies} like any other consumer, on a worker thread
 * in the topic's order ({@code @Blocking}): each snapshot builds a network of ND4J arrays, which is no work for an
 * event loop.
 */
@ApplicationScoped
public class PolicyCache {

    /** One run's newest policy; calls are serialised because the runner has buffers. */
    public static final class Policy {
        private final ActorRunner runner;
        private final SplittableRandom random = new SplittableRandom();
        /** The thread that built it (the consumer: a worker, never a Vert.x event loop). */
        private final String builtOn = Thread.currentThread().getName();

        Policy(PolicySnapshot snapshot) {
            this.runner = new ActorRunner(snapshot);
        }

        public String builtOn() {
            return builtOn;
        }

        public long version() {
            return runner.version();
        }

        public synchronized double[][] act(double[][] observations, boolean deterministic) {
            return runner.act(observations, deterministic, random);
        }
    }

    @Inject
    InboundRecords inbound;

    private final Map<String, Policy> latest = new ConcurrentHashMap<>();

    @Incoming("policies")
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.POLICY_SNAPSHOT, snapshot -> {
            Policy p = new Policy(snapshot);
            latest.merge(snapshot.runId(), p, (old, now) -> now.version() >= old.version() ? now : old);
        });
    }

    public Optional<Policy> latest(String runId) {
        return Optional.ofNullable(latest.get(runId));
    }
}

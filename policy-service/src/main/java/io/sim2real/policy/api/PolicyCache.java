package io.sim2real.policy.api;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.F32;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.SquashedGaussianActor;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The newest published policy of each run, rebuilt from its snapshot, for {@code POST /act}: serving never
 * touches the network being trained. Read from {@code sim2real.policies} like any other consumer.
 */
@ApplicationScoped
public class PolicyCache {

    /** One run's newest policy; calls are serialised because the actor has buffers. */
    public static final class Policy {
        private final long version;
        private final SquashedGaussianActor actor;
        private final INDArray obs;
        private final INDArray actions;
        private final SplittableRandom random = new SplittableRandom();

        Policy(PolicySnapshot snapshot) {
            this.version = snapshot.version();
            this.actor = PolicySnapshots.toActor(snapshot, PolicyResource.MAX_OBSERVATIONS);
            this.obs = F32.zeros(PolicyResource.MAX_OBSERVATIONS, snapshot.obsDim());
            this.actions = F32.zeros(PolicyResource.MAX_OBSERVATIONS, snapshot.actDim());
        }

        public long version() {
            return version;
        }

        public synchronized double[][] act(double[][] observations, boolean deterministic) {
            int n = observations.length;
            int obsDim = observations[0].length;
            FloatBuffer o = F32.view(obs);
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < obsDim; j++) {
                    o.put(r * obsDim + j, (float) observations[r][j]);
                }
            }
            if (deterministic) {
                actor.mean(obs, n, actions);
            } else {
                actor.drawNoise(n, random);
                actor.sample(obs, n, actions);
            }
            int actDim = actor.actDim();
            double[][] out = new double[n][actDim];
            FloatBuffer a = F32.view(actions);
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < actDim; j++) {
                    out[r][j] = a.get(r * actDim + j);
                }
            }
            return out;
        }
    }

    @Inject
    InboundRecords inbound;

    private final Map<String, Policy> latest = new ConcurrentHashMap<>();

    @Incoming("policies")
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

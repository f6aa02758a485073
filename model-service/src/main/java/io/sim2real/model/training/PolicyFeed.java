package io.sim2real.model.training;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.LatestPolicies;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** The newest policy of each run, read from {@code sim2real.policies}, for acting in model rollouts. */
@ApplicationScoped
public class PolicyFeed {

    @Inject
    InboundRecords inbound;

    private final LatestPolicies latest = new LatestPolicies();

    @Incoming("policies")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.POLICY_SNAPSHOT, latest::put);
    }

    public Optional<PolicySnapshot> latest(String runId) {
        return latest.latest(runId);
    }
}

package io.sim2real.env.acting;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.env.evaluation.PeriodicEvaluator;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Reads {@code sim2real.policies} into the {@link PolicyStore}, and evaluates runs' policies as they come. */
@ApplicationScoped
public class PolicyConsumer {

    @Inject
    InboundRecords inbound;

    @Inject
    PolicyStore store;

    @Inject
    PeriodicEvaluator evaluator;

    @Incoming("policies")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.POLICY_SNAPSHOT, snapshot -> {
            store.put(snapshot);
            evaluator.onSnapshot(snapshot);
        });
    }
}

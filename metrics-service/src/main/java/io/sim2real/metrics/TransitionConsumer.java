package io.sim2real.metrics;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Reads {@code sim2real.transitions} into {@link TransitionCounts}. */
@ApplicationScoped
public class TransitionConsumer {

    @Inject
    InboundRecords inbound;

    @Inject
    TransitionCounts counts;

    @Incoming("transitions")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.TRANSITION_BATCH, counts::record);
    }
}

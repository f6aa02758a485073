package io.sim2real.model.probe;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import io.sim2real.service.replay.ConsumedOffsets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code sim2real.counterfactuals} into the gap probe's per-run windows (rebuilt from the log at every start,
 * as the transition stores are): each record once per offset, each batch once per source position.
 */
@ApplicationScoped
public class CounterfactualConsumer {

    @Inject
    InboundRecords inbound;

    @Inject
    ConsumedOffsets offsets;

    @Inject
    GapProbeService probe;

    @Incoming("counterfactuals")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.COUNTERFACTUAL_BATCH,
                (batch, source) -> offsets.applyOnce(source, () -> probe.onPairs(batch)));
    }
}

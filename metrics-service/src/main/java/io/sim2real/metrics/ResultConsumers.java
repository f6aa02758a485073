package io.sim2real.metrics;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Reads evaluation results and gap measurements into {@link RunGauges}. */
@ApplicationScoped
public class ResultConsumers {

    @Inject
    InboundRecords inbound;

    @Inject
    RunGauges gauges;

    @Incoming("evaluations")
    public CompletionStage<Void> evaluations(Message<byte[]> record) {
        return inbound.process(record, Codecs.EVALUATION_RESULT, gauges::record);
    }

    @Incoming("gap")
    public CompletionStage<Void> gap(Message<byte[]> record) {
        return inbound.process(record, Codecs.GAP_MEASUREMENT, gauges::record);
    }
}

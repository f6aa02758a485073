package io.sim2real.metrics;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import io.sim2real.service.replay.ConsumedOffsets;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads transitions, evaluation results and gap measurements into {@link RunMetrics}. The history lives in
 * memory, so every instance reads these topics whole at start (its own consumer group, nothing committed, see
 * application.properties) and applies each record once across rebalances ({@link ConsumedOffsets}).
 */
@ApplicationScoped
public class RecordConsumers {

    @Inject
    InboundRecords inbound;

    @Inject
    ConsumedOffsets offsets;

    @Inject
    RunMetrics metrics;

    @Incoming("transitions")
    public CompletionStage<Void> transitions(Message<byte[]> record) {
        return inbound.process(record, Codecs.TRANSITION_BATCH,
                (batch, source) -> offsets.applyOnce(source, () -> metrics.record(batch, timestampMs(source))));
    }

    @Incoming("evaluations")
    public CompletionStage<Void> evaluations(Message<byte[]> record) {
        return inbound.process(record, Codecs.EVALUATION_RESULT,
                (result, source) -> offsets.applyOnce(source, () -> metrics.record(result, timestampMs(source))));
    }

    @Incoming("gap")
    public CompletionStage<Void> gap(Message<byte[]> record) {
        return inbound.process(record, Codecs.GAP_MEASUREMENT,
                (gap, source) -> offsets.applyOnce(source, () -> metrics.record(gap, timestampMs(source))));
    }

    /** The record's Kafka timestamp (producer or log-append time), so history ages by when things happened. */
    private static long timestampMs(IncomingKafkaRecordMetadata<?, ?> source) {
        return source == null || source.getTimestamp() == null ? System.currentTimeMillis()
                : source.getTimestamp().toEpochMilli();
    }
}

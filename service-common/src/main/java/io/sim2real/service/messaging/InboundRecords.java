package io.sim2real.service.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * The one way a service reads a sim2real topic: decode and validate the raw record, hand a valid message
 * to the service's logic, and dead-letter anything else with its reason. A consumer method reads:
 * <pre>
 * {@literal @}Incoming("transitions")
 * CompletionStage&lt;Void&gt; consume(Message&lt;byte[]&gt; record) {
 *     return inbound.process(record, Codecs.TRANSITION_BATCH, store::add);
 * }
 * </pre>
 * The channel must be configured with {@code failure-strategy=dead-letter-queue}; a nack then writes the
 * untouched record to the dead-letter topic with SmallRye's {@code dead-letter-*} headers, plus
 * {@value #REASON_CODE_HEADER} with the bare reason code. The offset is committed only after the record
 * was processed or dead-lettered, so nothing is lost on a crash.
 */
@ApplicationScoped
public class InboundRecords {

    /** Header with the machine-readable reason ({@link InvalidRecordException.Reason} or PROCESSING_FAILED). */
    public static final String REASON_CODE_HEADER = "sim2real-reason-code";
    public static final String PROCESSING_FAILED = "PROCESSING_FAILED";

    private static final Logger LOG = Logger.getLogger(InboundRecords.class);

    /** What a service does with a valid message. */
    @FunctionalInterface
    public interface Handler<T> {
        void handle(T message) throws Exception;
    }

    /** What a service does with a valid message when it also needs where the record came from. */
    @FunctionalInterface
    public interface RecordHandler<T> {
        void handle(T message, IncomingKafkaRecordMetadata<?, ?> source) throws Exception;
    }

    @Inject
    MeterRegistry registry;

    @Inject
    EnvSpec envSpec;

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * For compacted topics: a record with a null value is a tombstone that deletes its key; it goes to
     * {@code onTombstone} with the key instead of being dead-lettered.
     */
    public <T extends Sim2RealMessage> CompletionStage<Void> processCompacted(Message<byte[]> record, MessageCodec<T> codec,
                                                                              Handler<T> handler, Handler<String> onTombstone) {
        Object key = keyOf(record);
        if (record.getPayload() == null && key != null) {
            try {
                onTombstone.handle(key.toString());
            } catch (Exception e) {
                return deadLetter(record, topicOf(record), PROCESSING_FAILED, e);
            }
            return record.ack();
        }
        return process(record, codec, handler);
    }

    public <T extends Sim2RealMessage> CompletionStage<Void> process(Message<byte[]> record, MessageCodec<T> codec,
                                                                     Handler<T> handler) {
        return process(record, codec, (RecordHandler<T>) (message, source) -> handler.handle(message));
    }

    /** As {@link #process(Message, MessageCodec, Handler)}, handing over the record's topic, partition and offset. */
    @SuppressWarnings("unchecked")
    public <T extends Sim2RealMessage> CompletionStage<Void> process(Message<byte[]> record, MessageCodec<T> codec,
                                                                     RecordHandler<T> handler) {
        String topic = topicOf(record);
        T message;
        try {
            message = codec.decode(record.getPayload(), envSpec);
            requireKeyMatchesRun(record, message);
        } catch (InvalidRecordException e) {
            return deadLetter(record, topic, e.reason().name(), e);
        }
        try {
            handler.handle(message, record.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null));
        } catch (InvalidRecordException e) {
            // The service's own checks (beyond the contract's) found the record unusable.
            return deadLetter(record, topic, e.reason().name(), e);
        } catch (Exception e) {
            LOG.errorf(e, "processing a valid %s from %s failed", codec.type().getSimpleName(), topic);
            return deadLetter(record, topic, PROCESSING_FAILED, e);
        }
        counter("sim2real.records.consumed", topic, null).increment();
        return record.ack();
    }

    /** A record keyed by another run would land in another partition and lose its order. */
    private static void requireKeyMatchesRun(Message<byte[]> record, Sim2RealMessage message) throws InvalidRecordException {
        Object key = keyOf(record);
        if (key == null) {
            throw new InvalidRecordException(InvalidRecordException.Reason.KEY_MISMATCH,
                    "record has no key; the key must be the message's runId '" + message.runId() + "'");
        }
        if (!key.equals(message.runId())) {
            throw new InvalidRecordException(InvalidRecordException.Reason.KEY_MISMATCH,
                    "record key '" + key + "' is not the message's runId '" + message.runId() + "'");
        }
    }

    private CompletionStage<Void> deadLetter(Message<byte[]> record, String topic, String reasonCode, Exception cause) {
        LOG.warnf("dead-lettering a record from %s: %s", topic, cause.getMessage());
        counter("sim2real.records.dead.lettered", topic, reasonCode).increment();
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_CODE_HEADER, reasonCode.getBytes(StandardCharsets.UTF_8));
        Metadata extra = Metadata.of(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build());
        return record.nack(cause, extra);
    }

    private Counter counter(String name, String topic, String reason) {
        String key = name + '|' + topic + '|' + reason;
        return counters.computeIfAbsent(key, k -> {
            Counter.Builder b = Counter.builder(name).tag("topic", topic);
            if (reason != null) {
                b.tag("reason", reason).description("Records sent to a dead-letter topic, by source topic and reason");
            } else {
                b.description("Valid records consumed and processed, by topic");
            }
            return b.register(registry);
        });
    }

    private static Object keyOf(Message<?> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getKey).orElse(null);
    }

    private static String topicOf(Message<?> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(IncomingKafkaRecordMetadata::getTopic)
                .orElse("unknown");
    }
}

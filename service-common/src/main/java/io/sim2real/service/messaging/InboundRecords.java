package io.sim2real.service.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;
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
 * A record that fails goes to {@link DeadLetters}, whatever its size, and is acked only once its dead letter is on
 * the broker: the offset is committed only after the record was processed or dead-lettered, so nothing is lost
 * on a crash, and while the dead-letter topic cannot be written the channel waits on that record (and retries)
 * instead of failing. Channels keep SmallRye's {@code failure-strategy=ignore}: this class never nacks.
 */
@ApplicationScoped
public class InboundRecords {

    /** Header with the machine-readable reason ({@link InvalidRecordException.Reason} or PROCESSING_FAILED). */
    public static final String REASON_CODE_HEADER = DeadLetters.REASON_CODE_HEADER;
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

    @Inject
    DeadLetters deadLetters;

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
            // The record's content-type header chooses JSON (v1, also when absent) or Protobuf (v2).
            message = codec.decode(record.getPayload(), headersOf(record), envSpec);
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
        consumedCounter(topic).increment();
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
        LOG.warnf("dead-lettering a record from %s: %s", topic, abbreviated(cause.getMessage()));
        IncomingKafkaRecordMetadata<?, ?> source = record.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        DeadLetters.Source letter = source == null
                ? new DeadLetters.Source(topic, -1, -1, null, record.getPayload(), null)
                : new DeadLetters.Source(topic, source.getPartition(), source.getOffset(),
                        source.getKey() == null ? null : source.getKey().toString(), record.getPayload(), source.getHeaders());
        return deadLetters.send(letter, reasonCode, cause).thenCompose(delivered -> record.ack());
    }

    /** A reason can quote a whole record; the log gets its start. */
    private static String abbreviated(String message) {
        return message == null || message.length() <= 500 ? message : message.substring(0, 500) + "…";
    }

    private Counter consumedCounter(String topic) {
        return counters.computeIfAbsent(topic, t -> Counter.builder("sim2real.records.consumed").tag("topic", t)
                .description("Valid records consumed and processed, by topic").register(registry));
    }

    private static Object keyOf(Message<?> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getKey).orElse(null);
    }

    private static Headers headersOf(Message<?> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getHeaders).orElse(null);
    }

    private static String topicOf(Message<?> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(IncomingKafkaRecordMetadata::getTopic)
                .orElse("unknown");
    }
}

package io.sim2real.contracts.json;

import io.sim2real.contracts.WireFormat;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.protobuf.Precision;
import io.sim2real.contracts.protobuf.RolloutBatchV2;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka value serializer for every sim2real message, in the encoding chosen for it, named by the record's
 * {@value WireFormat#HEADER} header (docs/CONTRACTS.md section 8). By default RolloutBatch goes as Protobuf (schema
 * version 2: its topic carries nearly all of a run's bytes) and everything else as JSON (schema version 1), because
 * some readers of the other topics still read values without their headers. The producer setting
 * {@value #WIRE_FORMAT_CONFIG} ({@code json} or {@code protobuf}; on a SmallRye channel
 * {@code mp.messaging.outgoing.<channel>.sim2real.wire-format}) chooses one encoding for every message this producer
 * sends that has it; a message without a Protobuf encoding goes as JSON. {@value #ROLLOUT_PRECISION_CONFIG}
 * ({@code exact} or {@code float32}) chooses how RolloutBatch's numbers are packed in v2 ({@link RolloutBatchV2}).
 */
public class MessageSerializer implements Serializer<Sim2RealMessage> {

    /** The producer setting that chooses the encoding. */
    public static final String WIRE_FORMAT_CONFIG = "sim2real.wire-format";
    /** The messages that go as Protobuf when {@value #WIRE_FORMAT_CONFIG} is not set. */
    public static final Set<Class<? extends Sim2RealMessage>> PROTOBUF_BY_DEFAULT = Set.of(RolloutBatch.class);

    /** The producer setting for RolloutBatch's v2 numbers: {@code exact} (default) or {@code float32} (protobuf.Precision). */
    public static final String ROLLOUT_PRECISION_CONFIG = "sim2real.rollout-precision";

    private WireFormat configured;
    private RolloutBatchV2 rollouts = new RolloutBatchV2(Precision.EXACT);

    public MessageSerializer() {
    }

    /** A serializer with a fixed encoding (null: the defaults), for producers built in code. */
    public MessageSerializer(WireFormat format) {
        this.configured = format;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object value = configs.get(WIRE_FORMAT_CONFIG);
        if (value != null && !value.toString().isBlank()) {
            configured = WireFormat.ofSetting(value.toString(), WIRE_FORMAT_CONFIG);
        }
        Object precision = configs.get(ROLLOUT_PRECISION_CONFIG);
        if (precision != null && !precision.toString().isBlank()) {
            rollouts = new RolloutBatchV2(switch (precision.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
                case "exact" -> Precision.EXACT;
                case "float32" -> Precision.FLOAT32;
                default -> throw new IllegalArgumentException(ROLLOUT_PRECISION_CONFIG + " is '" + precision
                        + "', expected exact or float32");
            });
        }
    }

    /** The encoding a message goes in. */
    public WireFormat formatOf(Sim2RealMessage message) {
        MessageCodec<?> codec = Codecs.of(message.getClass());
        WireFormat wanted = configured != null ? configured
                : PROTOBUF_BY_DEFAULT.contains(message.getClass()) ? WireFormat.PROTOBUF : WireFormat.JSON;
        return codec.supports(wanted) ? wanted : WireFormat.JSON;
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Sim2RealMessage message) {
        if (message == null) {
            return null;
        }
        WireFormat format = formatOf(message);
        byte[] value = encode(topic, message, format);
        headers.remove(WireFormat.HEADER);
        headers.add(WireFormat.HEADER, format.headerValue());
        return value;
    }

    /** Without headers (a caller that cannot set them) a value can only be JSON: a reader takes header-less values as JSON. */
    @Override
    public byte[] serialize(String topic, Sim2RealMessage message) {
        return message == null ? null : encode(topic, message, WireFormat.JSON);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private byte[] encode(String topic, Sim2RealMessage message, WireFormat format) {
        try {
            if (format == WireFormat.PROTOBUF && message instanceof RolloutBatch r) {
                return rollouts.encode(r);
            }
            return ((MessageCodec) Codecs.of(message.getClass())).encode(message, format);
        } catch (RuntimeException e) {
            throw new SerializationException("cannot encode " + message.getClass().getSimpleName() + " for " + topic
                    + " as " + format.contentType(), e);
        }
    }
}

package io.sim2real.contracts.json;

import io.sim2real.contracts.WireFormat;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.Sim2RealMessage;
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
 * sends that has it; a message without a Protobuf encoding goes as JSON.
 */
public class MessageSerializer implements Serializer<Sim2RealMessage> {

    /** The producer setting that chooses the encoding. */
    public static final String WIRE_FORMAT_CONFIG = "sim2real.wire-format";
    /** The messages that go as Protobuf when {@value #WIRE_FORMAT_CONFIG} is not set. */
    public static final Set<Class<? extends Sim2RealMessage>> PROTOBUF_BY_DEFAULT = Set.of(RolloutBatch.class);

    private WireFormat configured;

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
    private static byte[] encode(String topic, Sim2RealMessage message, WireFormat format) {
        try {
            return ((MessageCodec) Codecs.of(message.getClass())).encode(message, format);
        } catch (RuntimeException e) {
            throw new SerializationException("cannot encode " + message.getClass().getSimpleName() + " for " + topic
                    + " as " + format.contentType(), e);
        }
    }
}

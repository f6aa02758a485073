package io.sim2real.contracts.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sim2real.contracts.messages.Sim2RealMessage;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka value serializer for every sim2real message: the wire JSON of {@link MessageCodec#MAPPER}. */
public class MessageSerializer implements Serializer<Sim2RealMessage> {

    @Override
    public byte[] serialize(String topic, Sim2RealMessage message) {
        if (message == null) {
            return null;
        }
        try {
            return MessageCodec.MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot encode " + message.getClass().getSimpleName() + " for " + topic, e);
        }
    }
}

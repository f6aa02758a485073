package io.sim2real.contracts.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.contracts.validation.InvalidRecordException.Reason;
import java.io.IOException;

/**
 * JSON encoding of one message type, and the reading path every consumer uses: parse, then validate.
 * Every field is required unless its record says it is optional; a missing number or boolean is MALFORMED.
 * Reading accepts the non-standard tokens NaN and Infinity (Python's json module writes them) so that
 * such a record is rejected as NON_FINITE with the offending field named, not as unparseable.
 */
public final class MessageCodec<T extends Sim2RealMessage> {

    /** The one JSON mapper of the wire format. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Transitions are mostly doubles: Schubfach writing and fast parsing are several times faster
            // than the JDK's, and exact (shortest round-tripping representation).
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // No silent coercion: "1" is not a number, 998.7 is not a step index, 0 is not false.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private final Class<T> type;
    private final ObjectReader reader;

    private MessageCodec(Class<T> type) {
        this.type = type;
        this.reader = MAPPER.readerFor(type);
    }

    public static <T extends Sim2RealMessage> MessageCodec<T> of(Class<T> type) {
        return new MessageCodec<>(type);
    }

    public Class<T> type() {
        return type;
    }

    public byte[] encode(T message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Parses and validates; the exception names the first problem. */
    public T decode(byte[] bytes, EnvSpec spec) throws InvalidRecordException {
        T message = parse(bytes);
        message.validate(spec);
        return message;
    }

    /** Parses without validating the content. */
    public T parse(byte[] bytes) throws InvalidRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(Reason.MALFORMED, "empty record value");
        }
        try {
            T message = reader.readValue(bytes);
            if (message == null) {
                throw new InvalidRecordException(Reason.MALFORMED, "record value is JSON null");
            }
            return message;
        } catch (IOException e) {
            // A newer schema may not parse as this one; say so rather than "malformed".
            Integer version = peekSchemaVersion(bytes);
            if (version != null && !SchemaVersion.isKnown(version)) {
                throw new InvalidRecordException(Reason.UNSUPPORTED_SCHEMA_VERSION,
                        "schemaVersion " + version + " is not supported (this service reads " + SchemaVersion.CURRENT + ")", e);
            }
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new InvalidRecordException(Reason.MALFORMED,
                    "not a valid " + type.getSimpleName() + ": " + firstLine(detail), e);
        }
    }

    private static Integer peekSchemaVersion(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            JsonNode version = node == null ? null : node.get("schemaVersion");
            return version != null && version.canConvertToInt() ? version.intValue() : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

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
import io.sim2real.contracts.WireFormat;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.protobuf.ProtobufCodec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.contracts.validation.InvalidRecordException.Reason;
import java.io.IOException;
import org.apache.kafka.common.header.Headers;

/**
 * Encodings of one message type, and the reading path every consumer uses: parse, then validate. JSON (schema version
 * 1) for every type; Protobuf (schema version 2, {@link WireFormat#PROTOBUF}) for the numeric ones. A record's
 * {@value WireFormat#HEADER} header chooses the decoder ({@link #decode(byte[], Headers, EnvSpec)}); without it the
 * value is JSON.
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
    private final ProtobufCodec<T> protobuf;

    private MessageCodec(Class<T> type, ProtobufCodec<T> protobuf) {
        this.type = type;
        this.reader = MAPPER.readerFor(type);
        this.protobuf = protobuf;
    }

    /** A type that travels as JSON only. */
    public static <T extends Sim2RealMessage> MessageCodec<T> of(Class<T> type) {
        return new MessageCodec<>(type, null);
    }

    /** A type that also has schema version 2, in Protobuf. */
    public static <T extends Sim2RealMessage> MessageCodec<T> of(Class<T> type, ProtobufCodec<T> protobuf) {
        return new MessageCodec<>(type, protobuf);
    }

    public Class<T> type() {
        return type;
    }

    public boolean supports(WireFormat format) {
        return format == WireFormat.JSON || protobuf != null;
    }

    /** The value in the given encoding; the record's {@value WireFormat#HEADER} header must name it. */
    public byte[] encode(T message, WireFormat format) {
        if (format == WireFormat.JSON) {
            return encode(message);
        }
        if (protobuf == null) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no " + format.contentType() + " encoding");
        }
        return protobuf.encode(message);
    }

    /** Decodes a record's value in the encoding its headers name (JSON without a {@value WireFormat#HEADER} header). */
    public T decode(byte[] bytes, Headers headers, EnvSpec spec) throws InvalidRecordException {
        return decode(bytes, WireFormat.of(headers), spec);
    }

    public T decode(byte[] bytes, WireFormat format, EnvSpec spec) throws InvalidRecordException {
        T message = parse(bytes, format);
        message.validate(spec);
        return message;
    }

    /** Parses a record's value in the encoding its headers name, without validating the content. */
    public T parse(byte[] bytes, Headers headers) throws InvalidRecordException {
        return parse(bytes, WireFormat.of(headers));
    }

    public T parse(byte[] bytes, WireFormat format) throws InvalidRecordException {
        if (format == WireFormat.JSON) {
            return parse(bytes);
        }
        if (protobuf == null) {
            throw new InvalidRecordException(Reason.UNSUPPORTED_SCHEMA_VERSION, type.getSimpleName() + " has no "
                    + format.contentType() + " encoding (schema version " + format.schemaVersion() + "); send it as "
                    + WireFormat.JSON.contentType());
        }
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(Reason.MALFORMED, "empty record value");
        }
        return protobuf.parse(bytes);
    }

    public byte[] encode(T message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Parses JSON and validates; the exception names the first problem. */
    public T decode(byte[] bytes, EnvSpec spec) throws InvalidRecordException {
        T message = parse(bytes);
        message.validate(spec);
        return message;
    }

    /** Parses JSON without validating the content. */
    public T parse(byte[] bytes) throws InvalidRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(Reason.MALFORMED, "empty record value");
        }
        try {
            T message = reader.readValue(bytes);
            if (message == null) {
                throw new InvalidRecordException(Reason.MALFORMED, "record value is JSON null");
            }
            if (message.schemaVersion() != SchemaVersion.CURRENT) {
                throw unsupportedInJson(message.schemaVersion(), null);
            }
            return message;
        } catch (IOException e) {
            // A newer schema may not parse as this one; say so rather than "malformed".
            Integer version = peekSchemaVersion(bytes);
            if (version != null && version != SchemaVersion.CURRENT) {
                throw unsupportedInJson(version, e);
            }
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new InvalidRecordException(Reason.MALFORMED,
                    "not a valid " + type.getSimpleName() + ": " + firstLine(detail), e);
        }
    }

    /** JSON carries schema version 1 only; version 2 is Protobuf, named by the record's header. */
    private static InvalidRecordException unsupportedInJson(int version, Exception cause) {
        return new InvalidRecordException(Reason.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion " + version
                + " is not supported (this service reads " + SchemaVersion.CURRENT + " as " + WireFormat.JSON.contentType()
                + (SchemaVersion.isKnown(version) ? ", " + version + " only as " + WireFormat.PROTOBUF.contentType() : "")
                + ")", cause);
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

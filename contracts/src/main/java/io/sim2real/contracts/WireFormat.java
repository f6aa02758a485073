package io.sim2real.contracts;

import io.sim2real.contracts.validation.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * How a record's value is encoded, negotiated by one Kafka record header (docs/CONTRACTS.md section 8). A record
 * without the header is JSON of schema version 1, as robots and every producer before schema version 2 send it.
 * The header names the decoder; the value's own schema version must then be the one that encoding carries.
 */
public enum WireFormat {
    /** JSON, schema version 1: every message. */
    JSON("application/json", SchemaVersion.CURRENT),
    /** Protobuf, schema version 2 ({@code contracts/src/main/proto/sim2real_v2.proto}): the numeric messages only. */
    PROTOBUF("application/x-protobuf", SchemaVersion.PROTOBUF);

    /** The record header that names the encoding; dead-letter copies keep it with the original value. */
    public static final String HEADER = "content-type";

    private final String contentType;
    private final int schemaVersion;

    WireFormat(String contentType, int schemaVersion) {
        this.contentType = contentType;
        this.schemaVersion = schemaVersion;
    }

    /** The header's value for this encoding. */
    public String contentType() {
        return contentType;
    }

    /** The schema version records in this encoding carry. */
    public int schemaVersion() {
        return schemaVersion;
    }

    public byte[] headerValue() {
        return contentType.getBytes(StandardCharsets.UTF_8);
    }

    /** The encoding a record's headers name: the last {@value #HEADER} header, JSON when there is none. */
    public static WireFormat of(Headers headers) throws InvalidRecordException {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        return header == null ? JSON : ofContentType(header.value() == null ? null
                : new String(header.value(), StandardCharsets.UTF_8));
    }

    /** The encoding a {@value #HEADER} value names; null (no header) is JSON. */
    public static WireFormat ofContentType(String value) throws InvalidRecordException {
        if (value == null) {
            return JSON;
        }
        for (WireFormat f : values()) {
            if (f.contentType.equals(value.trim())) {
                return f;
            }
        }
        throw new InvalidRecordException(InvalidRecordException.Reason.MALFORMED, "header '" + HEADER + "' is '"
                + value + "', expected " + JSON.contentType + " or " + PROTOBUF.contentType);
    }

    /** A configuration value ({@code json} or {@code protobuf}, any case). */
    public static WireFormat ofSetting(String value, String key) {
        for (WireFormat f : values()) {
            if (f.name().equalsIgnoreCase(value.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException(key + " is '" + value + "', expected json or protobuf");
    }
}

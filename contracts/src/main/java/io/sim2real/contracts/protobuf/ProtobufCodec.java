package io.sim2real.contracts.protobuf;

import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * Schema version 2 of one numeric message: Protobuf ({@code sim2real_v2.proto}) carrying the values of the JSON
 * record. {@link #parse} checks the encoding (presence of required scalars, schema version, whole matrix rows); the
 * message's own {@code validate} then applies the same rules as to JSON.
 */
public interface ProtobufCodec<T> {

    byte[] encode(T message);

    T parse(byte[] bytes) throws InvalidRecordException;
}

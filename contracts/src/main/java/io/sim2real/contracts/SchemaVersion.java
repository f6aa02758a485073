package io.sim2real.contracts;

/**
 * Versions of the wire format. A consumer dead-letters any version it does not know. Version 1 is JSON (every
 * message); version 2 is Protobuf (the numeric messages, docs/CONTRACTS.md section 8), chosen by a record header
 * ({@link WireFormat}). Both carry the same fields and values.
 */
public final class SchemaVersion {

    /** JSON; what Java producers build their messages with. */
    public static final int CURRENT = 1;
    /** Protobuf with packed numbers: TransitionBatch, RolloutBatch, PolicySnapshot, CounterfactualBatch. */
    public static final int PROTOBUF = 2;

    private SchemaVersion() {
    }

    /** A version some encoding carries; {@link WireFormat} checks that it is the one its encoding carries. */
    public static boolean isKnown(int version) {
        return version == CURRENT || version == PROTOBUF;
    }
}

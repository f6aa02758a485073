package io.sim2real.contracts.validation;

/** A record that cannot be processed, with a machine-readable reason and a human-readable detail. */
public class InvalidRecordException extends Exception {

    /** Why a record was rejected; carried in the dead-letter headers. */
    public enum Reason {
        MALFORMED,
        UNSUPPORTED_SCHEMA_VERSION,
        MISSING_FIELD,
        DIMENSION_MISMATCH,
        NON_FINITE,
        OUT_OF_RANGE,
        /** The Kafka record key is not the message's runId, which would break per-run ordering. */
        KEY_MISMATCH
    }

    private final Reason reason;

    public InvalidRecordException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public InvalidRecordException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

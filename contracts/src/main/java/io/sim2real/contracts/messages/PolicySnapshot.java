package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A versioned policy on {@code sim2real.policies}. The network travels either inline in
 * {@code weights} (little-endian float32 parameters in the order the architecture defines,
 * base64 in JSON) with its SHA-256 in {@code sha256}, or as a {@code checkpointUri} for
 * networks too large to inline. Exactly one of the two is set.
 */
public record PolicySnapshot(
        int schemaVersion,
        String runId,
        long version,
        long envStep,
        String architecture,
        int obsDim,
        int actDim,
        byte[] weights,
        String sha256,
        String checkpointUri) implements Sim2RealMessage {

    /** Hex SHA-256 of a weight blob, as carried in {@code sha256}. */
    public static String sha256Of(byte[] weights) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        nonNegative(version, "version");
        nonNegative(envStep, "envStep");
        text(architecture, "architecture");
        length(obsDim, spec.obsDim(), "obsDim");
        length(actDim, spec.actDim(), "actDim");
        boolean inline = weights != null;
        boolean byReference = checkpointUri != null && !checkpointUri.isBlank();
        if (inline == byReference) {
            throw new InvalidRecordException(InvalidRecordException.Reason.MISSING_FIELD,
                    "exactly one of 'weights' and 'checkpointUri' must be set");
        }
        if (inline) {
            if (weights.length == 0 || weights.length % Float.BYTES != 0) {
                throw new InvalidRecordException(InvalidRecordException.Reason.DIMENSION_MISMATCH,
                        "weights hold " + weights.length + " bytes, not a whole number of float32 values");
            }
            text(sha256, "sha256");
            String actual = sha256Of(weights);
            if (!actual.equalsIgnoreCase(sha256)) {
                throw new InvalidRecordException(InvalidRecordException.Reason.MALFORMED,
                        "weights do not match sha256 " + sha256 + " (computed " + actual + ")");
            }
        }
    }
}

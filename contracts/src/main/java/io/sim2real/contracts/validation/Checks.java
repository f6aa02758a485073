package io.sim2real.contracts.validation;

import static io.sim2real.contracts.validation.InvalidRecordException.Reason.DIMENSION_MISMATCH;
import static io.sim2real.contracts.validation.InvalidRecordException.Reason.MISSING_FIELD;
import static io.sim2real.contracts.validation.InvalidRecordException.Reason.NON_FINITE;
import static io.sim2real.contracts.validation.InvalidRecordException.Reason.OUT_OF_RANGE;
import static io.sim2real.contracts.validation.InvalidRecordException.Reason.UNSUPPORTED_SCHEMA_VERSION;

import io.sim2real.contracts.SchemaVersion;

/** Small validation steps shared by the message records; each names the field that failed. */
public final class Checks {

    private Checks() {
    }

    public static void knownSchemaVersion(int version) throws InvalidRecordException {
        if (!SchemaVersion.isKnown(version)) {
            throw new InvalidRecordException(UNSUPPORTED_SCHEMA_VERSION,
                    "schemaVersion " + version + " is not supported (this service reads " + SchemaVersion.CURRENT + ")");
        }
    }

    public static void present(Object value, String field) throws InvalidRecordException {
        if (value == null) {
            throw new InvalidRecordException(MISSING_FIELD, "field '" + field + "' is missing");
        }
    }

    public static void text(String value, String field) throws InvalidRecordException {
        present(value, field);
        if (value.isBlank()) {
            throw new InvalidRecordException(MISSING_FIELD, "field '" + field + "' is blank");
        }
    }

    /** Run ids appear in record keys, metric labels and file names: keep them plain. */
    public static final java.util.regex.Pattern RUN_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public static void validRunId(String value) throws InvalidRecordException {
        text(value, "runId");
        if (!RUN_ID.matcher(value).matches()) {
            throw new InvalidRecordException(OUT_OF_RANGE, "runId '" + value + "' must match " + RUN_ID.pattern());
        }
    }

    public static void length(int actual, int expected, String field) throws InvalidRecordException {
        if (actual != expected) {
            throw new InvalidRecordException(DIMENSION_MISMATCH,
                    "field '" + field + "' has length " + actual + ", expected " + expected);
        }
    }

    public static void nonNegative(long value, String field) throws InvalidRecordException {
        if (value < 0) {
            throw new InvalidRecordException(OUT_OF_RANGE, "field '" + field + "' is " + value + ", must be >= 0");
        }
    }

    public static void finite(double value, String field) throws InvalidRecordException {
        if (!Double.isFinite(value)) {
            throw new InvalidRecordException(NON_FINITE, "field '" + field + "' is " + value);
        }
    }

    public static void inRange(double value, double low, double high, String field) throws InvalidRecordException {
        finite(value, field);
        if (value < low || value > high) {
            throw new InvalidRecordException(OUT_OF_RANGE,
                    "field '" + field + "' is " + value + ", outside [" + low + ", " + high + "]");
        }
    }

    /** A vector of n rows of width {@code width}, every entry finite. */
    public static void matrix(double[][] rows, int n, int width, String field) throws InvalidRecordException {
        present(rows, field);
        length(rows.length, n, field);
        for (int i = 0; i < n; i++) {
            double[] row = rows[i];
            if (row == null) {
                throw new InvalidRecordException(MISSING_FIELD, "field '" + field + "[" + i + "]' is missing");
            }
            length(row.length, width, field + "[" + i + "]");
            for (int j = 0; j < width; j++) {
                if (!Double.isFinite(row[j])) {
                    throw new InvalidRecordException(NON_FINITE,
                            "field '" + field + "[" + i + "][" + j + "]' is " + row[j]);
                }
            }
        }
    }

    public static void vector(double[] values, int n, String field) throws InvalidRecordException {
        present(values, field);
        length(values.length, n, field);
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(values[i])) {
                throw new InvalidRecordException(NON_FINITE, "field '" + field + "[" + i + "]' is " + values[i]);
            }
        }
    }

    /** Every entry of an action matrix inside the action bounds. */
    public static void bounded(double[][] rows, double low, double high, String field) throws InvalidRecordException {
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                double v = rows[i][j];
                if (v < low || v > high) {
                    throw new InvalidRecordException(OUT_OF_RANGE,
                            "field '" + field + "[" + i + "][" + j + "]' is " + v + ", outside [" + low + ", " + high + "]");
                }
            }
        }
    }
}

package io.sim2real.contracts.protobuf;

import static io.sim2real.contracts.validation.InvalidRecordException.Reason.DIMENSION_MISMATCH;
import static io.sim2real.contracts.validation.InvalidRecordException.Reason.MALFORMED;
import static io.sim2real.contracts.validation.InvalidRecordException.Reason.UNSUPPORTED_SCHEMA_VERSION;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.protobuf.generated.Sim2RealV2;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/** The shared steps of the v2 codecs: packing numbers, reading them back in rows, required scalars. */
final class Packing {

    private Packing() {
    }

    /**
     * Scratch space for one encoding on one thread: each packed field takes a slice, and {@link #reset()} at the start
     * of the next encoding reuses them, so a batch allocates only its output array (a large batch's packed fields are
     * otherwise arrays of hundreds of KB, the garbage collector's costliest kind). A slice stays valid until then; when
     * the space grows, earlier slices keep the old array.
     */
    static final class Arena {
        byte[] bytes = new byte[64 * 1024];
        int used;

        int take(int length) {
            if (used + length > bytes.length) {
                bytes = new byte[Math.max(2 * bytes.length, length)];
                used = 0;
            }
            int at = used;
            used += length;
            return at;
        }

        void reset() {
            used = 0;
        }
    }

    private static final ThreadLocal<Arena> ARENA = ThreadLocal.withInitial(Arena::new);

    /** Starts an encoding on this thread: the slices of the previous one are free again. */
    static void startEncoding() {
        ARENA.get().reset();
    }

    static Sim2RealV2.Numbers vector(double[] values, Precision precision, String field) {
        return matrix(new double[][] {values}, values.length, precision, field);
    }

    /** A row-major matrix of rows of {@code width}; ragged or null rows cannot be packed. */
    static Sim2RealV2.Numbers matrix(double[][] rows, int width, Precision precision, String field) {
        boolean f32 = true;
        for (int i = 0; i < rows.length; i++) {
            double[] row = rows[i];
            if (row == null || row.length != width) {
                throw new IllegalArgumentException("row " + i + " of '" + field + "' is "
                        + (row == null ? "null" : "of width " + row.length) + ", not of width " + width);
            }
            f32 &= asFloat32(row, precision, field);
        }
        int count = rows.length * width;
        int length = count * (f32 ? Float.BYTES : Double.BYTES);
        Arena arena = ARENA.get();
        int offset = arena.take(length);
        byte[] packed = arena.bytes;
        // Bulk puts through little-endian views: a copy per row on little-endian machines, not a call per value.
        ByteBuffer out = ByteBuffer.wrap(packed, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (f32) {
            FloatBuffer floats = out.asFloatBuffer();
            float[] row32 = new float[width];
            for (double[] row : rows) {
                for (int j = 0; j < width; j++) {
                    row32[j] = (float) row[j];
                }
                floats.put(row32);
            }
        } else {
            DoubleBuffer doubles = out.asDoubleBuffer();
            for (double[] row : rows) {
                doubles.put(row);
            }
        }
        // The slice is not written again before the encoder's toByteArray has copied it (Arena): no copy here.
        ByteString bytes = UnsafeByteOperations.unsafeWrap(packed, offset, length);
        return f32 ? Sim2RealV2.Numbers.newBuilder().setF32(bytes).build() : Sim2RealV2.Numbers.newBuilder().setF64(bytes).build();
    }

    /** The width every row of the given matrices has (0 when they have no rows). */
    static int width(String field, double[][]... matrices) {
        int width = -1;
        for (double[][] m : matrices) {
            if (m != null && m.length > 0 && m[0] != null) {
                if (width >= 0 && m[0].length != width) {
                    throw new IllegalArgumentException("'" + field + "' matrices differ in width: " + width + " and " + m[0].length);
                }
                width = m[0].length;
            }
        }
        return Math.max(width, 0);
    }

    private static boolean asFloat32(double[] values, Precision precision, String field) {
        if (precision == Precision.FLOAT32) {
            for (double v : values) {
                if (Double.isFinite(v) && Float.isInfinite((float) v)) {
                    throw new IllegalArgumentException("'" + field + "' holds " + v + ", beyond float32's range");
                }
            }
            return true;
        }
        for (double v : values) {
            // Bit equality keeps -0.0 apart from 0.0; a NaN goes as a float32 NaN, which validation refuses anyway.
            if (Double.doubleToLongBits((float) v) != Double.doubleToLongBits(v)) {
                return false;
            }
        }
        return true;
    }

    static double[] vector(Sim2RealV2.Numbers numbers, String field) throws InvalidRecordException {
        int count = count(numbers, field);
        return count == 0 ? new double[0] : matrix(numbers, count, field, field)[0];
    }

    /** Values a Numbers holds; refuses both encodings at once and a partial value. */
    private static int count(Sim2RealV2.Numbers numbers, String field) throws InvalidRecordException {
        int f32 = numbers.getF32().size();
        int f64 = numbers.getF64().size();
        if (f32 > 0 && f64 > 0) {
            throw new InvalidRecordException(MALFORMED, "field '" + field + "' carries both f32 and f64 values");
        }
        if (f32 % Float.BYTES != 0 || f64 % Double.BYTES != 0) {
            throw new InvalidRecordException(MALFORMED, "field '" + field + "' holds " + (f32 + f64) + " bytes, not whole "
                    + (f32 > 0 ? "float32" : "float64") + " values");
        }
        return f32 / Float.BYTES + f64 / Double.BYTES;
    }

    /** The rows of a packed matrix; its value count must be a whole number of rows of {@code width}. */
    static double[][] matrix(Sim2RealV2.Numbers numbers, int width, String field, String widthField)
            throws InvalidRecordException {
        int count = count(numbers, field);
        if (width <= 0) {
            if (count == 0) {
                return new double[0][];
            }
            throw new InvalidRecordException(DIMENSION_MISMATCH, "field '" + widthField + "' is " + width
                    + ", so the " + count + " values of '" + field + "' make no rows");
        }
        if (count % width != 0) {
            throw new InvalidRecordException(DIMENSION_MISMATCH, "field '" + field + "' holds " + count
                    + " values, not whole rows of " + widthField + " " + width);
        }
        double[][] rows = new double[count / width][width];
        if (numbers.getF32().size() > 0) {
            // Bulk: one view over the record's bytes (aliased by the parser, not copied), one float[] per batch.
            float[] values = new float[count];
            numbers.getF32().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            int k = 0;
            for (double[] row : rows) {
                for (int j = 0; j < width; j++) {
                    row[j] = values[k++];
                }
            }
        } else {
            DoubleBuffer in = numbers.getF64().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            for (double[] row : rows) {
                in.get(row);
            }
        }
        return rows;
    }

    static boolean[] flags(Sim2RealV2.Flags flags) {
        boolean[] out = new boolean[flags.getValuesCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = flags.getValues(i);
        }
        return out;
    }

    static Sim2RealV2.Flags flags(boolean[] values) {
        Sim2RealV2.Flags.Builder b = Sim2RealV2.Flags.newBuilder();
        for (boolean v : values) {
            b.addValues(v);
        }
        return b.build();
    }

    static void schemaVersion(boolean present, int version) throws InvalidRecordException {
        required(present, "schemaVersion");
        if (version != SchemaVersion.PROTOBUF) {
            throw new InvalidRecordException(UNSUPPORTED_SCHEMA_VERSION, "schemaVersion " + version
                    + " is not supported in application/x-protobuf, which carries " + SchemaVersion.PROTOBUF);
        }
    }

    /** A scalar number or boolean: required, as in JSON v1, where an absent one is MALFORMED. */
    static void required(boolean present, String field) throws InvalidRecordException {
        if (!present) {
            throw new InvalidRecordException(MALFORMED, "field '" + field + "' is missing");
        }
    }

    static Domain domain(Sim2RealV2.Domain d, String field) throws InvalidRecordException {
        return switch (d) {
            case SIM -> Domain.SIM;
            case REAL -> Domain.REAL;
            case DOMAIN_UNSPECIFIED -> null; // absent: validation says MISSING_FIELD, as for JSON null
            case UNRECOGNIZED -> throw new InvalidRecordException(MALFORMED, "field '" + field + "' has no domain number "
                    + "this schema knows");
        };
    }

    static Sim2RealV2.Domain domain(Domain d) {
        return d == null ? Sim2RealV2.Domain.DOMAIN_UNSPECIFIED : d == Domain.SIM ? Sim2RealV2.Domain.SIM : Sim2RealV2.Domain.REAL;
    }

    /** A parser input over the record's bytes whose byte fields are views of them, not copies. */
    static CodedInputStream input(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true);
        return in;
    }

    static InvalidRecordException malformed(String type, java.io.IOException e) {
        return new InvalidRecordException(MALFORMED, "not a valid " + type + " (application/x-protobuf): " + e.getMessage(), e);
    }

    static InvalidRecordException empty() {
        return new InvalidRecordException(MALFORMED, "empty record value");
    }
}

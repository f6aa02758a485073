package io.sim2real.datasets;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code .s2rds} layout in one place (docs/DATASETS.md): a header line of JSON, then fixed-size
 * big-endian records. The writer and the reader both go through here, so they cannot drift apart.
 */
public final class DatasetFormat {

    /** The header's {@code format}. */
    public static final String NAME = "sim2real-dataset";
    /** The header's {@code formatVersion} this code writes and reads. */
    public static final int VERSION = 1;
    public static final String FILE_EXTENSION = ".s2rds";
    /**
     * Longest header line accepted, newline included. Bounds what a reader buffers before it knows whether
     * the file is a dataset at all.
     */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    static final int FLAG_DONE = 1;
    static final int FLAG_TRUNCATED = 2;
    private static final int KNOWN_FLAGS = FLAG_DONE | FLAG_TRUNCATED;

    private DatasetFormat() {
    }

    /** Bytes per transition: episodeId, stepIndex, obs, act, reward, nextObs, flags. */
    public static long recordSize(int obsDim, int actDim) {
        return Long.BYTES + Integer.BYTES + (long) Double.BYTES * (2L * obsDim + actDim + 1) + 1;
    }

    /** Writes one record. DataOutput is big-endian, and writeDouble keeps every finite value's bits. */
    static void writeRecord(DataOutput out, long episodeId, int step, double[] obs, double[] act, double rew,
            double[] nextObs, boolean done, boolean truncated) throws IOException {
        out.writeLong(episodeId);
        out.writeInt(step);
        for (double v : obs) {
            out.writeDouble(v);
        }
        for (double v : act) {
            out.writeDouble(v);
        }
        out.writeDouble(rew);
        for (double v : nextObs) {
            out.writeDouble(v);
        }
        out.writeByte((done ? FLAG_DONE : 0) | (truncated ? FLAG_TRUNCATED : 0));
    }

    /**
     * Reads one record from a big-endian buffer positioned at its start.
     *
     * @throws IllegalArgumentException if the flags byte has reserved bits set
     */
    static Transition readRecord(ByteBuffer in, int obsDim, int actDim) {
        long episodeId = in.getLong();
        int step = in.getInt();
        double[] obs = readDoubles(in, obsDim);
        double[] act = readDoubles(in, actDim);
        double rew = in.getDouble();
        double[] nextObs = readDoubles(in, obsDim);
        int flags = in.get() & 0xff;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException(
                    String.format("flags byte is 0x%02x; bits 2-7 are reserved and must be 0", flags));
        }
        return new Transition(episodeId, step, obs, act, rew, nextObs, (flags & FLAG_DONE) != 0,
                (flags & FLAG_TRUNCATED) != 0);
    }

    private static double[] readDoubles(ByteBuffer in, int n) {
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
            v[j] = in.getDouble();
        }
        return v;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}

package io.sim2real.nn;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The versioned checkpoint format of every network: one line of JSON (format, version, kind, metadata, the
 * shape of each array, SHA-256 of the body) and then the arrays as little-endian float32, in order. Writes
 * are atomic (temporary file, then rename); a load checks format, version, kind, shapes and checksum before
 * touching the model, and says which of them does not match.
 */
public final class Checkpoint {

    public static final String FORMAT = "sim2real-checkpoint";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The header line. */
    public record Header(String format, int version, String kind, Map<String, Object> meta, List<long[]> shapes,
                         String sha256) {
    }

    /** A checkpoint read and verified: its header and its arrays. */
    public record Loaded(Header header, List<float[]> arrays) {

        /** Copies the arrays into {@code target}, which must have exactly the checkpoint's shapes. */
        public void restoreInto(List<INDArray> target) {
            if (target.size() != arrays.size()) {
                throw new CheckpointException("checkpoint holds " + arrays.size() + " arrays, the model has " + target.size());
            }
            for (int i = 0; i < target.size(); i++) {
                long[] want = target.get(i).shape();
                long[] have = header.shapes().get(i);
                if (!java.util.Arrays.equals(want, have)) {
                    throw new CheckpointException("array " + i + " has shape " + java.util.Arrays.toString(have)
                            + " in the checkpoint, the model needs " + java.util.Arrays.toString(want));
                }
            }
            for (int i = 0; i < target.size(); i++) {
                F32.view(target.get(i)).put(0, arrays.get(i));
            }
        }
    }

    /** A checkpoint that cannot be used: corrupt, of another format or version, or of another model shape. */
    public static class CheckpointException extends RuntimeException {
        public CheckpointException(String message) {
            super(message);
        }

        public CheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Checkpoint() {
    }

    public static void save(Path file, String kind, Map<String, Object> meta, List<INDArray> arrays) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<long[]> shapes = new ArrayList<>();
        for (INDArray a : arrays) {
            shapes.add(a.shape());
            FloatBuffer v = F32.view(a);
            ByteBuffer bytes = ByteBuffer.allocate(4 * v.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.capacity(); i++) {
                bytes.putFloat(v.get(i));
            }
            body.write(bytes.array());
        }
        byte[] data = body.toByteArray();
        Header header = new Header(FORMAT, VERSION, kind, meta, shapes, sha256(data));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                out.write(JSON.writeValueAsBytes(header));
                out.write('\n');
                out.write(data);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static Loaded load(Path file, String expectedKind) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        int nl = 0;
        while (nl < all.length && all[nl] != '\n') {
            nl++;
        }
        if (nl == all.length) {
            throw new CheckpointException(file + " is not a checkpoint: no header line");
        }
        Header header;
        try {
            header = JSON.readValue(new String(all, 0, nl, StandardCharsets.UTF_8), Header.class);
        } catch (IOException e) {
            throw new CheckpointException(file + " is not a checkpoint: unreadable header (" + e.getMessage() + ")", e);
        }
        if (!FORMAT.equals(header.format())) {
            throw new CheckpointException(file + " has format '" + header.format() + "', expected '" + FORMAT + "'");
        }
        if (header.version() != VERSION) {
            throw new CheckpointException(file + " is checkpoint version " + header.version() + ", this build reads " + VERSION);
        }
        if (!expectedKind.equals(header.kind())) {
            throw new CheckpointException(file + " holds a '" + header.kind() + "', expected a '" + expectedKind + "'");
        }
        byte[] data = java.util.Arrays.copyOfRange(all, nl + 1, all.length);
        long expectedBytes = 0;
        for (long[] s : header.shapes()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            expectedBytes += 4 * n;
        }
        if (data.length != expectedBytes) {
            throw new CheckpointException(file + " body has " + data.length + " bytes, its shapes need " + expectedBytes
                    + ": the file is truncated or corrupt");
        }
        String actual = sha256(data);
        if (!actual.equals(header.sha256())) {
            throw new CheckpointException(file + " checksum mismatch (header " + header.sha256() + ", body " + actual
                    + "): the file is corrupt");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> arrays = new ArrayList<>();
        for (long[] s : header.shapes()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            float[] a = new float[(int) n];
            in.asFloatBuffer().get(a);
            in.position(in.position() + 4 * (int) n);
            arrays.add(a);
        }
        return new Loaded(header, arrays);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

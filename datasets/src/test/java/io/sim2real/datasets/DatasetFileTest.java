package io.sim2real.datasets;

import static io.sim2real.datasets.TestData.SPEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadBackExactlyWhatWasWritten() throws Exception {
        Path file = dir.resolve("cheetah.s2rds");
        Dataset written = TestData.writer(10, 42).writeTo(file);

        Dataset read = DatasetReader.read(file, SPEC);

        assertEquals(written.header(), read.header());
        assertEquals(10, read.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(written.transition(i), read.transition(i), "transition " + i + " must survive bit for bit");
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(read.transition(0).act()[2]));
        assertEquals(Double.MIN_VALUE, read.transition(0).obs()[0]);
        assertTrue(read.transition(3).truncated());
        assertEquals(Map.of("action_delay", 2.0, "gravity", 1.5), read.header().physics());
        assertEquals(42L, read.header().seed());
        assertEquals(Domain.SIM, read.header().domain());
    }

    @Test
    void shouldLayOutTheFileAsDocumented() throws Exception {
        Path file = dir.resolve("layout.s2rds");
        Dataset d = TestData.writer(3, 7).writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        int newline = indexOf(bytes, (byte) '\n');

        ObjectNode header = (ObjectNode) MessageCodec.MAPPER.readTree(Arrays.copyOf(bytes, newline));
        assertEquals("sim2real-dataset", header.get("format").asText());
        assertEquals(1, header.get("formatVersion").asInt());
        assertEquals("HalfCheetah", header.get("envName").asText());
        assertEquals("sim", header.get("domain").asText());
        assertEquals(3, header.get("transitions").asLong());

        long recordSize = 8 + 4 + 8 * (2 * 17 + 6 + 1) + 1;
        assertEquals(341, recordSize);
        assertEquals(recordSize, d.header().recordSize());
        byte[] body = Arrays.copyOfRange(bytes, newline + 1, bytes.length);
        assertEquals(3 * recordSize, body.length);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        assertEquals(sha, header.get("bodySha256").asText());

        // Record 3 (index 2) field by field, big-endian.
        ByteBuffer r = ByteBuffer.wrap(body, (int) (2 * recordSize), (int) recordSize);
        Transition t = d.transition(2);
        assertEquals(t.episodeId(), r.getLong());
        assertEquals(t.step(), r.getInt());
        for (double v : t.obs()) {
            assertEquals(v, r.getDouble());
        }
        for (double v : t.act()) {
            assertEquals(v, r.getDouble());
        }
        assertEquals(t.rew(), r.getDouble());
        for (double v : t.nextObs()) {
            assertEquals(v, r.getDouble());
        }
        assertEquals((t.done() ? 1 : 0) | (t.truncated() ? 2 : 0), r.get());
        assertEquals(0, r.remaining());
    }

    @Test
    void shouldDetectAFlippedByteInTheBody() throws Exception {
        Path file = write(5);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 200] ^= 0x01;
        Files.write(file, bytes);

        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    }

    @Test
    void shouldRejectATruncatedFile() throws Exception {
        Path file = write(5);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));

        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("5 transitions × 341 bytes = 1705 bytes"), e.getMessage());
    }

    @Test
    void shouldRejectTrailingBytes() throws Exception {
        Path file = write(5);
        Files.write(file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().contains("3 unexpected bytes after the last transition"), e.getMessage());
    }

    @Test
    void shouldRejectAFileForOtherDimensionsNamingBoth() throws Exception {
        EnvSpec wider = new EnvSpec("HalfCheetah", 18, 6, -1.0, 1.0);
        Path file = dir.resolve("wider.s2rds");
        DatasetWriter writer = new DatasetWriter(wider, Domain.SIM, "random");
        writer.append(0, 0, new double[18], new double[6], 0.0, new double[18], false, false).writeTo(file);

        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().contains("obsDim 18"), e.getMessage());
        assertTrue(e.getMessage().contains("obsDim 17"), e.getMessage());
        // The header alone is still readable, e.g. to list datasets of every shape.
        assertEquals(18, DatasetReader.readHeader(file).obsDim());
    }

    @Test
    void shouldRejectAnotherFormatOrVersion() throws Exception {
        Path file = write(2);
        rewriteHeader(file, h -> h.put("formatVersion", 2));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().contains("format version 2 is not supported"), e.getMessage());

        rewriteHeader(file, h -> h.put("formatVersion", 1).put("format", "d4rl"));
        e = assertThrows(DatasetException.class, () -> DatasetReader.readHeader(file));
        assertTrue(e.getMessage().contains("not a sim2real dataset"), e.getMessage());
    }

    @Test
    void shouldRejectFilesThatAreNotDatasets() throws Exception {
        Path empty = Files.write(dir.resolve("empty.s2rds"), new byte[0]);
        assertMessage(empty, "file is empty");
        Path text = Files.writeString(dir.resolve("text.s2rds"), "hello world\n");
        assertMessage(text, "header line is not JSON");
        Path otherJson = Files.writeString(dir.resolve("other.s2rds"), "{\"rows\": 3}\n");
        assertMessage(otherJson, "not a sim2real dataset: format is missing");
        Path noNewline = Files.writeString(dir.resolve("partial.s2rds"), "{\"format\":\"sim2real-dataset\"");
        assertMessage(noNewline, "no terminating newline");
        Path binary = Files.write(dir.resolve("binary.s2rds"), new byte[DatasetFormat.MAX_HEADER_BYTES + 10]);
        assertMessage(binary, "no header line");
        assertMessage(dir.resolve("missing.s2rds"), "no such file");
    }

    @Test
    void shouldNameTheHeaderFieldThatIsWrong() throws Exception {
        Path file = write(2);
        rewriteHeader(file, h -> h.remove("obsDim"));
        assertMessage(file, "header: field 'obsDim' is missing");
        rewriteHeader(file, h -> h.put("obsDim", 17).put("domain", "robot"));
        assertMessage(file, "header: field 'domain': Cannot construct instance");
        rewriteHeader(file, h -> h.put("domain", "sim").put("bodySha256", "abc"));
        assertMessage(file, "header: bodySha256 is 'abc', expected 64 lower-case hex digits");
    }

    @Test
    void shouldValidateValuesAfterTheChecksum() throws Exception {
        // A NaN with a matching checksum: written by a buggy tool, not corrupted on the way.
        Path file = write(2);
        rewriteBody(file, body -> body.putDouble(8 + 4, Double.NaN));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().contains("transition 0") && e.getMessage().contains("obs[0] is NaN"), e.getMessage());

        Path flags = write(2);
        rewriteBody(flags, body -> body.put(2 * 341 - 1, (byte) 0x04));
        e = assertThrows(DatasetException.class, () -> DatasetReader.read(flags, SPEC));
        assertTrue(e.getMessage().contains("transition 1: flags byte is 0x04"), e.getMessage());
    }

    @Test
    void shouldCheckActionsAgainstTheExpectedBounds() throws Exception {
        Path file = write(2);
        EnvSpec narrower = new EnvSpec("HalfCheetah", 17, 6, -0.5, 0.5);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, narrower));
        assertTrue(e.getMessage().contains("outside [-0.5, 0.5]"), e.getMessage());
    }

    @Test
    void shouldLeaveNoTemporaryFiles() throws Exception {
        Path file = write(3);
        assertEquals(List.of(file), list(dir));

        // Replacing goes through the same temporary file and rename.
        TestData.writer(7, 1).writeTo(file);
        assertEquals(List.of(file), list(dir));
        assertEquals(7, DatasetReader.read(file, SPEC).size());
    }

    @Test
    void shouldLeaveNothingBehindWhenTheWriteFails() throws Exception {
        Path occupied = Files.createDirectory(dir.resolve("occupied.s2rds"));
        Dataset d = TestData.dataset(3);

        DatasetException e = assertThrows(DatasetException.class, () -> DatasetWriter.write(d, occupied));
        assertTrue(e.getMessage().contains("cannot write"), e.getMessage());
        assertEquals(List.of(occupied), list(dir));
        assertTrue(Files.isDirectory(occupied));
    }

    private Path write(int n) throws DatasetException {
        Path file = dir.resolve("data-" + n + "-" + System.nanoTime() + ".s2rds");
        TestData.writer(n, 42).writeTo(file);
        return file;
    }

    private static void assertMessage(Path file, String expected) {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(file, SPEC));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    private static void rewriteHeader(Path file, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int newline = indexOf(bytes, (byte) '\n');
        ObjectNode header = (ObjectNode) MessageCodec.MAPPER.readTree(Arrays.copyOf(bytes, newline));
        edit.accept(header);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(MessageCodec.MAPPER.writeValueAsBytes(header));
        out.write(Arrays.copyOfRange(bytes, newline, bytes.length));
        Files.write(file, out.toByteArray());
    }

    /** Edits the body and fixes the checksum, so only the later checks can catch the edit. */
    private static void rewriteBody(Path file, java.util.function.Consumer<ByteBuffer> edit) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int newline = indexOf(bytes, (byte) '\n');
        ByteBuffer body = ByteBuffer.wrap(Arrays.copyOfRange(bytes, newline + 1, bytes.length));
        edit.accept(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.array()));
        Files.write(file, Arrays.copyOf(bytes, newline + 1));
        rewriteHeader(file, h -> h.put("bodySha256", sha));
        Files.write(file, body.array(), java.nio.file.StandardOpenOption.APPEND);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("no newline");
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}

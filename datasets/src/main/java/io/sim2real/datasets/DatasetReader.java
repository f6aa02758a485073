package io.sim2real.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.MessageCodec;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Collectors;

/**
 * Reads {@code .s2rds} files, all or nothing: every check (header, dimensions, exact length, checksum,
 * then every value) passes before a {@link Dataset} exists, and any failure is a {@link DatasetException}
 * naming the file and the problem.
 */
public final class DatasetReader {

    private static final ObjectReader HEADER_READER = MessageCodec.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Java arrays are indexed by int; a body must fit in one. */
    private static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 8;

    private DatasetReader() {
    }

    /** The header alone, checked for format and consistency but not against the body (e.g. to list datasets). */
    public static DatasetHeader readHeader(Path file) throws DatasetException {
        try (InputStream in = new BufferedInputStream(Channels.newInputStream(FileChannel.open(file)))) {
            return readHeaderLine(in, file).header();
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The whole dataset, checked against {@code expected} (environment name and dimensions, action bounds). */
    public static Dataset read(Path file, EnvSpec expected) throws DatasetException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = new BufferedInputStream(Channels.newInputStream(channel))) {
            HeaderLine line = readHeaderLine(in, file);
            DatasetHeader header = line.header();
            checkSpec(header, expected, file);
            byte[] body = readBody(in, channel.size() - line.bytes(), header, file);
            // Verify before parsing: a corrupt body is refused as corrupt, not as whatever garbage it decodes to.
            String sha = DatasetFormat.hex(DatasetFormat.sha256().digest(body));
            if (!sha.equals(header.bodySha256())) {
                throw new DatasetException(file + ": body checksum mismatch: the header says " + header.bodySha256()
                        + " but the body hashes to " + sha + "; the file is corrupt");
            }
            return parse(file, header, expected, ByteBuffer.wrap(body));
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** Exactly transitions × recordSize bytes, and then the end of the file. */
    private static byte[] readBody(InputStream in, long sizeOnDisk, DatasetHeader header, Path file)
            throws IOException, DatasetException {
        long expected;
        try {
            expected = Math.multiplyExact(header.transitions(), header.recordSize());
        } catch (ArithmeticException overflow) {
            throw new DatasetException(file + ": header claims " + header.transitions() + " transitions, too many");
        }
        // Check the size on disk first, so a lying header never makes us allocate.
        checkLength(file, header, sizeOnDisk, expected);
        if (expected > MAX_BODY_BYTES) {
            throw new DatasetException(file + ": body is " + expected + " bytes, too large to load in memory");
        }
        byte[] body = in.readNBytes((int) expected);
        // Again on the bytes actually read, in case the file changed after its size was taken.
        long actual = body.length;
        if (actual == expected) {
            actual += in.transferTo(OutputStream.nullOutputStream());
        }
        checkLength(file, header, actual, expected);
        return body;
    }

    private static Dataset parse(Path file, DatasetHeader header, EnvSpec spec, ByteBuffer body) throws DatasetException {
        int n = (int) header.transitions();
        Columns columns = new Columns(n);
        for (int i = 0; i < n; i++) {
            Transition t;
            try {
                t = DatasetFormat.readRecord(body, header.obsDim(), header.actDim());
            } catch (IllegalArgumentException e) {
                throw new DatasetException(file + ": transition " + i + ": " + e.getMessage());
            }
            String problem = t.problem(spec).orElse(null);
            if (problem != null) {
                throw new DatasetException(file + ": transition " + i + " (episode " + t.episodeId() + ", step "
                        + t.step() + "): " + problem);
            }
            columns.set(i, t);
        }
        return columns.toDataset(header);
    }

    private record HeaderLine(DatasetHeader header, long bytes) {
    }

    /** Reads up to and including the first '\n', never more than MAX_HEADER_BYTES, and checks the header. */
    private static HeaderLine readHeaderLine(InputStream in, Path file) throws IOException, DatasetException {
        byte[] buf = new byte[DatasetFormat.MAX_HEADER_BYTES];
        int len = 0;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (len == buf.length - 1) {
                throw new DatasetException(file + ": no header line in the first " + DatasetFormat.MAX_HEADER_BYTES
                        + " bytes; not a sim2real dataset");
            }
            buf[len++] = (byte) b;
        }
        if (b == -1) {
            throw new DatasetException(file + (len == 0 ? ": file is empty" : ": header line has no terminating newline")
                    + "; not a complete sim2real dataset");
        }
        DatasetHeader header = parseHeader(buf, len, file);
        return new HeaderLine(header, len + 1L);
    }

    private static DatasetHeader parseHeader(byte[] buf, int len, Path file) throws DatasetException {
        JsonNode node;
        try {
            node = HEADER_READER.readTree(new ByteArrayInputStream(buf, 0, len));
        } catch (IOException e) {
            throw new DatasetException(file + ": header line is not JSON; not a sim2real dataset", e);
        }
        if (node == null || !node.isObject()) {
            throw new DatasetException(file + ": header line is not a JSON object; not a sim2real dataset");
        }
        // Format and version first: a newer version may have other fields, and must be refused as newer.
        JsonNode format = node.get("format");
        if (format == null || !DatasetFormat.NAME.equals(format.asText(null))) {
            throw new DatasetException(file + ": not a sim2real dataset: format is "
                    + (format == null ? "missing" : format.toString()) + ", expected '"
                    + DatasetFormat.NAME + "'");
        }
        JsonNode version = node.get("formatVersion");
        if (version == null || !version.isInt() || version.intValue() != DatasetFormat.VERSION) {
            throw new DatasetException(file + ": format version " + version + " is not supported (this reader reads"
                    + " version " + DatasetFormat.VERSION + ")");
        }
        try {
            DatasetHeader header = MessageCodec.MAPPER.treeToValue(node, DatasetHeader.class);
            String problem = header.problem().orElse(null);
            if (problem != null) {
                throw new DatasetException(file + ": header: " + problem);
            }
            return header;
        } catch (JsonMappingException e) {
            throw new DatasetException(file + ": header: " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new DatasetException(file + ": header: " + firstLine(e.getOriginalMessage()), e);
        }
    }

    /** Jackson's message, with the field it concerns, e.g. "field 'obsDim' is missing". */
    private static String describe(JsonMappingException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .collect(Collectors.joining("."));
        String message = firstLine(e.getOriginalMessage());
        if (message.startsWith("Cannot map `null`")) {
            return "field '" + field + "' is missing"; // Jackson's wording for an absent or null number
        }
        return field.isEmpty() ? message : "field '" + field + "': " + message;
    }

    private static void checkSpec(DatasetHeader h, EnvSpec expected, Path file) throws DatasetException {
        if (!h.envName().equals(expected.name()) || h.obsDim() != expected.obsDim() || h.actDim() != expected.actDim()) {
            throw new DatasetException(file + ": dataset is for " + h.envName() + " with obsDim " + h.obsDim()
                    + ", actDim " + h.actDim() + ", but " + expected.name() + " with obsDim " + expected.obsDim()
                    + ", actDim " + expected.actDim() + " was expected");
        }
    }

    private static void checkLength(Path file, DatasetHeader h, long actual, long expected) throws DatasetException {
        if (actual == expected) {
            return;
        }
        String promise = "the header promises " + h.transitions() + " transitions × " + h.recordSize() + " bytes = "
                + expected + " bytes";
        if (actual < expected) {
            throw new DatasetException(file + ": body is " + actual + " bytes but " + promise + "; the file is truncated");
        }
        throw new DatasetException(file + ": " + (actual - expected) + " unexpected bytes after the last transition ("
                + promise + ")");
    }

    private static DatasetException cannotRead(Path file, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file" : e.toString();
        return new DatasetException(file + ": cannot read: " + why, e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

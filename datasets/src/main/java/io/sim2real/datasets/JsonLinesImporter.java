package io.sim2real.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.MessageCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Imports a real robot's log: one JSON object per line (docs/DATASETS.md, "JSON-lines import"), e.g.
 * <pre>{"episodeId": 0, "step": 0, "obs": [...], "act": [...], "rew": 0.1, "nextObs": [...], "done": false}</pre>
 * All or nothing: the first bad line stops the import with a {@link DatasetException} naming the line
 * number and the problem, and nothing is returned. The result has domain {@code real} and behaviour
 * {@code imported}.
 */
public final class JsonLinesImporter {

    /** The header's {@code behaviour} for imported data. */
    public static final String BEHAVIOUR = "imported";

    // The wire format's mapper (NaN/Infinity parse, so they are reported as non-finite, not as bad JSON),
    // made to refuse anything after the object on the same line.
    private static final ObjectReader LINE_READER = MessageCodec.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLinesImporter() {
    }

    /** Imports a UTF-8 file; errors name the file. */
    public static Dataset read(Path file, EnvSpec spec) throws DatasetException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, spec, file.toString());
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": cannot read: no such file", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
    }

    /**
     * Imports every line of {@code in}, checked against {@code spec}.
     *
     * @param source names the input in error messages and in the header's description, e.g. a file name
     */
    public static Dataset read(Reader in, EnvSpec spec, String source) throws DatasetException {
        DatasetWriter writer = new DatasetWriter(spec, Domain.REAL, BEHAVIOUR).description("imported from " + source);
        BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
        int lineNo = 0;
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte-order mark some editors write
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Transition t = parseLine(line);
                    String problem = t.problem(spec).orElse(null);
                    if (problem != null) {
                        throw new BadLine(problem);
                    }
                    writer.append(t);
                } catch (BadLine e) {
                    throw new DatasetException(source + " line " + lineNo + ": " + e.getMessage());
                }
            }
        } catch (CharacterCodingException e) {
            throw new DatasetException(source + " line " + (lineNo + 1) + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new DatasetException(source + ": cannot read after line " + lineNo + ": " + e, e);
        }
        if (writer.size() == 0) {
            throw new DatasetException(source + ": no transitions (the input has no non-blank line)");
        }
        return writer.toDataset();
    }

    private static Transition parseLine(String line) throws BadLine {
        JsonNode node;
        try {
            node = LINE_READER.readTree(line);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new BadLine("malformed JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            String got = node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
            throw new BadLine("expected a JSON object, got " + got);
        }
        return new Transition(
                integer(node, "episodeId", Long.MIN_VALUE, Long.MAX_VALUE),
                (int) integer(node, "step", Integer.MIN_VALUE, Integer.MAX_VALUE),
                numbers(node, "obs"),
                numbers(node, "act"),
                number(node.get("rew"), "rew"),
                numbers(node, "nextObs"),
                flag(node, "done"),
                flag(node, "truncated"));
    }

    private static long integer(JsonNode obj, String field, long min, long max) throws BadLine {
        JsonNode v = required(obj, field);
        // 1.0 and 1e3 are not integers here, as on the wire (docs/CONTRACTS.md section 2).
        if (!v.isIntegralNumber()) {
            throw new BadLine(field + " must be an integer, got " + v);
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new BadLine(field + " is " + v + ", outside [" + min + ", " + max + "]");
        }
        return v.longValue();
    }

    private static double[] numbers(JsonNode obj, String field) throws BadLine {
        JsonNode v = required(obj, field);
        if (!v.isArray()) {
            throw new BadLine(field + " must be an array of numbers, got "
                    + v.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        double[] out = new double[v.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = number(v.get(j), field + "[" + j + "]");
        }
        return out;
    }

    private static double number(JsonNode v, String field) throws BadLine {
        if (v == null || v.isNull()) {
            throw new BadLine(field + " is missing");
        }
        if (!v.isNumber()) {
            throw new BadLine(field + " must be a number, got " + v);
        }
        return v.doubleValue();
    }

    /** Optional; absent means false. */
    private static boolean flag(JsonNode obj, String field) throws BadLine {
        JsonNode v = obj.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new BadLine(field + " must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static JsonNode required(JsonNode obj, String field) throws BadLine {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new BadLine(field + " is missing");
        }
        return v;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** One line's problem; the loop adds the line number. */
    private static final class BadLine extends Exception {
        BadLine(String message) {
            super(message, null, false, false);
        }
    }
}

package io.sim2real.datasets;

import static io.sim2real.datasets.TestData.SPEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.json.MessageCodec;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesImporterTest {

    @TempDir
    Path dir;

    @Test
    void shouldImportAGoodLog() throws Exception {
        List<Transition> rows = rows(6);
        List<String> lines = new ArrayList<>();
        for (Transition t : rows) {
            lines.add(json(t));
        }
        lines.add(2, "");          // blank lines are skipped
        lines.add("   ");
        // done and truncated may be left out when false
        ObjectNode minimal = (ObjectNode) MessageCodec.MAPPER.readTree(json(rows.get(0)));
        minimal.remove("done");
        minimal.remove("truncated");
        minimal.put("timestampMs", 123); // unknown fields are ignored
        lines.add(minimal.toString());

        Dataset d = JsonLinesImporter.read(new StringReader(String.join("\n", lines) + "\n"), SPEC, "robot.jsonl");

        assertEquals(7, d.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(rows.get(i), d.transition(i), "row " + i + " imported bit for bit");
        }
        assertFalse(d.transition(6).done());
        assertFalse(d.transition(6).truncated());
        DatasetHeader h = d.header();
        assertEquals(Domain.REAL, h.domain());
        assertEquals("imported", h.behaviour());
        assertEquals(Map.of(), h.physics());
        assertNull(h.seed());
        assertEquals("imported from robot.jsonl", h.description());
    }

    @Test
    void shouldRejectMalformedJsonNamingTheLine() {
        String input = line(0) + "\n\n" + "{\"episodeId\": 0, \"step\": 1, \"obs\": [1, 2\n" + line(2);
        assertRejected(input, "log.jsonl line 3: malformed JSON at column");
        assertRejected(line(0) + "\n" + line(1) + " {}", "line 2: malformed JSON");
        assertRejected("[1, 2, 3]", "line 1: expected a JSON object, got array");
    }

    @Test
    void shouldRejectAWrongDimension() {
        String shortObs = line(1).replace("\"obs\":[", "\"obs\":[0.5,");
        assertRejected(line(0) + "\n" + shortObs, "line 2: obs has length 18, expected 17");
    }

    @Test
    void shouldRejectNonFiniteNumbers() {
        String nan = line(1).replace("\"rew\":", "\"rew\":NaN,\"was\":");
        assertRejected(line(0) + "\n" + nan, "line 2: rew is NaN, must be finite");
        String inf = line(1).replace("\"nextObs\":[", "\"nextObs\":[Infinity,").replaceFirst(",[^,\\]]*\\],\"done\"",
                "],\"done\"");
        assertRejected(inf, "line 1: nextObs[0] is Infinity, must be finite");
    }

    @Test
    void shouldRejectAnActionOutOfBounds() {
        String wide = line(1).replace("\"act\":[", "\"act\":[1.5,").replaceFirst(",[^,\\]]*\\],\"rew\"", "],\"rew\"");
        assertRejected(line(0) + "\n" + wide, "line 2: act[0] is 1.5, outside [-1.0, 1.0]");
    }

    @Test
    void shouldRejectMissingOrMistypedFields() {
        assertRejected(line(0).replace("\"episodeId\":0,", ""), "line 1: episodeId is missing");
        assertRejected(line(0).replace("\"step\":0", "\"step\":0.0"), "line 1: step must be an integer, got 0.0");
        assertRejected(line(0).replace("\"step\":0", "\"step\":3000000000"), "line 1: step is 3000000000, outside");
        assertRejected(line(0).replace("\"step\":0", "\"step\":-1"), "line 1: step is -1, must be >= 0");
        assertRejected(line(0).replace("\"done\":false", "\"done\":0"), "line 1: done must be true or false");
        assertRejected(line(0).replace("\"obs\":[", "\"obs\":[\"1\","), "line 1: obs[0] must be a number");
        assertRejected(line(0).replace("\"rew\":", "\"rew\":null,\"was\":"), "line 1: rew is missing");
    }

    @Test
    void shouldRejectAnEmptyLog() {
        assertRejected("\n  \n", "log.jsonl: no transitions");
    }

    @Test
    void shouldRoundTripThroughTheFileFormat() throws Exception {
        List<Transition> rows = rows(5);
        StringBuilder log = new StringBuilder();
        for (Transition t : rows) {
            log.append(json(t)).append('\n');
        }
        Path jsonl = Files.writeString(dir.resolve("robot.jsonl"), log);

        Dataset imported = JsonLinesImporter.read(jsonl, SPEC);
        Path file = dir.resolve("robot.s2rds");
        DatasetWriter.write(imported, file);
        Dataset read = DatasetReader.read(file, SPEC);

        assertEquals(imported.header(), read.header());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i), read.transition(i));
        }
        assertTrue(read.header().description().contains("robot.jsonl"));
    }

    @Test
    void shouldNameAMissingFile() {
        Path missing = dir.resolve("nope.jsonl");
        DatasetException e = assertThrows(DatasetException.class, () -> JsonLinesImporter.read(missing, SPEC));
        assertTrue(e.getMessage().contains("nope.jsonl: cannot read: no such file"), e.getMessage());
    }

    private static List<Transition> rows(int n) {
        Random random = new Random(3);
        List<Transition> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(TestData.transition(random, i, 3));
        }
        return rows;
    }

    /** Row i of a fixed log, as one line with the fields in the documented order. */
    private static String line(int i) {
        return json(rows(i + 1).get(i));
    }

    private static String json(Transition t) {
        ObjectNode o = MessageCodec.MAPPER.createObjectNode();
        o.put("episodeId", t.episodeId());
        o.put("step", t.step());
        o.set("obs", MessageCodec.MAPPER.valueToTree(t.obs()));
        o.set("act", MessageCodec.MAPPER.valueToTree(t.act()));
        o.put("rew", t.rew());
        o.set("nextObs", MessageCodec.MAPPER.valueToTree(t.nextObs()));
        o.put("done", t.done());
        o.put("truncated", t.truncated());
        try {
            return MessageCodec.MAPPER.writeValueAsString(o);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRejected(String input, String expected) {
        DatasetException e = assertThrows(DatasetException.class,
                () -> JsonLinesImporter.read(new StringReader(input), SPEC, "log.jsonl"));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}

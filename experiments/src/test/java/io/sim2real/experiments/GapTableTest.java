package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gap-table command end to end on tiny settings: real MuJoCo data, real training, a complete report. */
class GapTableTest {

    @Test
    void shouldWriteAReportWithTablesCsvAndPlots(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path out = dir.resolve("report");
        Path readme = GapTable.run(new String[] {"--kinds", "gravity", "--factors", "1.0,2.0", "--seeds", "1,2", "--rows", "600",
                "--members", "2", "--elites", "1", "--hidden", "16", "--max-epochs", "2", "--latent-hidden", "8",
                "--joint-steps", "10", "--batch", "32", "--out", out.toString()}, new PrintStream(printed, true, StandardCharsets.UTF_8));

        String report = Files.readString(readme);
        assertTrue(report.contains("| gravity |"), report);
        assertTrue(report.contains("- seeds: [1, 2]"), report);
        assertTrue(report.contains("bin/sim2real gap-table --kinds gravity"), "the command that reproduces it");
        assertTrue(report.contains(" ± "), "spread over two seeds");
        List<String> cells = Files.readAllLines(out.resolve("cells.csv"));
        assertEquals(5, cells.size(), "header and 2 seeds x 2 factors");
        assertTrue(cells.get(1).startsWith("1,gravity,1.0,"), cells.get(1));
        for (String png : List.of("gap_vs_factor.png", "kl_vs_factor.png")) {
            byte[] bytes = Files.readAllBytes(out.resolve(png));
            assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
        }
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("4/4] seed 2"), "progress is printed");
    }

    @Test
    void shouldRefuseBadOptionsWithAClearMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(new String[] {"gap-table", "--kinds", "gravity,wind"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--kinds: unknown value 'wind'; valid: gravity, torso_length"), err.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Args(new String[] {"--rows", "many"}, java.util.Set.of("rows")).integer("rows", 1));
        assertTrue(e.getMessage().contains("--rows must be a whole number"));
        assertThrows(IllegalArgumentException.class, () -> new Args(new String[] {"--colour", "red"}, java.util.Set.of("rows")));
    }
}

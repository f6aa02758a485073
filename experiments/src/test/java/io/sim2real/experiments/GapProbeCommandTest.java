package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gap-probe command end to end on a tiny budget: real MuJoCo streams, real probes, a complete report. */
class GapProbeCommandTest {

    private static final String[] TINY = {"--every", "200", "--probe-seeds", "2", "--joint-steps", "10", "--envs", "8",
        "--episodes", "1"};

    private static String[] tiny(String... more) {
        String[] out = java.util.Arrays.copyOf(TINY, TINY.length + more.length);
        System.arraycopy(more, 0, out, TINY.length, more.length);
        return out;
    }

    @Test
    void shouldWriteTheProbeTablesForEachCellAndPairing(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path out = dir.resolve("report");
        Path readme = GapProbeCommand.run(tiny("--cells", "gravity=1.0,gravity=2.0", "--rounds", "2", "--out", out.toString()),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        String report = Files.readString(readme);
        for (String section : List.of("G and its noise floor per cell and pairing", "Round-to-round change of G at fixed physics",
                "Ordering by factor", "Do the two pairings rank the cells the same?", "Rank correlation with the return loss",
                "CPU per probe measurement", "the scripted gait")) {
            assertTrue(report.contains(section), section);
        }
        assertTrue(report.contains("bin/sim2real gap-probe --every 200"), "the command that reproduces it");
        List<String> gap = Files.readAllLines(out.resolve("gap.csv"));
        assertEquals(5, gap.size(), "header and 2 cells x 2 pairings");
        assertTrue(gap.get(1).startsWith("gravity ×1.0,counterfactual,"), gap.get(1));
        assertTrue(gap.get(2).startsWith("gravity ×1.0,unpaired,"), gap.get(2));

        // Counterfactual pairs are right: the nominal simulator put in a nominal real state predicts it exactly, and
        // misses it under gravity ×2.
        List<String> rounds = Files.readAllLines(out.resolve("rounds.csv"));
        assertEquals(5, rounds.size(), "header and 2 cells x 2 rounds");
        int discrepancy = List.of(rounds.get(0).split(",")).indexOf("discrepancy");
        for (int i = 1; i <= 4; i++) {
            String[] row = rounds.get(i).split(",");
            double d = Double.parseDouble(row[discrepancy]);
            if (row[0].equals("gravity ×1.0")) {
                assertTrue(d < 1e-20, "no gap, no discrepancy: " + d);
            } else {
                assertTrue(d > 1e-3, "gravity ×2 is missed by the simulator: " + d);
            }
        }
        byte[] png = Files.readAllBytes(out.resolve("gap_vs_factor.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG plot");
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("4/4] gravity ×2.0"), "progress is printed");
    }

    @Test
    void shouldDetectADriftOfGravityAndRaiseNoFalseAlarmOnFixedPhysics(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("drift");
        GapProbeCommand.run(new String[] {"--every", "512", "--probe-seeds", "2", "--joint-steps", "10", "--envs", "8",
            "--drift", "gravity=1.0:2.0@2048", "--drift-rounds", "5", "--stationary-steps", "4096", "--stationary-rounds", "0",
            "--out", out.toString()}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        List<String> drift = Files.readAllLines(out.resolve("drift.csv"));
        assertEquals(2, drift.size(), String.join("\n", drift));
        List<String> header = List.of(drift.get(0).split(","));
        String[] row = drift.get(1).split(",");
        long delay = Long.parseLong(row[header.indexOf("delay (transitions)")]);
        assertTrue(delay >= 0 && delay < 64, "gravity 1 -> 2 is caught within a few blocks of 16, got " + delay);
        assertEquals("0", row[header.indexOf("false alarms before the change")]);
        List<String> falseAlarms = Files.readAllLines(out.resolve("false_alarms.csv"));
        assertEquals(3, falseAlarms.size(), "both physics of the change, held fixed");
        assertTrue(falseAlarms.get(1).startsWith("neutral,4096,0,"), falseAlarms.get(1));
    }

    @Test
    void shouldRefuseBadOptionsNamingTheOptionBeforeAnyWork() {
        assertRefused("--cells", "gravity=wind", "--cells: the value of gravity is not a number");
        assertRefused("--cells", "wind=2.0", "--cells: unknown perturbation kind 'wind'; known: gravity");
        assertRefused("--cells", "observation_noise=0.1", "--cells: observation_noise cannot be paired");
        assertRefused("--cells", "gravity=-1", "--cells: gravity factor -1.0 is outside");
        assertRefused("--every", "10", "--every must be a whole number from 50 to 1000000, got 10");
        assertRefused("--rounds", "1", "--rounds must be a whole number from 2 to 10000, got 1");
        assertRefused("--behaviour", "jump", "--behaviour must be one of random, gait, noisy-gait or policy:FILE; got 'jump'");
        assertRefused("--policy", "/nonexistent/policy.json", "--policy: cannot read /nonexistent/policy.json");
        assertRefused("--drift", "gravity=1.0:1.5", "--drift takes kind=from:to@step");
        assertRefused("--drift", "gravity=1.0:1.5@100", "--drift: the change of 'gravity=1.0:1.5@100' must come at step 4000 or later");
        assertRefused("--stationary-steps", "100", "--stationary-steps is for --drift");
        assertRefused("--colour", "red", "unknown option --colour");
    }

    private static void assertRefused(String option, String value, String message) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(new String[] {"gap-probe", option, value}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, printed);
        assertTrue(printed.contains(message), printed);
        assertFalse(printed.contains("\tat "), "no stack trace: " + printed);
    }
}

package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as its own process, as bin/sim2real starts it, with output to files: no SLF4J warnings (it has a
 * logging binding), no ANSI colour (not a terminal), exit codes 2 and 0.
 */
class Sim2RealCliProcessTest {

    /** What the process printed and how it ended. */
    private record Ended(int code, String out, String err) {
    }

    private static Ended cli(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Sim2RealCli.class.getName()));
        command.addAll(List.of(args));
        File out = dir.resolve("stdout").toFile();
        File err = dir.resolve("stderr").toFile();
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        builder.environment().put("TERM", "xterm-256color");
        Process p = builder.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command ends");
        return new Ended(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8), Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseBadInputWithOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Ended e = cli(dir, "gap-table", "--rows", "-5");
        assertEquals(2, e.code(), e.err());
        assertEquals("sim2real gap-table: --rows must be a whole number from 100 to 1000000, got -5 (sim2real gap-table --help)\n", e.err());
        assertEquals("", e.out());
    }

    @Test
    void shouldPrintNoSlf4jWarningsAndNoColourIntoFiles(@TempDir Path dir) throws Exception {
        Ended e = cli(dir, "gap-table", "--kinds", "gravity", "--factors", "1.0", "--rows", "100", "--members", "2", "--elites", "1",
                "--hidden", "8", "--max-epochs", "2", "--latent-hidden", "8", "--joint-steps", "5", "--out", dir.resolve("report").toString());
        assertEquals(0, e.code(), e.err());
        assertFalse(e.err().contains("SLF4J"), "SLF4J has a provider: " + e.err());
        assertFalse(e.err().contains(" INFO "), "libraries' INFO is quiet: " + e.err());
        assertTrue(e.out().contains("report: "), e.out());
        assertFalse(e.out().contains("\u001b") || e.err().contains("\u001b"), "no ANSI codes in files");
        Ended help = cli(dir, "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("  gap-table ") && !help.out().contains("\u001b"), "the help in a file is plain text");
    }
}

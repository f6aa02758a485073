package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.datasets.Dataset;
import io.sim2real.datasets.DatasetReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCommandTest {

    @Test
    void shouldWriteAReadableRealDatasetInThePerturbedPhysics(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/thigh.s2rds");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(new String[] {"dataset", "--physics", "thigh_length=2.0", "--behaviour", "random",
                "--steps", "1234", "--envs", "3", "--seed", "5", "--out", file.toString()}, new PrintStream(text), System.err);
        assertEquals(0, code, text.toString(StandardCharsets.UTF_8));

        Dataset d = DatasetReader.read(file, EnvSpec.HALF_CHEETAH);
        assertEquals(1234, d.size());
        assertEquals(Domain.REAL, d.header().domain());
        assertEquals(Map.of("thigh_length", 2.0), d.header().physics());
        assertEquals("random", d.header().behaviour());
        assertEquals(5L, d.header().seed());
        // Same seed, same bytes: datasets are reproducible.
        Path again = dir.resolve("again.s2rds");
        Sim2RealCli.run(new String[] {"dataset", "--physics", "thigh_length=2.0", "--steps", "1234", "--envs", "3",
                "--seed", "5", "--out", again.toString()}, new PrintStream(new ByteArrayOutputStream()), System.err);
        assertEquals(d.header().bodySha256(), DatasetReader.read(again, EnvSpec.HALF_CHEETAH).header().bodySha256());
    }

    @Test
    void shouldCollectDifferentDataUnderOtherPhysics(@TempDir Path dir) throws Exception {
        Path neutral = dir.resolve("sim.s2rds");
        Path heavy = dir.resolve("gravity.s2rds");
        DatasetCommand.run(new String[] {"--domain", "sim", "--behaviour", "gait", "--steps", "200", "--out", neutral.toString()},
                new PrintStream(new ByteArrayOutputStream()));
        DatasetCommand.run(new String[] {"--physics", "gravity=2.0", "--behaviour", "gait", "--steps", "200", "--out", heavy.toString()},
                new PrintStream(new ByteArrayOutputStream()));
        Dataset a = DatasetReader.read(neutral, EnvSpec.HALF_CHEETAH);
        Dataset b = DatasetReader.read(heavy, EnvSpec.HALF_CHEETAH);
        assertEquals(Domain.SIM, a.header().domain());
        assertTrue(a.header().physics().isEmpty());
        assertNotEquals(a.header().bodySha256(), b.header().bodySha256(), "gravity changes the transitions");
    }

    @Test
    void shouldRefuseBadOptionsWithTheReasonAndWriteNothing(@TempDir Path dir) {
        Path file = dir.resolve("x.s2rds");
        String[][] bad = {
            {"--physics", "gravity=11", "--out", file.toString()},
            {"--physics", "wind=2", "--out", file.toString()},
            {"--physics", "gravity", "--out", file.toString()},
            {"--domain", "sim", "--physics", "gravity=1.5", "--out", file.toString()},
            {"--domain", "moon", "--out", file.toString()},
            {"--steps", "0", "--out", file.toString()},
            {"--behaviour", "expert", "--out", file.toString()},
            {"--physics", "gravity=1.5"},
        };
        for (String[] args : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DatasetCommand.run(args, new PrintStream(new ByteArrayOutputStream())), String.join(" ", args));
            assertFalse(e.getMessage().isBlank());
        }
        assertFalse(Files.exists(file));
    }
}

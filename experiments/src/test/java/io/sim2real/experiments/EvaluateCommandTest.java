package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.experiments.report.Stats;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sim2real evaluate on real MuJoCo: saved policies' returns in sim and under perturbations, and its refusals. */
class EvaluateCommandTest {

    @Test
    void shouldEvaluateEachPolicyInSimAndUnderEachPerturbationWithTheSameEpisodes(@TempDir Path dir) throws Exception {
        PolicySnapshot a = policy(1);
        Path fileA = save(a, dir.resolve("a.json"));
        Path fileB = save(policy(2), dir.resolve("b.json"));
        Path out = dir.resolve("report");
        EvaluateCommand.run(new String[] {"--policies", "first=" + fileA + ",second=" + fileB, "--kinds", "gravity,thigh_length",
                "--factors", "2.0", "--episodes", "2", "--seed", "40", "--out", out.toString()}, new PrintStream(new ByteArrayOutputStream()));

        List<String[]> transfer = Files.readAllLines(out.resolve("transfer.csv")).stream().skip(1).map(l -> l.split(",")).toList();
        assertEquals(4, transfer.size(), "a row per policy and kind");
        // The same episodes as a direct evaluation: the report is the policy's returns, not an estimate of them.
        List<Double> sim = PolicyReturns.evaluate(a, DomainPhysics.neutral(), 2, 40);
        List<Double> heavy = PolicyReturns.evaluate(a, PolicyReturns.perturbed("gravity", 2.0), 2, 40);
        assertEquals(List.of("first", "gravity", Stats.format(sim, 1), Stats.format(heavy, 1)), List.of(transfer.get(0)));
        assertEquals(transfer.get(0)[2], transfer.get(1)[2], "one sim return per policy");
        assertNotEquals(transfer.get(0)[3], transfer.get(1)[3], "gravity and thigh length change the returns differently");
        assertNotEquals(transfer.get(0)[2], transfer.get(2)[2], "another policy, other returns");

        List<String> methods = Files.readAllLines(out.resolve("methods.csv"));
        assertEquals(3, methods.size(), "a row per policy");
        String gravityCell = methods.get(1).split(",")[1];
        List<Double> combined = List.of((sim.get(0) + heavy.get(0)) / 2, (sim.get(1) + heavy.get(1)) / 2);
        assertEquals(Stats.format(sim, 0) + " / " + Stats.format(heavy, 0) + " / " + Stats.format(combined, 0), gravityCell,
                "sim / real / combined, combined the mean of an episode's two returns");
        assertTrue(Files.size(out.resolve("return_vs_factor.png")) > 1000);
        assertTrue(Files.readString(out.resolve("README.md")).contains("episode seeds 40 to 41"));
    }

    @Test
    void shouldRefuseBadOptionsWithTheReasonAndWriteNothing(@TempDir Path dir) throws Exception {
        Path good = save(policy(1), dir.resolve("good.json"));
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"not\": \"a policy\"}");
        Path out = dir.resolve("report");
        String[][] bad = {
            {"--out", out.toString()},
            {"--policies", "a=" + dir.resolve("missing.json"), "--out", out.toString()},
            {"--policies", "a=" + garbage, "--out", out.toString()},
            {"--policies", good.toString(), "--out", out.toString()},
            {"--policies", "a=" + good + ",a=" + good, "--out", out.toString()},
            {"--policies", "a=" + good, "--kinds", "wind", "--out", out.toString()},
            {"--policies", "a=" + good, "--episodes", "0", "--out", out.toString()},
        };
        for (String[] args : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EvaluateCommand.run(args, new PrintStream(new ByteArrayOutputStream())), String.join(" ", args));
            assertFalse(e.getMessage().isBlank());
        }
        assertFalse(Files.exists(out));
    }

    private static PolicySnapshot policy(long seed) {
        return PolicySnapshots.toSnapshot(new Sac(SacConfig.standard(17, 6, seed)).actor(), 17, new int[] {256, 256}, "test", 1, 0);
    }

    private static Path save(PolicySnapshot p, Path file) throws Exception {
        return Files.write(file, Codecs.POLICY_SNAPSHOT.encode(p));
    }
}

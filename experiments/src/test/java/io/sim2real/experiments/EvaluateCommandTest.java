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
import java.util.Map;
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
        assertRefusedWithoutAReport(out, Map.of(
                "either --policies", new String[] {"--out", out.toString()},
                "cannot read", new String[] {"--policies", "a=" + dir.resolve("missing.json"), "--out", out.toString()},
                "not a valid HalfCheetah policy", new String[] {"--policies", "a=" + garbage, "--out", out.toString()},
                "name=value pairs", new String[] {"--policies", good.toString(), "--out", out.toString()},
                "names a twice", new String[] {"--policies", "a=" + good + ",a=" + good, "--out", out.toString()},
                "--kinds: unknown value 'wind'; valid: gravity", new String[] {"--policies", "a=" + good, "--kinds", "wind", "--out", out.toString()},
                "--factors: gravity factor 20.0 is outside", new String[] {"--policies", "a=" + good, "--kinds", "gravity", "--factors", "2,20",
                    "--out", out.toString()},
                "--episodes must be a whole number from 1 to 1000, got 0", new String[] {"--policies", "a=" + good, "--episodes", "0", "--out", out.toString()}));
    }

    @Test
    void shouldTableTrainRunsByMethodAndRealDomainWithSimOnlyRunsInEveryDomain(@TempDir Path dir) throws Exception {
        Map<String, Double> gravity = Map.of("gravity", 2.0);
        run(dir.resolve("runs/mbpo-1"), "mbpo", 1, Map.of(), policy(1));
        PolicySnapshot mixed1 = policy(2);
        PolicySnapshot mixed2 = policy(3);
        run(dir.resolve("runs/mixed-1"), "mbpo-mixed", 1, gravity, mixed1);
        run(dir.resolve("runs/mixed-2"), "mbpo-mixed", 2, gravity, mixed2);
        run(dir.resolve("other/latent-1"), "latent-sim-init", 1, Map.of("thigh_length", 2.0), policy(4));
        Files.createDirectories(dir.resolve("runs/unfinished"));
        // runs/mixed-1 is also given on its own below: a run named twice counts once.
        Path out = dir.resolve("report");
        EvaluateCommand.run(new String[] {"--runs", dir.resolve("runs") + "," + dir.resolve("other/latent-1") + "," + dir.resolve("runs/mixed-1"), "--episodes", "2",
                "--seed", "7", "--out", out.toString()}, new PrintStream(new ByteArrayOutputStream()));

        List<String> methods = Files.readAllLines(out.resolve("methods.csv"));
        assertEquals(List.of("method", "gravity ×2.0: sim / real / combined", "thigh_length ×2.0: sim / real / combined"),
                List.of(methods.get(0).split(",")));
        String[] latent = methods.get(1).split(",");
        String[] mbpo = methods.get(2).split(",");
        String[] mixed = methods.get(3).split(",");
        assertEquals(List.of("latent-sim-init · random", "–"), List.of(latent[0], latent[1]), "a method without a run in a domain");
        assertTrue(latent[2].endsWith("¹") && mbpo[1].endsWith("¹") && mbpo[2].endsWith("¹"), "single seeds are marked: " + methods);
        // Two seeds: mean ± std over the seeds' episode means, each evaluated in the domain it trained on.
        DomainPhysics heavy = PolicyReturns.perturbed("gravity", 2.0);
        List<Double> sim = List.of(Stats.mean(PolicyReturns.evaluate(mixed1, DomainPhysics.neutral(), 2, 7)),
                Stats.mean(PolicyReturns.evaluate(mixed2, DomainPhysics.neutral(), 2, 7)));
        List<Double> real = List.of(Stats.mean(PolicyReturns.evaluate(mixed1, heavy, 2, 7)), Stats.mean(PolicyReturns.evaluate(mixed2, heavy, 2, 7)));
        List<Double> combined = List.of((sim.get(0) + real.get(0)) / 2, (sim.get(1) + real.get(1)) / 2);
        assertEquals(List.of("mbpo-mixed · random", Stats.format(sim, 0) + " / " + Stats.format(real, 0) + " / " + Stats.format(combined, 0), "–"),
                List.of(mixed));
        // A sim-only run in another run's real domain: its own returns there, not its sim returns.
        List<Double> mbpoSim = PolicyReturns.evaluate(policy(1), DomainPhysics.neutral(), 2, 7);
        List<Double> mbpoThigh = PolicyReturns.evaluate(policy(1), PolicyReturns.perturbed("thigh_length", 2.0), 2, 7);
        assertEquals(Stats.format(mbpoSim, 0) + " / " + Stats.format(mbpoThigh, 0), mbpo[2].substring(0, mbpo[2].lastIndexOf(" / ")));
        assertNotEquals(Stats.format(mbpoSim, 0), Stats.format(mbpoThigh, 0));
        assertEquals(6, Files.readAllLines(out.resolve("runs.csv")).size(), "header, mbpo in both domains, two mixed, one latent");
        assertTrue(Files.size(out.resolve("real_return_vs_factor.png")) > 1000);
    }

    @Test
    void shouldEvaluateARunsLastPoliciesByEnvStepWhenAskedTo(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("runs/mixed-1");
        run(run, "mbpo-mixed", 1, Map.of("gravity", 2.0), policy(5));
        Files.createDirectories(run.resolve("policies"));
        // By env step, not by name: step-1000 is the newest, then step-900.
        save(policy(6), run.resolve("policies/step-100.json"));
        save(policy(7), run.resolve("policies/step-200.json"));
        save(policy(8), run.resolve("policies/step-900.json"));
        save(policy(5), run.resolve("policies/step-1000.json"));
        Path out = dir.resolve("report");
        EvaluateCommand.run(new String[] {"--runs", run.toString(), "--last", "2", "--episodes", "1", "--seed", "3", "--out",
                out.toString()}, new PrintStream(new ByteArrayOutputStream()));

        List<Double> sim = new java.util.ArrayList<>(PolicyReturns.evaluate(policy(8), DomainPhysics.neutral(), 1, 3));
        sim.addAll(PolicyReturns.evaluate(policy(5), DomainPhysics.neutral(), 1, 3));
        String[] row = Files.readAllLines(out.resolve("runs.csv")).get(1).split(",");
        assertEquals(Stats.format(sim, 1), row[5], "the sim returns of the policies at steps 900 and 1000");
        assertTrue(Files.readString(out.resolve("README.md")).contains("the last 2 evaluated policies"));

        assertRefusedWithoutAReport(dir.resolve("refused"), Map.of(
                "saved only 4 policies", new String[] {"--runs", run.toString(), "--last", "5", "--out", dir.resolve("refused").toString()},
                "--last must be a whole number from 1 to 1000, got 0", new String[] {"--runs", run.toString(), "--last", "0", "--out", dir.resolve("refused").toString()}));
    }

    @Test
    void shouldRefuseRunsItCannotTable(@TempDir Path dir) throws Exception {
        run(dir.resolve("sim-only/mbpo-1"), "mbpo", 1, Map.of(), policy(1));
        run(dir.resolve("real/mixed-1"), "mbpo-mixed", 1, Map.of("gravity", 2.0), policy(2));
        run(dir.resolve("again/mixed-1"), "mbpo-mixed", 1, Map.of("gravity", 2.0), policy(3));
        run(dir.resolve("longer/mixed-2"), "mbpo-mixed", 2, Map.of("gravity", 2.0), policy(3), 2000);
        Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(dir.resolve("broken/run"));
        Files.writeString(dir.resolve("broken/run/run.properties"), "method=mbpo-mixed\nseed=one\nenv-steps=10\n");
        Path out = dir.resolve("report");
        String real = dir.resolve("real").toString();
        assertRefusedWithoutAReport(out, Map.of(
                "no finished train run", new String[] {"--runs", dir.resolve("empty").toString(), "--out", out.toString()},
                "is not a folder", new String[] {"--runs", dir.resolve("missing").toString(), "--out", out.toString()},
                "simulator alone", new String[] {"--runs", dir.resolve("sim-only").toString(), "--out", out.toString()},
                "--kinds and --factors are for --policies", new String[] {"--runs", real, "--kinds", "gravity", "--out", out.toString()},
                "either --policies", new String[] {"--runs", real, "--policies", "a=" + dir.resolve("sim-only/mbpo-1/policy.json"),
                    "--out", out.toString()},
                "two runs of mbpo-mixed · random @ gravity ×2.0 with seed 1", new String[] {"--runs", real + "," + dir.resolve("again"),
                    "--out", out.toString()},
                "different budgets", new String[] {"--runs", real + "," + dir.resolve("longer"), "--out", out.toString()},
                "broken/run/run.properties", new String[] {"--runs", dir.resolve("broken").toString(), "--out", out.toString()}));
    }

    @Test
    void shouldLabelARunByMethodAndRealDataSoThatDatasetsOfOtherQualityAreNotAveraged() {
        Path dir = Path.of("r");
        assertEquals("mbpo", new TrainedRun(dir, "mbpo", 1, 10, Map.of(), "", "", "").label());
        assertEquals("mbpo-mixed · random", new TrainedRun(dir, "mbpo-mixed", 1, 10, Map.of("gravity", 2.0), "random", "", "").label());
        assertEquals("latent-sim-init · policy step-11000.json", new TrainedRun(dir, "latent-sim-init", 1, 10, Map.of("gravity", 2.0),
                "policy /tmp/runs/mbpo/policies/step-11000.json (v80010, envStep 0)", "", "").label());
    }

    /** Each option set is refused with a message that holds its expected reason, and nothing is written. */
    private static void assertRefusedWithoutAReport(Path out, Map<String, String[]> reasons) {
        reasons.forEach((reason, args) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EvaluateCommand.run(args, new PrintStream(new ByteArrayOutputStream())), String.join(" ", args));
            assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
        });
        assertFalse(Files.exists(out));
    }

    private static void run(Path dir, String method, long seed, Map<String, Double> physics, PolicySnapshot policy) throws Exception {
        run(dir, method, seed, physics, policy, 1000);
    }

    private static void run(Path dir, String method, long seed, Map<String, Double> physics, PolicySnapshot policy, int envSteps)
            throws Exception {
        Files.createDirectories(dir);
        save(policy, dir.resolve("policy.json"));
        TrainedRun run = new TrainedRun(dir, method, seed, envSteps, physics, physics.isEmpty() ? "" : "random",
                physics.isEmpty() ? "" : "ab".repeat(32), "bin/sim2real train --method " + method);
        run.write();
        assertEquals(run, TrainedRun.read(dir), "run.properties reads back as written");
    }

    private static PolicySnapshot policy(long seed) {
        return PolicySnapshots.toSnapshot(new Sac(SacConfig.standard(17, 6, seed)).actor(), 17, new int[] {256, 256}, "test", 1, 0);
    }

    private static Path save(PolicySnapshot p, Path file) throws Exception {
        return Files.write(file, Codecs.POLICY_SNAPSHOT.encode(p));
    }
}

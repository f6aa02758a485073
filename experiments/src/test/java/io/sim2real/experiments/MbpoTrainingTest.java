package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSettings;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.datasets.DatasetWriter;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train command end to end on a tiny budget: real MuJoCo, real SAC and model updates, a complete report. */
class MbpoTrainingTest {

    @Test
    void shouldTrainEvaluateAndSaveAPolicyTheServicesAccept(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("train");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        MbpoTraining.run(new String[] {"--env-steps", "400", "--initial-steps", "200", "--updates-per-step", "1",
                "--model-every", "100", "--rollouts-per-step", "10", "--eval-every", "200", "--eval-episodes", "2",
                "--members", "2", "--elites", "1", "--hidden", "16", "--max-epochs", "2", "--kinds", "gravity",
                "--factors", "2.0", "--out", out.toString()}, new PrintStream(printed, true, StandardCharsets.UTF_8));

        PolicySnapshot policy = Codecs.POLICY_SNAPSHOT.decode(Files.readAllBytes(out.resolve("policy.json")), EnvSpec.HALF_CHEETAH);
        // Run as the services run it: a snapshot at every 50-step chunk boundary from the first update (step 200) on.
        assertEquals(List.of(5L, 400L), List.of(policy.version(), policy.envStep()), "the policy at step 400, the 5th");
        List<String> curve = Files.readAllLines(out.resolve("learning_curve.csv"));
        assertEquals(3, curve.size(), "header and evaluations at steps 200 and 400");
        String report = Files.readString(out.resolve("README.md"));
        assertTrue(report.contains("| gravity |") && report.contains("×2.0"), report);
        assertTrue(Files.size(out.resolve("learning_curve.png")) > 1000);
    }

    @Test
    void shouldReproduceARunBitForBitFromItsSeed(@TempDir Path dir) throws Exception {
        String[] first = tiny(dir.resolve("a"), "3");
        String[] second = tiny(dir.resolve("b"), "3");
        String[] other = tiny(dir.resolve("c"), "4");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        MbpoTraining.run(first, quiet);
        MbpoTraining.run(second, quiet);
        MbpoTraining.run(other, quiet);
        PolicySnapshot a = Codecs.POLICY_SNAPSHOT.decode(Files.readAllBytes(dir.resolve("a/policy.json")), EnvSpec.HALF_CHEETAH);
        PolicySnapshot b = Codecs.POLICY_SNAPSHOT.decode(Files.readAllBytes(dir.resolve("b/policy.json")), EnvSpec.HALF_CHEETAH);
        PolicySnapshot c = Codecs.POLICY_SNAPSHOT.decode(Files.readAllBytes(dir.resolve("c/policy.json")), EnvSpec.HALF_CHEETAH);
        assertEquals(a.sha256(), b.sha256(), "same seed, same weights");
        assertEquals(returns(dir.resolve("a")), returns(dir.resolve("b")), "same seed, same returns");
        assertTrue(!a.sha256().equals(c.sha256()), "another seed, other weights");
    }

    private static String[] tiny(Path out, String seed) {
        return new String[] {"--env-steps", "300", "--initial-steps", "150", "--updates-per-step", "1", "--model-every", "75",
                "--rollouts-per-step", "5", "--eval-every", "150", "--eval-episodes", "1", "--members", "2", "--elites", "1",
                "--hidden", "16", "--max-epochs", "2", "--kinds", "gravity", "--factors", "2.0", "--seed", seed,
                "--out", out.toString()};
    }

    /** The learning curve's return column (the minutes column differs from run to run). */
    private static List<String> returns(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("learning_curve.csv")).stream().map(l -> l.split(",")[1]).toList();
    }

    @Test
    void shouldRefuseAPerturbationItCannotEvaluateBeforeTraining(@TempDir Path dir) {
        Path out = dir.resolve("run");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {"--kinds",
                "gravity", "--factors", "2.0,20", "--out", out.toString()}, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().startsWith("--factors: gravity factor 20.0"), e.getMessage());
        assertTrue(!Files.exists(out), "refused before anything was written");
    }

    @Test
    void shouldWriteTheRunSpecItRanWithEverySettingFromTheOptions(@TempDir Path dir) throws Exception {
        MbpoTraining.Definition def = MbpoTraining.define(new Args(new String[] {"--method", "mbpo", "--seed", "9",
                "--env-steps", "3000", "--initial-steps", "1000", "--model-every", "250", "--rollouts-per-step", "4",
                "--updates-per-step", "0.5", "--real-ratio", "0.1", "--max-epochs", "7", "--out", dir.toString()},
                MbpoTraining.OPTIONS));
        RunSpec run = def.settings().spec();
        assertEquals(List.of(RunSpec.Method.MBPO, RunSpec.Mode.LOCKSTEP, 9L, 3000L, List.of(Domain.SIM)),
                List.of(run.method(), run.mode(), run.seed(), run.envSteps(), run.trainingDomains()));
        java.util.Map<String, Double> withoutLag = new java.util.HashMap<>(run.parameters());
        assertEquals(0.0, withoutLag.remove("modelLag"));
        assertEquals(0.0, withoutLag.remove("realStartShare"), "the catalogue's default: every rollout from sim states");
        assertEquals(Map.of("updatesPerStep", 0.5, "realRatio", 0.1, "learnerMinTransitions", 1000.0, "trainEvery", 250.0,
                "modelMinTransitions", 1000.0, "maxEpochs", 7.0, "rolloutsPerRound", 1000.0, "lockstepChunk", 50.0,
                "initialRandomSteps", 1000.0, "lockstepTimeoutSeconds", 600.0), withoutLag);
        // The file the run writes is that RunSpec, and the services read it as the same run.
        Path out = dir.resolve("sac");
        MbpoTraining.run(new String[] {"--method", "sac", "--env-steps", "100", "--initial-steps", "50", "--updates-per-step",
                "1", "--eval-every", "100", "--eval-episodes", "1", "--kinds", "gravity", "--factors", "2.0", "--out",
                out.toString()}, new PrintStream(new ByteArrayOutputStream()));
        RunSpec written = Codecs.RUN_SPEC.decode(Files.readAllBytes(out.resolve("runspec.json")), EnvSpec.HALF_CHEETAH);
        RunSettings read = RunSettings.resolve(written, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
        assertEquals(written.parameters(), read.spec().parameters(), "every setting already in the file");
        assertTrue(!written.parameters().containsKey("trainEvery"), "no model settings for sac: " + written.parameters());
    }

    @Test
    void shouldRefuseOptionsThatMakeNoRunNamingTheOption() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        IllegalArgumentException chunk = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--initial-steps", "220"}, quiet));
        // Both options make the contradiction, and both are named.
        assertTrue(chunk.getMessage().startsWith("--initial-steps, --lockstep-chunk: ") && chunk.getMessage().contains("lockstepChunk (50)"),
                chunk.getMessage());
        IllegalArgumentException share = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--real-starts", "1.5"}, quiet));
        assertTrue(share.getMessage().startsWith("--real-starts"), share.getMessage());
        IllegalArgumentException gapOnly = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "gap-only"}, quiet));
        assertTrue(gapOnly.getMessage().startsWith("--method must be one of"), gapOnly.getMessage());
    }

    @Test
    void shouldTakeTheRealStartShareForEveryMethodWithRealDataAndTheAnchorForTheLatentOnes(@TempDir Path dir) throws Exception {
        Path real = realDataset(dir.resolve("real.s2rds"), Domain.REAL, 50);
        for (String method : List.of("mbpo-mixed", "latent-sim-init")) {
            MbpoTraining.Definition plain = MbpoTraining.define(new Args(new String[] {"--method", method, "--real-dataset",
                    real.toString(), "--initial-steps", "50"}, MbpoTraining.OPTIONS));
            assertEquals(0.0, plain.settings().spec().parameters().get("realStartShare"), method + ": the catalogue's default");
            MbpoTraining.Definition half = MbpoTraining.define(new Args(new String[] {"--method", method, "--real-dataset",
                    real.toString(), "--initial-steps", "50", "--real-starts", "0.5"}, MbpoTraining.OPTIONS));
            assertEquals(0.5, half.settings().spec().parameters().get("realStartShare"), method);
            assertTrue(half.variant().startsWith("real starts 0.5"), half.variant());
        }
        MbpoTraining.Definition anchored = MbpoTraining.define(new Args(new String[] {"--method", "latent-sim-init",
                "--real-dataset", real.toString(), "--initial-steps", "50", "--lambda-anchor", "3"}, MbpoTraining.OPTIONS));
        assertEquals(3.0, anchored.settings().spec().parameters().get("lambdaAnchor"));
        assertEquals("real starts 0 · anchor 3 · sampled", anchored.variant());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        IllegalArgumentException simOnly = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "mbpo", "--real-starts", "0.5", "--out", dir.resolve("a").toString()}, quiet));
        assertTrue(simOnly.getMessage().startsWith("--real-starts is only for methods that train on real data"), simOnly.getMessage());
        IllegalArgumentException mixedAnchor = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "mbpo-mixed", "--real-dataset", real.toString(), "--lambda-anchor", "1", "--out",
                dir.resolve("b").toString()}, quiet));
        assertTrue(mixedAnchor.getMessage().startsWith("--lambda-anchor is only for the latent methods"), mixedAnchor.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "latent-sim-init", "--real-dataset", real.toString(), "--lambda-anchor", "-1", "--out",
                dir.resolve("c").toString()}, quiet));
        assertTrue(negative.getMessage().startsWith("--lambda-anchor"), negative.getMessage());
    }

    @Test
    void shouldRefuseAnInconsistentBudget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(
                new String[] {"--env-steps", "100", "--initial-steps", "500"}, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("--initial-steps"), e.getMessage());
    }

    @Test
    void shouldTrainTheLatentMethodOnARealDatasetAndMeasureItsModelsFidelity(@TempDir Path dir) throws Exception {
        Path real = realDataset(dir.resolve("real.s2rds"), Domain.REAL, 400);
        Path out = dir.resolve("latent");
        MbpoTraining.run(new String[] {"--method", "latent-sim-init", "--real-dataset", real.toString(), "--env-steps", "400",
                "--initial-steps", "200", "--updates-per-step", "1", "--model-every", "100", "--joint-steps", "5",
                "--rollouts-per-step", "10", "--eval-every", "200", "--eval-episodes", "1", "--members", "2", "--elites", "1",
                "--hidden", "16", "--max-epochs", "2", "--kinds", "thigh_length", "--factors", "2.0", "--lambda-anchor", "1",
                "--real-starts", "0.5", "--summary-last", "2", "--summary-episodes", "1", "--out", out.toString()},
                new PrintStream(new ByteArrayOutputStream()));

        List<String> curve = Files.readAllLines(out.resolve("learning_curve.csv"));
        assertEquals(3, curve.size(), String.join("\n", curve));
        String[] last = curve.get(2).split(",");
        // env step, return sim, return real, episodes, updates, fidelity sim, fidelity real, ...
        assertTrue(last[2].matches("-?[0-9.]+.*"), "evaluated in the dataset's physics: " + curve.get(2));
        assertTrue(Double.parseDouble(last[5]) >= 0 && Double.parseDouble(last[6]) >= 0 && Double.parseDouble(last[8]) >= 0,
                "fidelity measured in both domains, mean and sampled: "
                + curve.get(2));
        assertTrue(curve.get(2).contains("latent 5 joint steps") && curve.get(2).contains("G "), "the latent round: " + curve.get(2));
        assertTrue(Files.readString(out.resolve("README.md")).contains("thigh_length=2.0"));
        TrainedRun run = TrainedRun.read(out);
        assertEquals(List.of("latent-sim-init", Map.of("thigh_length", 2.0), "random"), List.of(run.method(), run.realPhysics(), run.realBehaviour()),
                "what evaluate --runs groups the run by");
        assertEquals("latent-sim-init · random · real starts 0.5 · anchor 1 · sampled", run.label(), "variants apart");

        // The one-line summary a sweep commits: the run's settings, its model's last rounds and its last policies.
        List<String> lines = Files.readAllLines(out.resolve(RunSummary.FILE));
        assertEquals(1, lines.size());
        var summary = io.sim2real.contracts.json.MessageCodec.MAPPER.readTree(lines.get(0));
        assertEquals(0.5, summary.get("parameters").get("realStartShare").asDouble());
        assertEquals(1.0, summary.get("parameters").get("lambdaAnchor").asDouble());
        assertTrue(summary.get("command").asText().contains("--lambda-anchor 1"), lines.get(0));
        assertTrue(summary.get("fidelity").get("lastRound").get("realSampled").asDouble() >= 0, lines.get(0));
        assertTrue(summary.get("fidelity").get("lastThreeRounds").get("realMean").asDouble() >= 0, lines.get(0));
        assertTrue(summary.get("latentLastRound").get("anchorLast").asDouble() > 0, "the anchor trained: " + lines.get(0));
        assertTrue(summary.get("latentLastRound").get("trainingMappingDistance").asDouble() >= 0, lines.get(0));
        var played = summary.get("lastPolicies");
        assertEquals(List.of(2, 1, 2), List.of(played.get("policies").asInt(), played.get("episodes").asInt(),
                played.get("sim").get("n").asInt()), lines.get(0));
        assertTrue(played.get("real").has("thigh_length ×2.0") && played.get("combined").has("thigh_length ×2.0"), lines.get(0));
        assertTrue(summary.get("trainingMinutes").asDouble() > 0);
    }

    @Test
    void shouldRefuseAMethodWithoutItsRealDataOrADatasetOfTheWrongDomain(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> MbpoTraining.run(new String[] {"--method", "mbpo-mixed", "--out", dir.resolve("a").toString()}, quiet));
        assertTrue(missing.getMessage().contains("--real-dataset"), missing.getMessage());
        Path sim = realDataset(dir.resolve("sim.s2rds"), Domain.SIM, 50);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "latent-sim-init", "--real-dataset", sim.toString(), "--out", dir.resolve("b").toString()}, quiet));
        assertTrue(wrong.getMessage().contains("not of the real one"), wrong.getMessage());
        IllegalArgumentException notNeeded = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "mbpo", "--real-dataset", sim.toString(), "--out", dir.resolve("c").toString()}, quiet));
        assertTrue(notNeeded.getMessage().contains("only for methods"), notNeeded.getMessage());
        Path real = realDataset(dir.resolve("real.s2rds"), Domain.REAL, 50);
        IllegalArgumentException noise = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "latent-sim-init", "--real-dataset", real.toString(), "--latent-rollouts", "noisy",
                "--out", dir.resolve("d").toString()}, quiet));
        assertTrue(noise.getMessage().contains("--latent-rollouts"), noise.getMessage());
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class, () -> MbpoTraining.run(new String[] {
                "--method", "latent-sim-init", "--real-dataset", real.toString(), "--train-sim-autoencoder", "maybe",
                "--out", dir.resolve("e").toString()}, quiet));
        assertTrue(flag.getMessage().contains("--train-sim-autoencoder must be true or false"), flag.getMessage());
    }

    /** Random-action transitions under thigh length x2, as a dataset of the given domain. */
    private static Path realDataset(Path file, Domain domain, int steps) throws Exception {
        DomainPhysics physics = DomainPhysics.neutral().with(PerturbationKind.THIGH_LENGTH, 2.0);
        DatasetWriter writer = new DatasetWriter(EnvSpec.HALF_CHEETAH, domain, "random").physics(physics.changed()).seed(5L);
        SplittableRandom random = new SplittableRandom(5);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, 1, 1, 5)) {
            env.reset();
            for (int t = 0; t < steps; t++) {
                StepResult s = env.step(new double[][] {Behaviour.RANDOM.action(t, random)});
                writer.append(new TransitionBatch(SchemaVersion.CURRENT, "data", domain, "data", 0, s.episodeIds(),
                        s.stepIndices(), s.obs(), s.act(), s.rew(), s.nextObs(), new boolean[1], s.truncated()));
            }
        }
        DatasetWriter.write(writer.toDataset(), file);
        return file;
    }
}

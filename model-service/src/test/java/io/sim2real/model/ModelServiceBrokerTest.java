package io.sim2real.model;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.ServiceBaselineTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** model-service against the real broker: MBPO's model round on real HalfCheetah transitions. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class ModelServiceBrokerTest extends ServiceBaselineTest {

    @Override
    protected Map<String, ProducerRecord<String, byte[]>> validInputRecords() {
        String runId = "after-oversized-" + java.util.UUID.randomUUID();
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {16}, 4, 3);
        byte[] policy = Codecs.POLICY_SNAPSHOT.encode(io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {16}, runId, 1, 0));
        TransitionBatch t = SampleMessages.transitions(4);
        byte[] pairs = Codecs.COUNTERFACTUAL_BATCH.encode(new CounterfactualBatch(SchemaVersion.CURRENT, runId, "test-env", 0, 0,
                t.obs(), t.act(), t.nextObs(), t.nextObs(), 0));
        return Map.of(Topics.POLICIES, new ProducerRecord<>(Topics.POLICIES, runId, policy),
                Topics.TRANSITIONS, sampleRecord(Topics.TRANSITIONS, runId),
                Topics.COUNTERFACTUALS, new ProducerRecord<>(Topics.COUNTERFACTUALS, runId, pairs));
    }

    /**
     * Each real batch paired with the standard simulator's prediction from the same states and actions (MuJoCo put in
     * the state each observation describes), as env-service publishes them; source offsets 0, 1, ...
     */
    private static GapMeasurement parseGap(byte[] value) {
        try {
            return Codecs.GAP_MEASUREMENT.parse(value);
        } catch (io.sim2real.contracts.validation.InvalidRecordException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<CounterfactualBatch> counterfactuals(List<TransitionBatch> real) {
        List<CounterfactualBatch> out = new ArrayList<>();
        for (int b = 0; b < real.size(); b++) {
            TransitionBatch t = real.get(b);
            try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), t.size(), 1, 0)) {
                env.setStates(t.obs());
                StepResult s = env.step(t.act());
                out.add(new CounterfactualBatch(SchemaVersion.CURRENT, t.runId(), t.envId(), 0, b, t.obs(), t.act(),
                        t.nextObs(), s.nextObs(), 0));
            }
        }
        return out;
    }

    private List<GapMeasurement> gapRecords(String runId, int count, java.util.function.Predicate<GapMeasurement> which)
            throws io.sim2real.contracts.validation.InvalidRecordException {
        List<GapMeasurement> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : companion.consume(String.class, byte[].class)
                .fromTopics(Topics.GAP, c -> c.select().where(x -> runId.equals(x.key())
                        && which.test(parseGap(x.value()))).select().first(count))
                .awaitCompletion(Duration.ofSeconds(120)).getRecords()) {
            out.add(Codecs.GAP_MEASUREMENT.decode(r.value(), EnvSpec.HALF_CHEETAH));
        }
        return out;
    }


    private static List<TransitionBatch> halfCheetah(String runId, int batches, int size, long seed) {
        return halfCheetah(runId, Domain.SIM, DomainPhysics.neutral(), batches, size, seed);
    }

    private static List<TransitionBatch> halfCheetah(String runId, Domain domain, DomainPhysics physics, int batches,
                                                     int size, long seed) {
        List<TransitionBatch> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(seed);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, 1, 1, seed)) {
            env.reset();
            for (int b = 0; b < batches; b++) {
                double[][] obs = new double[size][], act = new double[size][], next = new double[size][];
                double[] rew = new double[size];
                long[] episodes = new long[size];
                int[] steps = new int[size];
                for (int i = 0; i < size; i++) {
                    double[] a = new double[6];
                    for (int j = 0; j < 6; j++) {
                        a[j] = 2 * r.nextDouble() - 1;
                    }
                    StepResult s = env.step(new double[][] {a});
                    obs[i] = s.obs()[0];
                    act[i] = s.act()[0];
                    rew[i] = s.rew()[0];
                    next[i] = s.nextObs()[0];
                    episodes[i] = s.episodeIds()[0];
                    steps[i] = s.stepIndices()[0];
                }
                out.add(new TransitionBatch(SchemaVersion.CURRENT, runId, domain, "test-env", 0, episodes, steps, obs,
                        act, rew, next, new boolean[size], new boolean[size]));
            }
        }
        return out;
    }

    private void publishRun(String runId, RunSpec.Method method) {
        publishRun(runId, method, java.util.Map.of());
    }

    private void publishRun(String runId, RunSpec.Method method, java.util.Map<String, Double> parameters) {
        RunSpec r = withRunId(SampleMessages.run(), runId);
        // Asynchronous: rounds come as data arrives (RoundRule). A lockstep MBPO run's rounds follow its schedule
        // instead, waiting for the learner's policy at each boundary (LockstepServicesEqualInProcessIT).
        RunSpec run = new RunSpec(r.schemaVersion(), runId, method, RunSpec.Mode.ASYNC, r.seed(), r.envSteps(),
                new RunSpec.DomainSpec("gravity-2", java.util.Map.of("gravity", 2.0)), List.of(Domain.SIM), parameters,
                r.createdAtMs());
        if (io.sim2real.methods.MethodTraits.of(method).usesRealData()) {
            run = new RunSpec(run.schemaVersion(), runId, method, run.mode(), run.seed(), run.envSteps(), run.realDomain(),
                    List.of(Domain.SIM, Domain.REAL), parameters, run.createdAtMs());
        }
        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.RUNS, runId, Codecs.RUN_SPEC.encode(run))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId).then().statusCode(200));
    }

    private void publishTransitions(List<TransitionBatch> batches) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (TransitionBatch b : batches) {
            records.add(new ProducerRecord<>(Topics.TRANSITIONS, b.runId(), Codecs.TRANSITION_BATCH.encode(b)));
        }
        companion.produce(String.class, byte[].class).fromRecords(records).awaitCompletion();
    }

    @Test
    void shouldTrainTheRunsModelAndPublishBranchedRollouts() throws Exception {
        publishRun("mbpo-run", RunSpec.Method.MBPO);
        publishTransitions(halfCheetah("mbpo-run", 3, 200, 1));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/runs/mbpo-run/model").then().statusCode(200)
                        .body("version", greaterThanOrEqualTo(1)).body("elites.size()", equalTo(1)));
        given().get("/api/v1/runs/mbpo-run/store").then().body("sim", equalTo(600));

        List<ConsumerRecord<String, byte[]>> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.ROLLOUTS, r -> r.select().where(x -> "mbpo-run".equals(x.key())).select().first(3))
                .awaitCompletion(Duration.ofSeconds(60)).getRecords();
        int transitions = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            RolloutBatch b = Codecs.ROLLOUT_BATCH.decode(r.value(), r.headers(), EnvSpec.HALF_CHEETAH);
            assertTrue(b.modelVersion() >= 1);
            assertEquals(Domain.SIM, b.startDomain());
            transitions += b.size();
        }
        assertEquals(600, transitions, "one round: 600 rollouts of length 1 in batches of 250");
        assertTrue(Files.exists(Path.of("target/test-checkpoints/mbpo-run/dynamics.ckpt")));
    }

    @Test
    void shouldActWithTheRunsNewestPolicyInItsRollouts() throws Exception {
        // A policy whose every action is tanh(5 +- 0.007): about 0.9999, where uniform actions rarely exceed 0.99.
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {8}, 4, 1);
        var params = actor.network().parameters();
        io.sim2real.nn.F32.view(params.get(2)).put(0, new float[8 * 12]);
        float[] bias = new float[12];
        java.util.Arrays.fill(bias, 0, 6, 5f);
        java.util.Arrays.fill(bias, 6, 12, -100f);
        io.sim2real.nn.F32.view(params.get(3)).put(0, bias);
        var snapshot = io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {8}, "policy-rollout-run", 7, 0);
        publishRun("policy-rollout-run", RunSpec.Method.MBPO);
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.POLICIES, "policy-rollout-run",
                Codecs.POLICY_SNAPSHOT.encode(snapshot))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/policy-rollout-run/policy").then().statusCode(200).body("version", equalTo(7)));
        publishTransitions(halfCheetah("policy-rollout-run", 2, 200, 3));

        var first = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.ROLLOUTS, r -> r.select().where(x -> "policy-rollout-run".equals(x.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
        // Rollouts go as schema version 2 by default (CONTRACTS.md section 8).
        assertEquals("application/x-protobuf", new String(first.headers().lastHeader("content-type").value(),
                java.nio.charset.StandardCharsets.UTF_8));
        RolloutBatch rollout = Codecs.ROLLOUT_BATCH.decode(first.value(), first.headers(), EnvSpec.HALF_CHEETAH);
        for (double[] a : rollout.act()) {
            for (double v : a) {
                assertTrue(v > 0.99, "rollout action " + v + " does not come from the policy");
            }
        }
    }

    @Test
    void shouldStoreButNotModelARunWhoseMethodNeedsNoModel() {
        publishRun("sac-run", RunSpec.Method.SAC);
        publishTransitions(halfCheetah("sac-run", 2, 200, 2));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/sac-run/store").then().body("sim", equalTo(400)));
        given().get("/api/v1/runs/sac-run/model").then().statusCode(404);
    }

    private void publishBothDomains(String runId) throws java.io.IOException {
        // A checkpoint left by an earlier local run of this test would be restored: start from none.
        Path checkpoints = Path.of("target/test-checkpoints", runId);
        if (Files.exists(checkpoints)) {
            try (var files = Files.walk(checkpoints)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        publishTransitions(halfCheetah(runId, Domain.SIM, DomainPhysics.neutral(), 2, 200, 5));
        publishTransitions(halfCheetah(runId, Domain.REAL,
                DomainPhysics.neutral().with(io.sim2real.contracts.PerturbationKind.GRAVITY, 2.0), 2, 200, 6));
    }

    @Test
    void shouldMeasureTheGapOfAGapOnlyRunAndPublishNoRollouts() throws Exception {
        publishRun("gap-run", RunSpec.Method.GAP_ONLY);
        publishBothDomains("gap-run");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().get("/api/v1/runs/gap-run/latent").then().statusCode(200)
                        .body("version", greaterThanOrEqualTo(1)).body("method", equalTo("gap-only")));
        // The training round's metrics (no pairing); the gap probe's mapping_distance of the run comes beside them.
        java.util.Set<GapMeasurement.Metric> metrics = new java.util.HashSet<>();
        for (GapMeasurement m : gapRecords("gap-run", 5, g -> g.pairing() == null)) {
            assertEquals("gravity", m.perturbation());
            assertEquals(2.0, m.factor());
            assertEquals(1, m.modelVersion());
            assertEquals(800, m.envStep());
            assertTrue(Double.isFinite(m.value()) && m.value() >= 0, m.toString());
            if (m.metric() == GapMeasurement.Metric.TRAINING_MAPPING_DISTANCE) {
                assertTrue(m.value() > 0, "the mapping moved away from the identity: " + m.value());
            }
            assertTrue(m.floor() == null && m.spread() == null, m.toString());
            metrics.add(m.metric());
        }
        assertEquals(java.util.EnumSet.of(GapMeasurement.Metric.TRAINING_MAPPING_DISTANCE, GapMeasurement.Metric.LATENT_KL,
                GapMeasurement.Metric.LATENT_KL_RATIO, GapMeasurement.Metric.ONE_STEP_ERROR,
                GapMeasurement.Metric.ENSEMBLE_DISAGREEMENT), metrics, "every metric of a training round once, the "
                + "training model's distance as training_mapping_distance");
        assertTrue(Files.exists(Path.of("target/test-checkpoints/gap-run/latent.ckpt")));
        assertTrue(companion.consume(String.class, byte[].class)
                .fromTopics(Topics.ROLLOUTS, r -> r.select().where(x -> "gap-run".equals(x.key())))
                .awaitNoRecords(Duration.ofSeconds(2)).getRecords().isEmpty(), "gap-only publishes no rollouts");
    }

    @Test
    void shouldPublishLatentRolloutsFromBothDomainsForALatentRun() throws Exception {
        publishRun("latent-run", RunSpec.Method.LATENT_SIM_INIT, Map.of("realStartShare", 0.5));
        publishBothDomains("latent-run");
        Map<Domain, Integer> starts = latentRolloutsByStartDomain("latent-run", 4);
        assertEquals(Map.of(Domain.SIM, 300, Domain.REAL, 300), starts, "300 rollouts from each domain's start states, length 1");
    }

    @Test
    void shouldStartLatentRolloutsFromSimStatesOnlyWhenTheRunSaysSo() throws Exception {
        publishRun("sim-starts-run", RunSpec.Method.LATENT_SIM_INIT, Map.of("realStartShare", 0.0));
        publishBothDomains("sim-starts-run");
        assertEquals(Map.of(Domain.SIM, 600), latentRolloutsByStartDomain("sim-starts-run", 3));
    }

    @Test
    void shouldKeepTheSimLatentSpaceTheObservationSpaceForATrainingRunByDefault() throws Exception {
        // No trainSimAutoencoder parameter: a training method keeps the sim encoder and decoder the identity.
        publishRun("sim-space-run", RunSpec.Method.LATENT_SIM_INIT, Map.of("realStartShare", 0.0));
        publishBothDomains("sim-space-run");
        java.util.Set<List<Double>> simObs = new java.util.HashSet<>();
        for (TransitionBatch b : halfCheetah("sim-space-run", Domain.SIM, DomainPhysics.neutral(), 2, 200, 5)) {
            for (double[] o : b.obs()) {
                simObs.add(java.util.Arrays.stream(o).boxed().toList());
            }
        }
        int rows = 0;
        for (RolloutBatch b : firstRollouts("sim-space-run", 2)) {
            for (double[] o : b.obs()) {
                // q_sim(p_sim(o)) is o itself, bit for bit, only while the sim encoder and decoder are the identity.
                assertTrue(simObs.contains(java.util.Arrays.stream(o).boxed().toList()), "a rollout starts at a sim observation");
                rows++;
            }
        }
        assertTrue(rows > 0);
    }

    /** A run's first rollout batches on sim2real.rollouts, decoded. */
    private List<RolloutBatch> firstRollouts(String runId, int batches) throws Exception {
        List<RolloutBatch> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : companion.consume(String.class, byte[].class)
                .fromTopics(Topics.ROLLOUTS, c -> c.select().where(x -> runId.equals(x.key())).select().first(batches))
                .awaitCompletion(Duration.ofSeconds(90)).getRecords()) {
            out.add(Codecs.ROLLOUT_BATCH.decode(r.value(), r.headers(), EnvSpec.HALF_CHEETAH));
        }
        return out;
    }

    /** The first round's latent rollout transitions (batches of 250), counted by start domain. */
    private Map<Domain, Integer> latentRolloutsByStartDomain(String runId, int batches) throws Exception {
        Map<Domain, Integer> starts = new java.util.EnumMap<>(Domain.class);
        for (RolloutBatch b : firstRollouts(runId, batches)) {
            assertTrue(b.latent(), "latent rollouts are marked as such");
            starts.merge(b.startDomain(), b.size(), Integer::sum);
        }
        return starts;
    }

    @Test
    void shouldStopADivergingRoundWithAClearErrorAndAMetric() throws Exception {
        // divergenceFactor at its least (1) with the encoders' departures from the identity weighted a million times.
        publishRun("diverging-run", RunSpec.Method.GAP_ONLY, java.util.Map.of("divergenceFactor", 1.0, "lambdaCorr", 1e6,
                "lambdaAe", 1e6));
        publishBothDomains("diverging-run");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().get("/api/v1/runs/diverging-run/latent").then().statusCode(200)
                        .body("version", equalTo(0)).body("lastError", org.hamcrest.Matchers.containsString("diverged")));
        String metrics = given().header("Accept", "text/plain").get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_model_training_failures_total{")
                && l.contains("run=\"diverging-run\"") && l.contains("reason=\"non_finite\"")), "failure counted");
    }

    @Test
    void shouldProbeTheGapOnCounterfactualPairsAndPublishItWithItsFloorAndSpread() throws Exception {
        String runId = "probe-run-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        publishRun(runId, RunSpec.Method.GAP_ONLY);
        List<TransitionBatch> real = halfCheetah(runId, Domain.REAL,
                DomainPhysics.neutral().with(io.sim2real.contracts.PerturbationKind.GRAVITY, 2.0), 2, 200, 6);
        List<CounterfactualBatch> pairs = counterfactuals(real);
        // Sim data and pairs first (the first batch twice: applied once, by its source position), the real
        // transitions last: the probe's first round then has both pairings.
        publishTransitions(halfCheetah(runId, Domain.SIM, DomainPhysics.neutral(), 2, 200, 5));
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (CounterfactualBatch b : List.of(pairs.get(0), pairs.get(0), pairs.get(1))) {
            records.add(new ProducerRecord<>(Topics.COUNTERFACTUALS, runId, Codecs.COUNTERFACTUAL_BATCH.encode(b)));
        }
        companion.produce(String.class, byte[].class).fromRecords(records).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            given().get("/api/v1/runs/" + runId + "/probe").then().statusCode(200)
                    .body("window.pairs", equalTo(400)).body("window.batches", equalTo(2)).body("round", equalTo(0));
            given().get("/api/v1/runs/" + runId + "/store").then().body("sim", equalTo(400));
        });
        publishTransitions(real);

        Map<GapMeasurement.Pairing, GapMeasurement> probed = new java.util.EnumMap<>(GapMeasurement.Pairing.class);
        for (GapMeasurement m : gapRecords(runId, 2, g -> g.metric() == GapMeasurement.Metric.MAPPING_DISTANCE)) {
            assertEquals("gravity", m.perturbation());
            assertEquals(2.0, m.factor());
            assertEquals(1, m.modelVersion(), "the probe's first round");
            assertEquals(800, m.envStep());
            assertTrue(m.value() > 0 && Double.isFinite(m.value()), m.toString());
            assertTrue(m.floor() != null && m.floor() > 0, "with its floor: " + m);
            assertTrue(m.spread() != null && m.spread() >= 0, "with its spread: " + m);
            probed.put(m.pairing(), m);
        }
        assertEquals(java.util.EnumSet.allOf(GapMeasurement.Pairing.class), probed.keySet(),
                "counterfactual and unpaired values of the same round");
        GapMeasurement training = gapRecords(runId, 1, g -> g.metric() == GapMeasurement.Metric.TRAINING_MAPPING_DISTANCE).get(0);
        assertEquals(null, training.pairing(), "the training model's distance has no pairing: " + training);

        // The status follows the published measurements (they are sent first).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId + "/probe").then()
                .statusCode(200).body("round", equalTo(1)).body("results.size()", equalTo(2)).body("measuredUpTo", equalTo(400))
                .body("results.find { it.pairing == 'counterfactual' }.rows", equalTo(400)));
        String metrics = given().header("Accept", "text/plain").get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_model_probe_seconds_count{")
                && l.contains("run=\"" + runId + "\"") && l.contains("pairing=\"counterfactual\"")), "the probe's CPU time is timed");
    }

    /** Pairs [from, to) as CounterfactualBatches of {@code batch} rows, source offsets from / batch, ... */
    private void publishPairs(String runId, io.sim2real.model.probe.MujocoPairs p, int from, int to, int batch) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int b = from; b < to; b += batch) {
            io.sim2real.model.probe.MujocoPairs s = p.slice(b, Math.min(b + batch, to));
            records.add(new ProducerRecord<>(Topics.COUNTERFACTUALS, runId, Codecs.COUNTERFACTUAL_BATCH.encode(
                    new CounterfactualBatch(SchemaVersion.CURRENT, runId, "test-env", 0, b / batch, s.obs(), s.act(),
                            s.realNext(), s.simNext(), 0))));
        }
        companion.produce(String.class, byte[].class).fromRecords(records).awaitCompletion();
    }

    /** Rows [from, to) of the pairs' real side as one real TransitionBatch. */
    private void publishRealRows(String runId, io.sim2real.model.probe.MujocoPairs p, int from, int to) {
        io.sim2real.model.probe.MujocoPairs s = p.slice(from, to);
        int n = s.size();
        publishTransitions(List.of(new TransitionBatch(SchemaVersion.CURRENT, runId, Domain.REAL, "test-env", 0,
                new long[n], new int[n], s.obs(), s.act(), new double[n], s.realNext(), new boolean[n], new boolean[n])));
    }

    private static String bearer() {
        return "Bearer " + apiToken();
    }

    @Test
    void shouldPublishCalibrationBesideGAndRaiseTheDriftAlarmAfterAGravityChangeOnly() throws Exception {
        String runId = "drift-run-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        publishRun(runId, RunSpec.Method.GAP_ONLY);
        int change = 4096;
        var pairs = io.sim2real.model.probe.MujocoPairs.collect(DomainPhysics.neutral(),
                DomainPhysics.neutral().with(io.sim2real.contracts.PerturbationKind.GRAVITY, 1.5), change, change + 512, 16, 11);
        // Identical physics: the detector takes its reference (2,048 pairs) and watches 2,048 more.
        publishPairs(runId, pairs, 0, change, 256);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId + "/probe").then()
                .statusCode(200).body("drift.pairsSeen", equalTo(change)).body("drift.calibrated", equalTo(true))
                .body("drift.alarmed", equalTo(false)));
        // Real transitions: a probe round on the window of identical-physics pairs, with its calibration.
        publishRealRows(runId, pairs, 0, 400);
        Map<GapMeasurement.Metric, GapMeasurement> round = new java.util.EnumMap<>(GapMeasurement.Metric.class);
        for (GapMeasurement m : gapRecords(runId, 4, g -> g.metric() != GapMeasurement.Metric.MAPPING_DISTANCE)) {
            assertEquals(1, m.modelVersion(), m.toString());
            assertEquals(GapMeasurement.Pairing.COUNTERFACTUAL, m.pairing(), m.toString());
            assertEquals("gravity", m.perturbation());
            assertEquals(400, m.envStep());
            round.put(m.metric(), m);
        }
        assertEquals(java.util.EnumSet.of(GapMeasurement.Metric.COUNTERFACTUAL_DISCREPANCY, GapMeasurement.Metric.CLASSIFIER_KL,
                GapMeasurement.Metric.CLASSIFIER_AUC, GapMeasurement.Metric.DRIFT_ALARM), round.keySet());
        assertTrue(round.get(GapMeasurement.Metric.COUNTERFACTUAL_DISCREPANCY).value() < 1e-6,
                "identical physics: no discrepancy " + round);
        assertTrue(round.get(GapMeasurement.Metric.CLASSIFIER_AUC).value() < 0.65, "nor separable sides " + round);
        assertEquals(0.0, round.get(GapMeasurement.Metric.DRIFT_ALARM).value(), "no alarm on identical physics");
        given().get("/api/v1/runs/" + runId + "/probe").then().statusCode(200)
                .body("calibration[0].pairing", equalTo("counterfactual")).body("calibration[0].rows", equalTo(change))
                .body("calibration[0].cpuSeconds", org.hamcrest.Matchers.greaterThan(0f));
        assertTrue(companion.consume(String.class, byte[].class).fromTopics(Topics.GAP, c -> c.select()
                        .where(x -> runId.equals(x.key()) && parseGap(x.value()).metric() == GapMeasurement.Metric.DRIFT_ALARM
                                && parseGap(x.value()).value() == 1.0))
                .awaitNoRecords(Duration.ofSeconds(2)).getRecords().isEmpty(), "no drift_alarm = 1 before the change");

        // Gravity x1.5 from pair 4,096 on: the alarm goes out at once, without a probe round.
        publishPairs(runId, pairs, change, pairs.size(), 256);
        GapMeasurement alarm = gapRecords(runId, 1, g -> g.metric() == GapMeasurement.Metric.DRIFT_ALARM && g.value() == 1.0).get(0);
        assertEquals(GapMeasurement.Pairing.COUNTERFACTUAL, alarm.pairing());
        assertTrue(alarm.envStep() > change && alarm.envStep() <= change + 64, "caught within a few blocks: " + alarm);
        System.out.printf("drift alarm through the service: %d real transitions after gravity 1.0 -> 1.5%n",
                alarm.envStep() - change);
        given().get("/api/v1/runs/" + runId + "/probe").then().body("drift.alarmed", equalTo(true))
                .body("drift.source", equalTo("discrepancy")).body("drift.alarmAt", equalTo((int) alarm.envStep()));
        String metrics = given().header("Accept", "text/plain").get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_model_drift_statistic{") && l.contains("run=\"" + runId + "\"")
                && l.contains("source=\"discrepancy\"") && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 8),
                "the CUSUM statistic is exported above h");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_model_probe_calibration_seconds_count{")
                && l.contains("run=\"" + runId + "\"")), "the calibration's CPU time is timed");

        // Acknowledged: a new reference is taken.
        given().header("Authorization", bearer()).delete("/api/v1/runs/" + runId + "/drift").then().statusCode(200)
                .body("alarmed", equalTo(false)).body("calibrated", equalTo(false));
        given().header("Authorization", bearer()).delete("/api/v1/runs/no-such-run/drift").then().statusCode(404);
    }

    @Test
    void shouldRaiseNoDriftAlarmForAStationaryGap() throws Exception {
        String runId = "steady-run-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        publishRun(runId, RunSpec.Method.GAP_ONLY);
        var pairs = io.sim2real.model.probe.MujocoPairs.collect(
                DomainPhysics.neutral().with(io.sim2real.contracts.PerturbationKind.GRAVITY, 1.5), 6144, 16, 12);
        publishPairs(runId, pairs, 0, pairs.size(), 256);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId + "/probe").then()
                .statusCode(200).body("drift.pairsSeen", equalTo(pairs.size())));
        given().get("/api/v1/runs/" + runId + "/probe").then().body("drift.calibrated", equalTo(true))
                .body("drift.alarmed", equalTo(false));
        assertTrue(companion.consume(String.class, byte[].class).fromTopics(Topics.GAP, c -> c.select()
                        .where(x -> runId.equals(x.key()) && parseGap(x.value()).metric() == GapMeasurement.Metric.DRIFT_ALARM))
                .awaitNoRecords(Duration.ofSeconds(2)).getRecords().isEmpty(), "no drift_alarm");
    }

    @Test
    void shouldRaiseTheDriftAlarmAfterABodyMassChange() throws Exception {
        String runId = "mass-run-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        publishRun(runId, RunSpec.Method.GAP_ONLY);
        int change = 2560;
        var pairs = io.sim2real.model.probe.MujocoPairs.collect(DomainPhysics.neutral(),
                DomainPhysics.neutral().with(io.sim2real.contracts.PerturbationKind.BODY_MASS, 1.3), change, change + 512, 16, 13);
        publishPairs(runId, pairs, 0, pairs.size(), 256);
        GapMeasurement alarm = gapRecords(runId, 1, g -> g.metric() == GapMeasurement.Metric.DRIFT_ALARM && g.value() == 1.0).get(0);
        assertTrue(alarm.envStep() > change && alarm.envStep() <= change + 64, "caught within a few blocks: " + alarm);
        System.out.printf("drift alarm through the service: %d real transitions after body mass 1.0 -> 1.3%n",
                alarm.envStep() - change);
    }
}

package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.testing.KafkaBrokerResource;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Counterfactual pairs through the service: real TransitionBatches on sim2real.transitions (env-service's own
 * collections or a bridge's records) paired by env-service with the nominal simulator, on sim2real.counterfactuals.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class CounterfactualPairsTest {

    private static final String TOKEN = "Bearer test-token";
    /** Identical physics pair up to the solver's lost warm start: measured ~1e-29 (CounterfactualSimulatorTest). */
    static final double IDENTICAL_TOLERANCE = 1e-9;

    @InjectKafkaCompanion
    KafkaCompanion companion;

    private String collect(String runId, String domainAndPhysics, long steps) {
        String id = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"" + runId + "\"," + domainAndPhysics + "\"policy\":\"random\",\"envSteps\":" + steps
                        + ",\"numEnvs\":2,\"batchSize\":100,\"seed\":3}")
                .post("/api/v1/collections").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("DONE")).body("stepsTaken", equalTo((int) steps)));
        return id;
    }

    private List<ConsumerRecord<String, byte[]>> records(String topic, String runId, int count) {
        return companion.consume(String.class, byte[].class)
                .fromTopics(topic, r -> r.select().where(x -> runId.equals(x.key())).select().first(count))
                .awaitCompletion(Duration.ofSeconds(120)).getRecords();
    }

    /** The run's pairs, in the order of their source records. */
    private List<CounterfactualBatch> pairs(String runId, int batches) {
        return records(Topics.COUNTERFACTUALS, runId, batches).stream()
                .map(r -> decode(r.value()))
                .sorted(Comparator.comparingLong(CounterfactualBatch::sourceOffset)).toList();
    }

    private static CounterfactualBatch decode(byte[] value) {
        try {
            return Codecs.COUNTERFACTUAL_BATCH.decode(value, EnvSpec.HALF_CHEETAH);
        } catch (io.sim2real.contracts.validation.InvalidRecordException e) {
            throw new AssertionError("env-service published an invalid CounterfactualBatch", e);
        }
    }

    private static double[][] rows(List<CounterfactualBatch> b, java.util.function.Function<CounterfactualBatch, double[][]> f) {
        return b.stream().flatMap(x -> Arrays.stream(f.apply(x))).toArray(double[][]::new);
    }

    private static CounterfactualDiscrepancy.Result discrepancy(List<CounterfactualBatch> b) {
        return CounterfactualDiscrepancy.measure(rows(b, CounterfactualBatch::obs), rows(b, CounterfactualBatch::realNextObs),
                rows(b, CounterfactualBatch::simNextObs));
    }

    private static double metric(String name) {
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void shouldPairEachRealBatchWithTheSimulatorsPredictionAndNoSimBatch() throws Exception {
        String identical = "cf-identical-" + UUID.randomUUID().toString().substring(0, 8);
        String gravity = "cf-gravity2-" + UUID.randomUUID().toString().substring(0, 8);
        double pairsBefore = metric("sim2real_env_counterfactuals_pairs_total");
        // A sim collection first, then a real one of the same run: same partition, so the sim batches were read
        // (and left unpaired) before the real ones' pairs appear.
        collect(identical, "\"domain\":\"sim\",", 200);
        collect(identical, "\"domain\":\"real\",\"physics\":{},", 300);
        collect(gravity, "\"domain\":\"real\",\"physics\":{\"gravity\":2.0},", 300);

        List<ConsumerRecord<String, byte[]>> sources = records(Topics.TRANSITIONS, identical, 5);
        List<Long> realOffsets = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : sources) {
            if (Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH).domain() == Domain.REAL) {
                realOffsets.add(r.offset());
            }
        }
        assertEquals(3, realOffsets.size());
        List<CounterfactualBatch> same = pairs(identical, 3);
        assertEquals(realOffsets, same.stream().map(CounterfactualBatch::sourceOffset).toList(),
                "one pair batch per real batch, naming it; none for the sim batches");
        assertEquals(sources.get(0).partition(), same.get(0).sourcePartition());
        assertTrue(same.stream().allMatch(b -> b.size() == 100 && b.skipped() == 0));
        List<CounterfactualBatch> heavy = pairs(gravity, 3);

        double d = discrepancy(same).mean();
        double g = discrepancy(heavy).mean();
        System.out.printf("counterfactual discrepancy through env-service: identical physics %.3e (max row %.3e),"
                + " gravity x2 %.3e%n", d, discrepancy(same).max(), g);
        assertTrue(discrepancy(same).max() < IDENTICAL_TOLERANCE, "identical physics: " + d);
        assertTrue(g > 1e6 * IDENTICAL_TOLERANCE, "gravity x2: " + g);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertTrue(metric("sim2real_env_counterfactuals_pairs_total") >= pairsBefore + 600));
    }

    /** A bridge's real batch, valid but for the states it describes. */
    private static TransitionBatch bridgeBatch(String runId, double[][] obs) {
        int n = obs.length;
        double[][] act = new double[n][EnvSpec.HALF_CHEETAH.actDim()];
        return new TransitionBatch(SchemaVersion.CURRENT, runId, Domain.REAL, "robot-0", 0, new long[n], new int[n], obs,
                act, new double[n], obs, new boolean[n], new boolean[n]);
    }

    private static double[][] states(int n, double velocity) {
        double[][] obs = new double[n][EnvSpec.HALF_CHEETAH.obsDim()];
        for (double[] o : obs) {
            Arrays.fill(o, 8, o.length, velocity);
        }
        return obs;
    }

    private ConsumerRecord<String, byte[]> deadLetter(String runId) {
        return companion.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetterOf(Topics.TRANSITIONS), r -> r.select().where(x -> runId.equals(x.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
    }

    @Test
    void shouldLeaveOutStatesTheSimulatorCannotTakeAndRefuseABatchOfOnlySuch() {
        String mixed = "cf-mixed-" + UUID.randomUUID().toString().substring(0, 8);
        String refused = "cf-refused-" + UUID.randomUUID().toString().substring(0, 8);
        double[][] obs = states(4, 0.5);
        Arrays.fill(obs[1], 8, obs[1].length, 1e8); // finite, but the step's accelerations blow up
        obs[2][10] = 1e11; // beyond MuJoCo's mjMAXVAL
        double skippedBefore = metric("sim2real_env_counterfactuals_skipped_total");
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.TRANSITIONS, mixed, Codecs.TRANSITION_BATCH.encode(bridgeBatch(mixed, obs))),
                new ProducerRecord<>(Topics.TRANSITIONS, refused, Codecs.TRANSITION_BATCH.encode(bridgeBatch(refused, states(3, 1e8)))))
                .awaitCompletion();

        CounterfactualBatch p = pairs(mixed, 1).get(0);
        assertEquals(2, p.size());
        assertEquals(2, p.skipped());
        assertEquals("robot-0", p.envId());
        assertTrue(Arrays.equals(obs[0], p.obs()[0]) && Arrays.equals(obs[3], p.obs()[1]));

        ConsumerRecord<String, byte[]> dead = deadLetter(refused);
        assertEquals("OUT_OF_RANGE", new String(dead.headers().lastHeader("sim2real-reason-code").value(), StandardCharsets.UTF_8));
        assertTrue(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8)
                .contains("state the simulator cannot take"));
        assertTrue(metric("sim2real_env_counterfactuals_skipped_total") >= skippedBefore + 5);
    }

    @Test
    void shouldDeadLetterANonFiniteRealBatchAndPairNothing() throws Exception {
        String runId = "cf-nan-" + UUID.randomUUID().toString().substring(0, 8);
        String json = new String(Codecs.TRANSITION_BATCH.encode(bridgeBatch(runId, states(2, 0.5))), StandardCharsets.UTF_8)
                .replaceFirst("\"obs\":\\[\\[[^,]+,", "\"obs\":[[NaN,");
        String after = "cf-after-nan-" + UUID.randomUUID().toString().substring(0, 8);
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.TRANSITIONS, runId, json.getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>(Topics.TRANSITIONS, after, Codecs.TRANSITION_BATCH.encode(bridgeBatch(after, states(2, 0.5)))))
                .awaitCompletion();
        ConsumerRecord<String, byte[]> dead = deadLetter(runId);
        assertEquals("NON_FINITE", new String(dead.headers().lastHeader("sim2real-reason-code").value(), StandardCharsets.UTF_8));
        assertEquals(1, pairs(after, 1).size(), "the next batch is paired");
        // The NaN batch, read before it on its partition or not, left no pair.
        long nanPairs = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.COUNTERFACTUALS, r -> r.select().where(x -> runId.equals(x.key())).select().first(1))
                .awaitNoRecords(Duration.ofSeconds(3)).count();
        assertEquals(0, nanPairs);
    }

    @Test
    void shouldEmulateTheRunsRealDomainWithItsScheduledPhysicsChange() throws Exception {
        String runId = "cf-drift-" + UUID.randomUUID().toString().substring(0, 8);
        RunSpec sample = SampleMessages.run();
        RunSpec run = new RunSpec(sample.schemaVersion(), runId, sample.method(), RunSpec.Mode.ASYNC, sample.seed(),
                sample.envSteps(), new RunSpec.DomainSpec("drift", Map.of(),
                List.of(new RunSpec.DomainSpec.PhysicsChange(500, Map.of("gravity", 1.5)))), sample.trainingDomains(),
                sample.parameters(), sample.createdAtMs());
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.RUNS, runId,
                Codecs.RUN_SPEC.encode(run))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId).then().statusCode(200));

        String id = collect(runId, "\"domain\":\"real\",", 1000);
        // The measurement side is not told: the collection shows its base physics, the batches name none.
        given().get("/api/v1/collections/" + id).then().body("physics", equalTo(Map.of()));
        List<CounterfactualBatch> p = pairs(runId, 10);
        double[] d = discrepancy(p).perRow();
        assertEquals(1000, d.length);
        double before = Arrays.stream(d, 0, 500).max().orElseThrow();
        double after = Arrays.stream(d, 500, 1000).average().orElseThrow();
        double afterMin = Arrays.stream(d, 500, 1000).min().orElseThrow();
        System.out.printf("drift emulation through env-service: max d of the first 500 %.3e, mean d of the rest %.3e"
                + " (min %.3e)%n", before, after, afterMin);
        assertTrue(before < IDENTICAL_TOLERANCE, "gravity 1.0 before the change: " + before);
        assertTrue(afterMin > IDENTICAL_TOLERANCE, "gravity 1.5 from real env step 500 on: " + afterMin);
    }
}

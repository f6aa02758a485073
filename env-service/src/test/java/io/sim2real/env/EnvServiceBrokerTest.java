package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.TransitionBatch;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.ServiceBaselineTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** env-service against the real broker and real MuJoCo. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class EnvServiceBrokerTest extends ServiceBaselineTest {

    @Override
    protected Map<String, ProducerRecord<String, byte[]>> validInputRecords() {
        String runId = "after-oversized-" + java.util.UUID.randomUUID();
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {16}, 4, 3);
        byte[] policy = Codecs.POLICY_SNAPSHOT.encode(io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {16}, runId, 1, 0));
        // sim2real.transitions: read by the counterfactual pairing (a real batch; sim ones are acked unread).
        return Map.of(Topics.POLICIES, new ProducerRecord<>(Topics.POLICIES, runId, policy),
                Topics.TRANSITIONS, sampleRecord(Topics.TRANSITIONS, runId));
    }


    private static final String TOKEN = "Bearer test-token";

    @Test
    void shouldCollectTransitionsInAPerturbedDomainAndPublishThemKeyedByTheirRun() throws Exception {
        String id = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"collect-run\",\"domain\":\"real\",\"physics\":{\"gravity\":1.5},\"policy\":\"random\","
                        + "\"envSteps\":600,\"numEnvs\":2,\"batchSize\":100,\"seed\":1}")
                .post("/api/v1/collections")
                .then().statusCode(202).body("state", equalTo("QUEUED")).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/collections/" + id).then().body("state", equalTo("DONE")).body("stepsTaken", equalTo(600)));

        List<ConsumerRecord<String, byte[]>> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.TRANSITIONS, r -> r.select().where(x -> "collect-run".equals(x.key())).select().first(6))
                .awaitCompletion(Duration.ofSeconds(30)).getRecords();
        int transitions = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            TransitionBatch b = Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH);
            assertEquals(Domain.REAL, b.domain());
            transitions += b.size();
        }
        assertEquals(600, transitions);
    }

    @Test
    void shouldRefuseStateChangesWithoutTheToken() {
        given().contentType("application/json").body("{\"runId\":\"no-token\"}").post("/api/v1/collections")
                .then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType("application/json").body("{}")
                .post("/api/v1/envs").then().statusCode(401);
    }

    @Test
    void shouldAnswerBadParametersWith400AndAMessage() {
        String[][] cases = {
                {"{\"runId\":\"r\",\"envSteps\":0}", "envSteps"},
                {"{\"runId\":\"../etc\"}", "runId"},
                {"{\"runId\":\"r\",\"domain\":\"moon\"}", "moon"},
                {"{\"runId\":\"r\",\"domain\":\"real\",\"physics\":{\"wind\":2}}", "wind"},
                {"{\"runId\":\"r\",\"domain\":\"real\",\"physics\":{\"gravity\":-1}}", "gravity"},
                {"{\"runId\":\"r\",\"domain\":\"sim\",\"physics\":{\"gravity\":2}}", "sim domain"},
                {"{\"runId\":\"r\",\"policy\":\"genius\"}", "genius"},
        };
        for (String[] c : cases) {
            given().header("Authorization", TOKEN).contentType("application/json").body(c[0])
                    .post("/api/v1/collections").then().statusCode(400).body("message", containsString(c[1]));
        }
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"runId\":")
                .post("/api/v1/collections").then().statusCode(400);
    }

    @Test
    void shouldLetAnExternalAgentCreateStepDescribeAndCloseEnvironments() {
        var created = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"domain\":\"real\",\"physics\":{\"torso_length\":2.0},\"numEnvs\":2,\"seed\":5}")
                .post("/api/v1/envs").then().statusCode(201)
                .body("observations", hasSize(2)).body("observations[0]", hasSize(17)).extract();
        String id = created.path("id");
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"actions\":[[0.5,0,0,0,0,0],[2,-2,0,0,0,0]]}")
                .post("/api/v1/envs/" + id + "/step").then().statusCode(200)
                .body("rew", hasSize(2)).body("act[1]", equalTo(List.of(1.0f, -1.0f, 0f, 0f, 0f, 0f)))
                .body("stepIndices[0]", equalTo(0));
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"actions\":[[0,0,0,0,0,0]]}")
                .post("/api/v1/envs/" + id + "/step").then().statusCode(400).body("message", containsString("1 actions for 2"));
        float torso = given().get("/api/v1/envs/" + id).then().statusCode(200).extract().path("geomHalfLengths.torso");
        assertEquals(1.0f, torso, 1e-6);
        given().header("Authorization", TOKEN).delete("/api/v1/envs/" + id).then().statusCode(204);
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"actions\":[[0,0,0,0,0,0]]}")
                .post("/api/v1/envs/" + id + "/step").then().statusCode(404);
    }

    @Test
    void shouldDescribeADomainsPhysicsAndListThePerturbationKinds() {
        given().get("/api/v1/physics?gravity=2").then().statusCode(200).body("gravity[2]", equalTo(-19.62f));
        given().get("/api/v1/physics?wind=2").then().statusCode(400).body("message", containsString("wind"));
        given().get("/api/v1/perturbations").then().statusCode(200).body("name", hasItem("thigh_length"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/collections"));
    }

    @Test
    void shouldActWithTheNewestPolicySnapshotAndDeadLetterOneItCannotBuild() throws Exception {
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {32, 32}, 4, 3);
        var v4 = io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {32, 32}, "policy-run", 4, 100);
        var v5 = io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {32, 32}, "policy-run", 5, 200);
        companion.produce(String.class, byte[].class).fromRecords(
                new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.POLICIES, "policy-run", Codecs.POLICY_SNAPSHOT.encode(v5)),
                new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.POLICIES, "policy-run", Codecs.POLICY_SNAPSHOT.encode(v4)))
                .awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/policies/policy-run").then().statusCode(200).body("version", equalTo(5)));

        String id = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"policy-run\",\"policy\":\"snapshot\",\"envSteps\":100,\"numEnvs\":2,\"batchSize\":100}")
                .post("/api/v1/collections").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/collections/" + id).then().body("state", equalTo("DONE")));
        ConsumerRecord<String, byte[]> batch = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.TRANSITIONS, r -> r.select().where(x -> "policy-run".equals(x.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(30)).getFirstRecord();
        assertEquals(5, Codecs.TRANSITION_BATCH.decode(batch.value(), EnvSpec.HALF_CHEETAH).policyVersion());

        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"policy-run\",\"policy\":\"snapshot\",\"episodes\":2}")
                .post("/api/v1/evaluations").then().statusCode(200)
                .body("[0].policyVersion", equalTo(5)).body("[0].deterministic", equalTo(true));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"no-policy-run\",\"policy\":\"snapshot\"}")
                .post("/api/v1/collections").then().statusCode(400).body("message", containsString("no policy snapshot"));

        var bad = new io.sim2real.contracts.messages.PolicySnapshot(v4.schemaVersion(), "bad-policy-run", 1, 0,
                "transformer", 17, 6, v4.weights(), v4.sha256(), null);
        companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                Topics.POLICIES, "bad-policy-run", Codecs.POLICY_SNAPSHOT.encode(bad))).awaitCompletion();
        ConsumerRecord<String, byte[]> dead = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetterOf(Topics.POLICIES),
                        r -> r.select().where(x -> "bad-policy-run".equals(x.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(30)).getFirstRecord();
        assertTrue(new String(dead.headers().lastHeader("dead-letter-reason").value()).contains("transformer"));
    }

    @Test
    void shouldEvaluateARunsPolicyEveryKEnvironmentSteps() throws Exception {
        var spec = io.sim2real.contracts.SampleMessages.run();
        var run = new io.sim2real.contracts.messages.RunSpec(spec.schemaVersion(), "periodic-run", spec.method(), spec.mode(),
                spec.seed(), spec.envSteps(), spec.realDomain(), spec.trainingDomains(), spec.parameters(), spec.createdAtMs());
        companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                Topics.RUNS, "periodic-run", Codecs.RUN_SPEC.encode(run))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/periodic-run").then().statusCode(200));

        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {16}, 4, 3);
        for (long[] versionAndStep : new long[][] {{1, 0}, {2, 1000}, {3, 6000}}) {
            var snapshot = io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {16}, "periodic-run",
                    versionAndStep[0], versionAndStep[1]);
            companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    Topics.POLICIES, "periodic-run", Codecs.POLICY_SNAPSHOT.encode(snapshot))).awaitCompletion();
        }
        List<ConsumerRecord<String, byte[]>> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.EVALUATIONS, r -> r.select().where(x -> "periodic-run".equals(x.key())).select().first(4))
                .awaitCompletion(Duration.ofSeconds(60)).getRecords();
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            EvaluationResult e = Codecs.EVALUATION_RESULT.decode(r.value(), EnvSpec.HALF_CHEETAH);
            seen.add("v" + e.policyVersion() + "@" + e.envStep() + ":" + e.domain().wireName());
            assertTrue(e.deterministic());
        }
        assertEquals(java.util.Set.of("v1@0:real", "v1@0:sim", "v3@6000:real", "v3@6000:sim"), seen,
                "v2 came only 1,000 steps after v1: not evaluated");
    }

    @jakarta.inject.Inject
    io.sim2real.env.acting.CollectionLog collectionLog;

    @Test
    void shouldDeadLetterAnUnreadableCollectionsLogEntryAndReadTheRest() throws Exception {
        companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                Topics.COLLECTIONS, "bad-entry", "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .awaitCompletion();
        var entries = collectionLog.readAll(Duration.ofSeconds(30));
        assertTrue(entries.stream().noneMatch(e -> "bad-entry".equals(e.id())));
        ConsumerRecord<String, byte[]> dead = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetterOf(Topics.COLLECTIONS),
                        r -> r.select().where(x -> "bad-entry".equals(x.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(30)).getFirstRecord();
        assertEquals("{not json", new String(dead.value(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(new String(dead.headers().lastHeader("dead-letter-reason").value()).contains("unreadable collection entry"));
    }

    @Test
    void shouldDeadLetterAnOversizedCollectionsLogEntryWholeAndReadTheRest() throws Exception {
        byte[] junk = oversizedJunk("oversized-entry", 5 * 1024 * 1024);
        companion.produce(String.class, byte[].class).withProp("max.request.size", Topics.MAX_RECORD_BYTES)
                .fromRecords(new ProducerRecord<>(Topics.COLLECTIONS, "oversized-entry", junk)).awaitCompletion();
        var entries = collectionLog.readAll(Duration.ofSeconds(30));
        assertTrue(entries.stream().noneMatch(e -> "oversized-entry".equals(e.id())));
        ConsumerRecord<String, byte[]> dead = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetterOf(Topics.COLLECTIONS),
                        r -> r.select().where(x -> "oversized-entry".equals(x.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(30)).getFirstRecord();
        assertEquals(junk.length, dead.value().length);
        assertEquals("MALFORMED", new String(dead.headers().lastHeader("sim2real-reason-code").value()));
    }

    @Test
    void shouldEvaluateOnlyInSimWhenTheRunHasNoPerturbedDomain() throws Exception {
        var spec = io.sim2real.contracts.SampleMessages.run();
        var run = new io.sim2real.contracts.messages.RunSpec(spec.schemaVersion(), "sim-only-eval-run", spec.method(),
                spec.mode(), spec.seed(), spec.envSteps(), new io.sim2real.contracts.messages.RunSpec.DomainSpec("none", Map.of()),
                List.of(io.sim2real.contracts.Domain.SIM), spec.parameters(), spec.createdAtMs());
        companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                Topics.RUNS, run.runId(), Codecs.RUN_SPEC.encode(run))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/sim-only-eval-run").then().statusCode(200));
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {16}, 4, 3);
        for (long[] versionAndStep : new long[][] {{1, 0}, {2, 6000}}) {
            companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    Topics.POLICIES, run.runId(), Codecs.POLICY_SNAPSHOT.encode(io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17,
                            new int[] {16}, run.runId(), versionAndStep[0], versionAndStep[1])))).awaitCompletion();
        }
        // Two snapshots to evaluate: had the first been evaluated in "real" too, these would be v1 sim and v1 real.
        List<ConsumerRecord<String, byte[]>> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.EVALUATIONS, r -> r.select().where(x -> run.runId().equals(x.key())).select().first(2))
                .awaitCompletion(Duration.ofSeconds(60)).getRecords();
        List<String> seen = new java.util.ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            EvaluationResult e = Codecs.EVALUATION_RESULT.decode(r.value(), EnvSpec.HALF_CHEETAH);
            seen.add("v" + e.policyVersion() + ":" + e.domain().wireName());
        }
        assertEquals(List.of("v1:sim", "v2:sim"), seen);
    }

    @Test
    void shouldEvaluateInSimAndRealAndPublishTheResults() throws Exception {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"eval-run\",\"policy\":\"scripted\",\"realPhysics\":{\"gravity\":2.0},\"episodes\":2,\"seed\":3}")
                .post("/api/v1/evaluations").then().statusCode(200)
                .body("domain", equalTo(List.of("sim", "real"))).body("[0].seeds", equalTo(List.of(3, 4)))
                .body("[0].lengths", equalTo(List.of(1000, 1000)));
        List<ConsumerRecord<String, byte[]>> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.EVALUATIONS, r -> r.select().where(x -> "eval-run".equals(x.key())).select().first(2))
                .awaitCompletion(Duration.ofSeconds(30)).getRecords();
        EvaluationResult sim = Codecs.EVALUATION_RESULT.decode(records.get(0).value(), EnvSpec.HALF_CHEETAH);
        EvaluationResult real = Codecs.EVALUATION_RESULT.decode(records.get(1).value(), EnvSpec.HALF_CHEETAH);
        assertTrue(sim.meanReturn() > 0, "the scripted gait moves forward in sim: " + sim.meanReturn());
        assertTrue(real.meanReturn() != sim.meanReturn(), "double gravity changes the return");
    }
}

package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
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
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.SquashedGaussianActor;
import io.sim2real.testing.KafkaBrokerResource;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Lockstep collections against the real broker and real MuJoCo: chunks of 50 env steps (RunSpec parameters), each
 * after a PolicySnapshot that has trained on everything published before it; policy-service is played by the test.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class LockstepCollectionTest {

    @InjectKafkaCompanion
    KafkaCompanion companion;

    private static final String TOKEN = "Bearer test-token";
    private static final SquashedGaussianActor ACTOR = new SquashedGaussianActor(17, 6, new int[] {16}, 4, 7);

    private void submitRun(String runId, RunSpec.Mode mode, Map<String, Double> parameters) {
        submitRun(runId, mode, parameters, List.of(Domain.SIM));
    }

    private void submitRun(String runId, RunSpec.Mode mode, Map<String, Double> parameters, List<Domain> domains) {
        RunSpec r = SampleMessages.run();
        publishRun(runId, mode, parameters, domains);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId).then().statusCode(200));
    }

    /** A definition straight onto the runs topic, as another client may write it (not through the REST API). */
    private void publishRun(String runId, RunSpec.Mode mode, Map<String, Double> parameters, List<Domain> domains) {
        RunSpec r = SampleMessages.run();
        RunSpec run = new RunSpec(SchemaVersion.CURRENT, runId, RunSpec.Method.MBPO, mode, 1, 2_000_000, r.realDomain(),
                domains, parameters, 1L);
        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.RUNS, runId, Codecs.RUN_SPEC.encode(run))).awaitCompletion();
    }

    private void publishSnapshot(String runId, long version, long envStep) {
        var snapshot = PolicySnapshots.toSnapshot(ACTOR, 17, new int[] {16}, runId, version, envStep);
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.POLICIES, runId, Codecs.POLICY_SNAPSHOT.encode(snapshot))).awaitCompletion();
    }

    private static String collect(String runId, long envSteps) {
        return given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"" + runId + "\",\"domain\":\"sim\",\"policy\":\"snapshot\",\"envSteps\":" + envSteps
                        + ",\"numEnvs\":2,\"batchSize\":50,\"seed\":4}")
                .post("/api/v1/collections").then().statusCode(202).extract().path("id");
    }

    private static void assertWaiting(String id, long stepsTaken, long forEnvStep, Duration during) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("WAITING_FOR_POLICY")).body("waitingForEnvStep", equalTo((int) forEnvStep)));
        await().during(during).atMost(during.plusSeconds(5)).untilAsserted(() -> given().get("/api/v1/collections/" + id)
                .then().body("state", equalTo("WAITING_FOR_POLICY")).body("stepsTaken", equalTo((int) stepsTaken)));
    }

    private List<TransitionBatch> transitions(String runId, int batches) throws Exception {
        List<TransitionBatch> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : companion.consume(String.class, byte[].class)
                .fromTopics(Topics.TRANSITIONS, x -> x.select().where(t -> runId.equals(t.key())).select().first(batches))
                .awaitCompletion(Duration.ofSeconds(30)).getRecords()) {
            out.add(Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH));
        }
        return out;
    }

    @Test
    void shouldWaitAfterEachChunkUntilAPolicyHasTrainedOnItThenActWithThatPolicy() throws Exception {
        submitRun("lockstep-run", RunSpec.Mode.LOCKSTEP, Map.of("lockstepChunk", 50.0, "initialRandomSteps", 50.0));
        String id = collect("lockstep-run", 150);
        // No policy yet: 50 random steps, then wait for a snapshot that has trained on them.
        assertWaiting(id, 50, 50, Duration.ofSeconds(1));
        given().get("/api/v1/collections/" + id).then().body("mode", equalTo("lockstep")).body("policyVersion", equalTo(0));

        publishSnapshot("lockstep-run", 1, 49);
        assertWaiting(id, 50, 50, Duration.ofSeconds(1));
        publishSnapshot("lockstep-run", 2, 50);
        assertWaiting(id, 100, 100, Duration.ofMillis(500));
        given().get("/api/v1/collections/" + id).then().body("policyVersion", equalTo(2));

        publishSnapshot("lockstep-run", 3, 100);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("DONE")).body("stepsTaken", equalTo(150)).body("policyVersion", equalTo(3))
                .body("waitingForEnvStep", nullValue()));

        List<TransitionBatch> batches = transitions("lockstep-run", 3);
        assertEquals(List.of(0L, 2L, 3L), batches.stream().map(TransitionBatch::policyVersion).toList(),
                "random first, then each chunk with the policy that released it");
        assertTrue(batches.stream().allMatch(b -> b.size() == 50));

        String metrics = given().header("Accept", "text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("sim2real_env_lockstep_wait_seconds_count{run=\"lockstep-run\",} 2.0"), metrics);
        assertTrue(metrics.contains("sim2real_env_lockstep_waiting{run=\"lockstep-run\",} 0.0"), metrics);
    }

    @Test
    void shouldStillExploreAtRandomInSimWhenTheOnlyPolicyWasTrainedOnTheRunsOfflineRealData() throws Exception {
        submitRun("lockstep-mixed", RunSpec.Mode.LOCKSTEP, Map.of("lockstepChunk", 50.0, "initialRandomSteps", 50.0),
                List.of(Domain.SIM, Domain.REAL));
        // The run's offline real data first (not lockstep: a random policy), and a learner that trained on them alone.
        String real = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"lockstep-mixed\",\"domain\":\"real\",\"physics\":{\"gravity\":1.5},\"policy\":\"random\","
                        + "\"envSteps\":100,\"numEnvs\":2,\"batchSize\":50,\"seed\":5}")
                .post("/api/v1/collections").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/collections/" + real).then()
                .body("state", equalTo("DONE")));
        publishSnapshot("lockstep-mixed", 1, 100);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/policies/lockstep-mixed").then()
                .statusCode(200));

        String id = collect("lockstep-mixed", 150);
        // 50 random sim steps although a snapshot exists, then a wait for one trained on them too (100 real + 50 sim).
        assertWaiting(id, 50, 150, Duration.ofSeconds(1));
        given().get("/api/v1/collections/" + id).then().body("policyVersion", equalTo(0));
        publishSnapshot("lockstep-mixed", 2, 150);
        assertWaiting(id, 100, 200, Duration.ofMillis(500));
        publishSnapshot("lockstep-mixed", 3, 200);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("DONE")).body("stepsTaken", equalTo(150)));

        List<Long> simVersions = transitions("lockstep-mixed", 5).stream().filter(b -> b.domain() == Domain.SIM)
                .map(TransitionBatch::policyVersion).toList();
        assertEquals(List.of(0L, 2L, 3L), simVersions, "random first in sim, then each chunk with the policy that released it");
    }

    @Test
    void shouldCollectAnAsyncRunStraightThroughWithTheSnapshotHeld() throws Exception {
        submitRun("async-run", RunSpec.Mode.ASYNC, Map.of("lockstepChunk", 50.0, "initialRandomSteps", 50.0));
        publishSnapshot("async-run", 4, 0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/policies/async-run").then().statusCode(200).body("version", equalTo(4)));
        String id = collect("async-run", 150);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("DONE")).body("mode", equalTo("async")).body("stepsTaken", equalTo(150)));
        assertEquals(List.of(4L, 4L, 4L), transitions("async-run", 3).stream().map(TransitionBatch::policyVersion).toList());
    }

    @Test
    void shouldFailACollectionWhosePolicyDoesNotComeWithinTheTimeout() {
        submitRun("lockstep-timeout-run", RunSpec.Mode.LOCKSTEP,
                Map.of("lockstepChunk", 50.0, "initialRandomSteps", 50.0, "lockstepTimeoutSeconds", 1.0));
        publishSnapshot("lockstep-timeout-run", 1, 0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/policies/lockstep-timeout-run").then().statusCode(200));
        // A (stale) snapshot exists: no random steps; it acts with v1 at once (envStep 0 covers the 0 published).
        String id = collect("lockstep-timeout-run", 150);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("FAILED")).body("stepsTaken", equalTo(50)).body("policyVersion", equalTo(1))
                .body("error", containsString("no policy snapshot of run 'lockstep-timeout-run' with envStep >= 50 within PT1S"))
                .body("error", containsString("newest held: v1 at envStep 0")));
    }

    @Test
    void shouldEndAWaitingCollectionWhenItIsCancelledAndRefuseBadLockstepParameters() {
        submitRun("lockstep-cancel-run", RunSpec.Mode.LOCKSTEP, Map.of("lockstepChunk", 50.0, "initialRandomSteps", 50.0));
        String id = collect("lockstep-cancel-run", 150);
        assertWaiting(id, 50, 50, Duration.ZERO);
        given().delete("/api/v1/collections/" + id).then().statusCode(401);
        given().header("Authorization", TOKEN).delete("/api/v1/collections/" + id).then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("CANCELLED")).body("stepsTaken", equalTo(50)).body("error", containsString("cancelled")));
        given().header("Authorization", TOKEN).delete("/api/v1/collections/no-such-collection").then().statusCode(404);

        // A definition that is no run, written straight to the topic: refused, said by the API, and its collections refused.
        publishRun("lockstep-bad-run", RunSpec.Mode.LOCKSTEP, Map.of("lockstepChunk", 0.0), List.of(Domain.SIM));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/lockstep-bad-run").then()
                .statusCode(422).body("message", containsString("parameters.lockstepChunk")));
        given().get("/api/v1/runs/lockstep-bad-run/status").then().statusCode(200)
                .body("refused", containsString("parameters.lockstepChunk"));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"lockstep-bad-run\",\"policy\":\"snapshot\"}")
                .post("/api/v1/collections").then().statusCode(400).body("message", containsString("lockstepChunk"));
    }

    @Test
    void shouldStopARunsCollectionsWhenTheRunIsDeleted() {
        submitRun("deleted-run", RunSpec.Mode.ASYNC, Map.of());
        String id = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"deleted-run\",\"domain\":\"sim\",\"policy\":\"random\",\"envSteps\":2000000,"
                        + "\"numEnvs\":1,\"batchSize\":1000,\"seed\":4}")
                .post("/api/v1/collections").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("RUNNING")).body("stepsTaken", org.hamcrest.Matchers.greaterThan(0)));
        given().header("Authorization", TOKEN).delete("/api/v1/runs/deleted-run").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/collections/" + id).then()
                .body("state", equalTo("CANCELLED")).body("error", containsString("deleted")));
        int steps = given().get("/api/v1/collections/" + id).then().extract().path("stepsTaken");
        org.junit.jupiter.api.Assertions.assertTrue(steps < 2_000_000, "stopped early, at " + steps);
    }
}

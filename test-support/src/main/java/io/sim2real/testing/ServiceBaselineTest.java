package io.sim2real.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * What every service must do against the real broker, inherited by one {@code @QuarkusTest} per service:
 * be ready with Kafka in its readiness, export Prometheus metrics, keep the run definitions of the
 * compacted runs topic, and dead-letter a run it cannot read while staying ready.
 */
public abstract class ServiceBaselineTest {

    @InjectKafkaCompanion
    protected KafkaCompanion companion;

    @Test
    void shouldBeLiveAndReadyWithKafka() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("Kafka"));
    }

    @Test
    void shouldExportPrometheusMetrics() {
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics exported");
        assertTrue(metrics.contains("kafka_consumer_"), "Kafka client metrics exported");
    }

    @Test
    void shouldKeepRunDefinitionsAndForgetDeletedRuns() {
        RunSpec run = withRunId(SampleMessages.run(), "baseline-" + UUID.randomUUID());
        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.RUNS, run.runId(), Codecs.RUN_SPEC.encode(run))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/" + run.runId()).then().statusCode(200).body("method", equalTo("mbpo")));

        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.RUNS, run.runId(), null)).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/" + run.runId()).then().statusCode(404));
    }

    @Test
    void shouldDeadLetterAnInvalidRunDefinitionAndStayReady() {
        String runId = "bad-" + UUID.randomUUID();
        String bad = new String(Codecs.RUN_SPEC.encode(withRunId(SampleMessages.run(), runId)), StandardCharsets.UTF_8)
                .replace("\"gravity\":1.5", "\"gravity\":-3.0");
        companion.produceStrings().fromRecords(new ProducerRecord<>(Topics.RUNS, runId, bad)).awaitCompletion();
        ConsumerRecord<String, String> dead = companion.consumeStrings()
                .fromTopics(Topics.deadLetterOf(Topics.RUNS),
                        records -> records.select().where(r -> runId.equals(r.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(30)).getFirstRecord();
        assertEquals(bad, dead.value());
        assertEquals("OUT_OF_RANGE", new String(dead.headers().lastHeader("sim2real-reason-code").value(),
                StandardCharsets.UTF_8));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void shouldSubmitAndDeleteRunsOverRestAndRefuseInvalidOnes() {
        String runId = "rest-" + UUID.randomUUID();
        String json = new String(Codecs.RUN_SPEC.encode(withRunId(SampleMessages.run(), runId)), StandardCharsets.UTF_8);
        given().header("Authorization", "Bearer " + apiToken()).contentType("application/json").body(json)
                .post("/api/v1/runs").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/" + runId).then().statusCode(200));
        given().header("Authorization", "Bearer " + apiToken()).contentType("application/json")
                .body(json.replace("\"mbpo\"", "\"alchemy\"")).post("/api/v1/runs").then().statusCode(400)
                .body(containsString("alchemy"));
        given().header("Authorization", "Bearer " + apiToken()).delete("/api/v1/runs/" + runId).then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/runs/" + runId).then().statusCode(404));
    }

    /** The service's configured API token in tests (empty when none is set). */
    protected static String apiToken() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("sim2real.api.token", String.class).orElse("");
    }

    protected static RunSpec withRunId(RunSpec r, String runId) {
        return new RunSpec(r.schemaVersion(), runId, r.method(), r.mode(), r.seed(), r.envSteps(), r.realDomain(),
                r.trainingDomains(), r.parameters(), r.createdAtMs());
    }
}

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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * What every service must do against the real broker, inherited by one {@code @QuarkusTest} per service:
 * be ready with Kafka in its readiness, export Prometheus metrics, keep the run definitions of the
 * compacted runs topic, dead-letter a run it cannot read while staying ready, and dead-letter an oversized invalid
 * record on each topic it consumes and then process the next valid one.
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

    @Test
    void shouldPublishARunsEffectiveSettingsAndRefuseParametersAndChangesThatAreNoRunNamingTheField() {
        String runId = "settings-" + UUID.randomUUID();
        String json = new String(Codecs.RUN_SPEC.encode(withRunId(SampleMessages.run(), runId)), StandardCharsets.UTF_8);
        String token = "Bearer " + apiToken();
        // Accepted with every setting of an MBPO lockstep run fixed now, the given one and this deployment's defaults.
        given().header("Authorization", token).contentType("application/json").body(json).post("/api/v1/runs").then()
                .statusCode(202).body("parameters.updatesPerStep", equalTo(20.0f))
                .body("parameters.trainEvery", org.hamcrest.Matchers.notNullValue())
                .body("parameters.lockstepChunk", org.hamcrest.Matchers.notNullValue())
                .body("parameters.jointSteps", org.hamcrest.Matchers.nullValue());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId).then()
                .statusCode(200).body("parameters.trainEvery", org.hamcrest.Matchers.notNullValue()));
        for (String[] bad : new String[][] {{"\"updatesPerStep\":20.0", "\"updatesPerStepp\":20.0", "parameters.updatesPerStepp"},
                {"\"updatesPerStep\":20.0", "\"realRatio\":1.5", "parameters.realRatio"},
                {"\"updatesPerStep\":20.0", "\"jointSteps\":10", "parameters.jointSteps"}}) {
            given().header("Authorization", token).contentType("application/json").body(json.replace(bad[0], bad[1]))
                    .post("/api/v1/runs").then().statusCode(400).body("message", containsString(bad[2]));
        }
        // What the run was made with cannot change under it; its parameters can, and take effect.
        given().header("Authorization", token).contentType("application/json").body(json.replace("\"mbpo\"", "\"sac\""))
                .post("/api/v1/runs").then().statusCode(409).body("message", containsString("'method'"));
        given().header("Authorization", token).contentType("application/json")
                .body(json.replace("\"updatesPerStep\":20.0", "\"updatesPerStep\":3.0")).post("/api/v1/runs").then()
                .statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/runs/" + runId + "/status").then()
                .statusCode(200).body("effective.parameters.updatesPerStep", equalTo(3.0f))
                .body("refused", org.hamcrest.Matchers.nullValue()));
        // The catalogue a client builds RunSpecs from.
        given().get("/api/v1/run-parameters").then().statusCode(200)
                .body("find { it.name == 'realRatio' }.type", equalTo("share"))
                .body("find { it.name == 'realRatio' }.defaults.mbpo", org.hamcrest.Matchers.notNullValue())
                .body("find { it.name == 'jointSteps' }.defaults.mbpo", org.hamcrest.Matchers.nullValue());
    }

    /**
     * RunSpecs as the build before run settings wrote them on {@code sim2real.runs} (bin/ scripts, train-sweep, tests;
     * upgrades/runs-before-run-settings.jsonl), replayed onto the topic: each is taken as it is, converted (a parameter
     * that never applied to its run dropped, said by /status), or refused with the field named, never dropped silently.
     */
    @Test
    void shouldTakeConvertOrReportEachRunDefinitionAnEarlierBuildWrote() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<String[]> cases = new java.util.ArrayList<>();
        try (var in = ServiceBaselineTest.class.getResourceAsStream("/upgrades/runs-before-run-settings.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                var node = io.sim2real.contracts.json.MessageCodec.MAPPER.readTree(line);
                String runId = node.get("record").get("runId").asText().replace("UPGRADE", "upgrade-" + suffix);
                String record = node.get("record").toString().replaceAll("UPGRADE-[a-z-]+", runId);
                companion.produceStrings().fromRecords(new ProducerRecord<>(Topics.RUNS, runId, record)).awaitCompletion();
                cases.add(new String[] {runId, node.get("expect").asText()});
            }
        }
        for (String[] c : cases) {
            String runId = c[0];
            String expect = c[1];
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var status = given().get("/api/v1/runs/" + runId + "/status").then().statusCode(200);
                if (expect.equals("taken")) {
                    status.body("refused", org.hamcrest.Matchers.nullValue()).body("conversions", org.hamcrest.Matchers.empty())
                            .body("effective.runId", equalTo(runId));
                } else if (expect.equals("converted")) {
                    status.body("refused", org.hamcrest.Matchers.nullValue())
                            .body("conversions[0]", containsString("dropped: field 'parameters."));
                } else {
                    status.body("effective", org.hamcrest.Matchers.nullValue())
                            .body("refused", containsString(expect.substring("refused:".length())));
                    given().get("/api/v1/runs/" + runId).then().statusCode(422);
                }
            });
        }
    }

    /**
     * Each topic the service consumes through InboundRecords besides {@code sim2real.runs}, with a valid record of it
     * whose key is the value's runId: after an oversized invalid record on the topic, this one must be processed.
     */
    protected abstract Map<String, ProducerRecord<String, byte[]>> validInputRecords();

    /** Larger than Kafka clients' 1 MiB default, as the records that used to stop the consumers for good. */
    private static final int OVERSIZED_BYTES = 3 * 1024 * 1024;

    @Test
    void shouldDeadLetterAnOversizedRunDefinitionAndStillReadTheNextRun() {
        String bad = "oversized-run-" + UUID.randomUUID();
        byte[] junk = oversizedJunk(bad, 10 * 1024 * 1024);
        RunSpec next = withRunId(SampleMessages.run(), "after-oversized-" + UUID.randomUUID());
        companion.produce(String.class, byte[].class).withProp("max.request.size", Topics.MAX_RECORD_BYTES)
                .fromRecords(new ProducerRecord<>(Topics.RUNS, bad, junk),
                new ProducerRecord<>(Topics.RUNS, next.runId(), Codecs.RUN_SPEC.encode(next))).awaitCompletion();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/runs/" + next.runId()).then().statusCode(200));
        assertDeadLetteredWhole(Topics.RUNS, bad, junk);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldDeadLetterAnOversizedRecordOnEveryInputTopicAndProcessTheNextValidOne() {
        Map<String, ProducerRecord<String, byte[]>> inputs = validInputRecords();
        assertTrue(!inputs.isEmpty(), "a service consumes at least one topic besides sim2real.runs");
        for (Map.Entry<String, ProducerRecord<String, byte[]>> input : inputs.entrySet()) {
            String topic = input.getKey();
            double before = consumed(topic);
            String bad = "oversized-" + UUID.randomUUID();
            byte[] junk = oversizedJunk(bad, OVERSIZED_BYTES);
            companion.produce(String.class, byte[].class).withProp("max.request.size", Topics.MAX_RECORD_BYTES)
                    .fromRecords(new ProducerRecord<>(topic, bad, junk), input.getValue()).awaitCompletion();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertTrue(consumed(topic) >= before + 1, topic + ": the valid record after the oversized one is processed"));
            assertDeadLetteredWhole(topic, bad, junk);
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/well").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** A valid sample record of a data topic (contracts' SampleMessages) under another runId, keyed by it. */
    protected static ProducerRecord<String, byte[]> sampleRecord(String topic, String runId) {
        byte[] sample = switch (topic) {
            case Topics.TRANSITIONS -> Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(4));
            case Topics.ROLLOUTS -> Codecs.ROLLOUT_BATCH.encode(SampleMessages.rollouts(4));
            case Topics.GAP -> Codecs.GAP_MEASUREMENT.encode(SampleMessages.gap());
            case Topics.EVALUATIONS -> Codecs.EVALUATION_RESULT.encode(SampleMessages.evaluation());
            default -> throw new IllegalArgumentException("no sample for " + topic);
        };
        String json = new String(sample, StandardCharsets.UTF_8).replace("\"runId\":\"run-1\"", "\"runId\":\"" + runId + "\"");
        return new ProducerRecord<>(topic, runId, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON object with a valid runId and a field far larger than any contract allows. */
    public static byte[] oversizedJunk(String runId, int bytes) {
        String head = "{\"schemaVersion\":1,\"runId\":\"" + runId + "\",\"junk\":\"";
        return (head + "x".repeat(bytes - head.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private void assertDeadLetteredWhole(String topic, String key, byte[] value) {
        ConsumerRecord<String, byte[]> dead = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.deadLetterOf(topic), records -> records.select().where(r -> key.equals(r.key())).select().first(1))
                .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
        assertEquals(value.length, dead.value().length, "the whole record is dead-lettered");
        assertTrue(dead.headers().lastHeader("sim2real-reason-code") != null, "with its reason");
        assertEquals(topic, new String(dead.headers().lastHeader("dead-letter-topic").value(), StandardCharsets.UTF_8));
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_records_dead_lettered_total{")
                && l.contains("topic=\"" + topic + "\"")), "counted as dead-lettered on " + topic);
    }

    /** {@code sim2real_records_consumed_total} of a topic, as the service exports it. */
    protected static double consumed(String topic) {
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("sim2real_records_consumed_total{") && l.contains("topic=\"" + topic + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * /q/openapi lists every REST endpoint the service's resources declare (its own and service-common's runs and
     * run-parameters), each with a summary, its main response described, and an example of every request body and of
     * the main response where it has a body ({@link OpenApiDocument#problems}).
     */
    @Test
    void shouldDocumentEveryRestEndpointInItsOpenApiDocumentWithDescriptionsAndExamples() throws Exception {
        String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        com.fasterxml.jackson.databind.JsonNode document = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        java.util.Set<String> declared = RestEndpoints.declared(java.nio.file.Path.of("target", "classes"),
                "io.sim2real.service.runs.RunResource", "io.sim2real.service.runs.RunParameterResource");
        assertTrue(declared.contains("POST /api/v1/runs"), "the shared run resource is found: " + declared);
        java.util.Set<String> missing = new java.util.TreeSet<>(declared);
        missing.removeAll(OpenApiDocument.operations(document));
        assertEquals(java.util.Set.of(), missing, "REST endpoints missing from /q/openapi");
        assertEquals(List.of(), OpenApiDocument.problems(document), "operations in /q/openapi without a description or example");
    }

    /**
     * A service with nn loaded ND4J's native libraries at start-up, off the event loop and before the Kafka consumers
     * started (NativeLibrariesStartup's priority is below the messaging lifecycle's 1000); one without nn has none.
     */
    @Test
    void shouldLoadNativeLibrariesAtStartUpOffTheEventLoopWhereTheServiceHasThem() throws Exception {
        Class<?> backend;
        try {
            backend = Class.forName("io.sim2real.nn.NativeBackend");
        } catch (ClassNotFoundException e) {
            return; // metrics-service: nothing to load
        }
        String thread = (String) backend.getMethod("loadedOn").invoke(null);
        org.junit.jupiter.api.Assertions.assertNotNull(thread, "the start-up observer loaded ND4J");
        org.junit.jupiter.api.Assertions.assertFalse(thread.contains("eventloop") || thread.startsWith("vert.x"),
                "loaded on " + thread);
        jakarta.annotation.Priority p = Class.forName("io.sim2real.service.startup.NativeLibrariesStartup")
                .getDeclaredMethod("onStart", io.quarkus.runtime.StartupEvent.class).getParameters()[0]
                .getAnnotation(jakarta.annotation.Priority.class);
        assertTrue(p != null && p.value() < 1000, "runs before the messaging lifecycle (priority 1000)");
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

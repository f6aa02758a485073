package io.sim2real.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.PrometheusText;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Evaluation returns and gap measurements become Prometheus gauges; bad ones are dead-lettered. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class ResultGaugesTest {

    @InjectKafkaCompanion
    KafkaCompanion companion;

    private static String metrics() {
        return given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void shouldExportTheLatestEvaluationReturnPerRunAndDomain() {
        EvaluationResult e = SampleMessages.evaluation();
        EvaluationResult real = new EvaluationResult(e.schemaVersion(), "gauge-run", Domain.REAL, 9, 5000, true,
                new long[] {1, 2}, new double[] {100, 300}, new int[] {1000, 1000});
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.EVALUATIONS, "gauge-run", Codecs.EVALUATION_RESULT.encode(real))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = metrics();
            assertEquals(200.0, PrometheusText.sample(m, "sim2real_evaluation_return", "run", "gauge-run", "domain", "real").orElse(-1));
            assertEquals(9.0, PrometheusText.sample(m, "sim2real_evaluation_policy_version", "run", "gauge-run", "domain", "real").orElse(-1));
        });
    }

    @Test
    void shouldExportTheLatestGapAndDeadLetterANonFiniteOne() {
        GapMeasurement g = SampleMessages.gap();
        GapMeasurement gap = new GapMeasurement(g.schemaVersion(), "gap-run", "gravity", 2.0,
                GapMeasurement.Metric.MAPPING_DISTANCE, 20.7, 3, 5000, 1L);
        String nan = new String(Codecs.GAP_MEASUREMENT.encode(gap), StandardCharsets.UTF_8).replace("20.7", "NaN");
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.GAP, "gap-run", Codecs.GAP_MEASUREMENT.encode(gap)),
                new ProducerRecord<>(Topics.GAP, "gap-run", nan.getBytes(StandardCharsets.UTF_8))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = metrics();
            assertEquals(20.7, PrometheusText.sample(m, "sim2real_gap", "run", "gap-run", "perturbation", "gravity",
                    "factor", "2.0", "metric", "mapping_distance").orElse(-1), 1e-12);
            assertEquals(1.0, PrometheusText.sample(m, "sim2real_records_dead_lettered_total",
                    "reason", "NON_FINITE", "topic", Topics.GAP).orElse(-1));
        });
    }

    @Test
    void shouldExportTheProbesGapWithItsPairingFloorAndSpreadBesideTheTrainingModelsOwn() {
        GapMeasurement probe = new GapMeasurement(1, "probe-run", "gravity", 1.5, GapMeasurement.Metric.MAPPING_DISTANCE,
                0.42, 2, 6000, 1L, GapMeasurement.Pairing.COUNTERFACTUAL, 0.05, 0.01);
        GapMeasurement training = new GapMeasurement(1, "probe-run", "gravity", 1.5,
                GapMeasurement.Metric.TRAINING_MAPPING_DISTANCE, 14.0, 5, 6000, 1L);
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.GAP, "probe-run", Codecs.GAP_MEASUREMENT.encode(probe)),
                new ProducerRecord<>(Topics.GAP, "probe-run", Codecs.GAP_MEASUREMENT.encode(training))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = metrics();
            assertEquals(0.42, PrometheusText.sample(m, "sim2real_gap", "run", "probe-run", "metric", "mapping_distance",
                    "pairing", "counterfactual").orElse(-1), 1e-12);
            assertEquals(0.05, PrometheusText.sample(m, "sim2real_gap_floor", "run", "probe-run", "metric", "mapping_distance",
                    "pairing", "counterfactual").orElse(-1), 1e-12);
            assertEquals(0.01, PrometheusText.sample(m, "sim2real_gap_spread", "run", "probe-run", "metric", "mapping_distance",
                    "pairing", "counterfactual").orElse(-1), 1e-12);
            assertEquals(14.0, PrometheusText.sample(m, "sim2real_gap", "run", "probe-run", "metric", "training_mapping_distance",
                    "pairing", "none").orElse(-1), 1e-12);
            assertTrue(PrometheusText.sample(m, "sim2real_gap_floor", "run", "probe-run", "metric",
                    "training_mapping_distance").isEmpty(), "a training model's metric has no floor");
        });
        given().get("/api/v1/history/probe-run").then().statusCode(200)
                .body("gaps.find { it.metric == 'mapping_distance' }.floor", org.hamcrest.Matchers.equalTo(0.05f))
                .body("gaps.find { it.metric == 'mapping_distance' }.pairing", org.hamcrest.Matchers.equalTo("counterfactual"));
    }
}

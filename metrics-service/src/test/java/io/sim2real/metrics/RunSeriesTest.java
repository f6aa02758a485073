package io.sim2real.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
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
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.PrometheusText;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Run series with their run labels, the run history over REST, and runs ageing out. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class RunSeriesTest {

    @InjectKafkaCompanion
    KafkaCompanion companion;

    static String metrics() {
        return given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    static RunSpec run(String runId, long envSteps, long createdAtMs) {
        RunSpec r = SampleMessages.run();
        return new RunSpec(r.schemaVersion(), runId, RunSpec.Method.MBPO, r.mode(), r.seed(), envSteps,
                new RunSpec.DomainSpec("gravity-1.5", Map.of("gravity", 1.5)), List.of(Domain.SIM, Domain.REAL),
                r.parameters(), createdAtMs);
    }

    static GapMeasurement gap(String runId, GapMeasurement.Metric metric, double value, long modelVersion) {
        return new GapMeasurement(SampleMessages.gap().schemaVersion(), runId, "gravity", 1.5, metric, value,
                modelVersion, 1000 * modelVersion, System.currentTimeMillis());
    }

    static EvaluationResult evaluation(String runId, Domain domain, double ret) {
        return new EvaluationResult(SampleMessages.evaluation().schemaVersion(), runId, domain, 3, 2000, true,
                new long[] {1}, new double[] {ret}, new int[] {1000});
    }

    static TransitionBatch transitions(String runId, int n, long policyVersion) {
        TransitionBatch b = SampleMessages.transitions(n);
        return new TransitionBatch(b.schemaVersion(), runId, Domain.SIM, b.envId(), policyVersion, b.episodeIds(),
                b.stepIndices(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    /** Produces a run definition and one record of every kind the service reads. */
    static void produceRun(KafkaCompanion companion, String runId) {
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.RUNS, runId, Codecs.RUN_SPEC.encode(run(runId, 1000, System.currentTimeMillis()))),
                new ProducerRecord<>(Topics.TRANSITIONS, runId, Codecs.TRANSITION_BATCH.encode(transitions(runId, 4, 2))),
                new ProducerRecord<>(Topics.EVALUATIONS, runId, Codecs.EVALUATION_RESULT.encode(evaluation(runId, Domain.SIM, -120.5))),
                new ProducerRecord<>(Topics.EVALUATIONS, runId, Codecs.EVALUATION_RESULT.encode(evaluation(runId, Domain.REAL, -310.0))),
                new ProducerRecord<>(Topics.GAP, runId, Codecs.GAP_MEASUREMENT.encode(
                        gap(runId, GapMeasurement.Metric.MAPPING_DISTANCE, 0.8, 1)))).awaitCompletion();
    }

    @Test
    void shouldLabelRunSeriesWithTheRunsMethodPerturbationAndModelVersion() {
        produceRun(companion, "series-run");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = metrics();
            assertEquals(0.8, PrometheusText.sample(m, "sim2real_gap", "run", "series-run", "method", "mbpo",
                    "perturbation", "gravity", "factor", "1.5", "metric", "mapping_distance", "model_version", "1")
                    .orElse(-1), 1e-12);
            assertEquals(-120.5, PrometheusText.sample(m, "sim2real_evaluation_return", "run", "series-run",
                    "method", "mbpo", "domain", "sim", "perturbation", "gravity", "factor", "1.5").orElse(-1), 1e-12);
            assertEquals(-310.0, PrometheusText.sample(m, "sim2real_evaluation_return", "run", "series-run",
                    "method", "mbpo", "domain", "real").orElse(-1), 1e-12);
            assertEquals(1.0, PrometheusText.sample(m, "sim2real_evaluations_total", "run", "series-run",
                    "domain", "real").orElse(-1));
            assertEquals(4.0, PrometheusText.sample(m, "sim2real_transitions_total", "run", "series-run",
                    "method", "mbpo", "domain", "sim").orElse(-1));
            assertEquals(2.0, PrometheusText.sample(m, "sim2real_run_acting_policy_version", "run", "series-run",
                    "domain", "sim").orElse(-1));
            assertEquals(996.0, PrometheusText.sample(m, "sim2real_run_env_steps_remaining", "run", "series-run",
                    "method", "mbpo").orElse(-1));
            assertTrue(PrometheusText.sample(m, "sim2real_run_last_progress_timestamp_seconds", "run", "series-run")
                    .orElse(-1) > 1.7e9);
        });

        // A new model version replaces the series: one series per run, perturbation, factor and metric.
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.GAP, "series-run",
                Codecs.GAP_MEASUREMENT.encode(gap("series-run", GapMeasurement.Metric.MAPPING_DISTANCE, 0.6, 2))))
                .awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = metrics();
            assertEquals(0.6, PrometheusText.sample(m, "sim2real_gap", "run", "series-run", "model_version", "2")
                    .orElse(-1), 1e-12);
            assertTrue(PrometheusText.sample(m, "sim2real_gap", "run", "series-run", "model_version", "1").isEmpty());
        });

        given().get("/api/v1/history/series-run").then().statusCode(200)
                .body("transitions.sim", equalTo(4))
                .body("actingPolicyVersion.sim", equalTo(2))
                .body("evaluations.size()", equalTo(2))
                .body("evaluations.find { it.domain == 'real' }.meanReturn", equalTo(-310.0f))
                .body("gaps.value", equalTo(List.of(0.8f, 0.6f)))
                .body("gaps.modelVersion", equalTo(List.of(1, 2)));
        given().get("/api/v1/history").then().statusCode(200).body("$", hasItem("series-run"));
        given().get("/api/v1/history/no-such-run").then().statusCode(404);
    }

    @Test
    void shouldAgeOutRunsWhoseNewestRecordIsOlderThanTheRetention() {
        long tenDaysAgo = System.currentTimeMillis() - Duration.ofDays(10).toMillis();
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.GAP, null, tenDaysAgo,
                "aged-run", Codecs.GAP_MEASUREMENT.encode(gap("aged-run", GapMeasurement.Metric.LATENT_KL, 3.0, 1))),
                new ProducerRecord<>(Topics.GAP, "fresh-run",
                        Codecs.GAP_MEASUREMENT.encode(gap("fresh-run", GapMeasurement.Metric.LATENT_KL, 2.0, 1)))).awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = metrics();
            assertEquals(2.0, PrometheusText.sample(m, "sim2real_gap", "run", "fresh-run", "method", "unknown",
                    "perturbation", "gravity").orElse(-1));
            assertTrue(PrometheusText.sample(m, "sim2real_gap", "run", "aged-run").isEmpty(), "aged run still exported");
            assertTrue(m.lines().anyMatch(l -> l.matches("sim2real_runs_expired_total(\\{})? [1-9].*")), "expiry counted");
        });
        given().get("/api/v1/history/aged-run").then().statusCode(404);
        given().get("/api/v1/history").then().body("$", not(hasItem("aged-run")));
    }
}

package io.sim2real.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.testing.ServiceBaselineTest;
import io.sim2real.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs the packaged metrics-service and starts it again: the run history and the series come back from the
 * topics, each record counted once.
 */
class MetricsServiceRestartIT {

    @Test
    void shouldRebuildTheRunHistoryFromKafkaAfterASigkill(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(), "sim2real.metrics.refresh-every=PT0.5S"))) {
            service.start();
            String run = "restart-run";
            producer.send(new ProducerRecord<>(Topics.RUNS, run, Codecs.RUN_SPEC.encode(RunSeriesTest.run(run, 1000, System.currentTimeMillis())))).get();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, run, Codecs.TRANSITION_BATCH.encode(RunSeriesTest.transitions(run, 10, i)))).get();
            }
            producer.send(new ProducerRecord<>(Topics.EVALUATIONS, run, Codecs.EVALUATION_RESULT.encode(RunSeriesTest.evaluation(run, Domain.REAL, -200)))).get();
            producer.send(new ProducerRecord<>(Topics.GAP, run, Codecs.GAP_MEASUREMENT.encode(
                    RunSeriesTest.gap(run, GapMeasurement.Metric.LATENT_KL, 0.3, 4)))).get();
            String history = "/api/v1/history/" + run;
            ServiceProcess.await(() -> service.body(history).contains("\"sim\":30") && service.body(history).contains("\"latent_kl\""),
                    "the history");

            service.kill();
            service.start();
            ServiceProcess.await(() -> service.body(history).contains("\"latent_kl\"") && service.body(history).contains("\"sim\":30")
                    && service.body(history).contains("-200"), "the history rebuilt");
            Thread.sleep(2000);
            String rebuilt = service.body(history);
            assertTrue(rebuilt.contains("\"transitions\":{\"sim\":30}"), "each transition once: " + rebuilt);
            assertEquals(1, rebuilt.split("\"latent_kl\"", -1).length - 1, "the gap measurement once: " + rebuilt);
            String metrics = service.body("/q/metrics");
            assertTrue(metrics.contains("sim2real_gap{"), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_transitions_total{") && l.contains("run=\"restart-run\"")
                    && l.contains("method=\"mbpo\"") && l.endsWith(" 30.0")), "counted exactly once after the restart");
            assertEquals(200, service.get("/q/health/started").statusCode(), "the startup probe's endpoint");
        }
    }

    /**
     * An oversized invalid record on every topic metrics-service reads, the compacted runs topic included, which it
     * re-reads at every start: it is dead-lettered whole at each start, the valid records behind it are applied,
     * and the service is ready before and after a SIGKILL.
     */
    @Test
    void shouldStayReadyAcrossARestartWithOversizedInvalidRecordsOnEveryTopicItReads(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                     "max.request.size", Topics.MAX_RECORD_BYTES), new StringSerializer(), new ByteArraySerializer());
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(), "sim2real.metrics.refresh-every=PT0.5S"))) {
            service.start();
            String run = "oversized-restart-run";
            for (String topic : List.of(Topics.RUNS, Topics.TRANSITIONS, Topics.GAP, Topics.EVALUATIONS)) {
                producer.send(new ProducerRecord<>(topic, "junk-" + topic,
                        ServiceBaselineTest.oversizedJunk("junk-run", 10 * 1024 * 1024))).get();
            }
            producer.send(new ProducerRecord<>(Topics.RUNS, run, Codecs.RUN_SPEC.encode(RunSeriesTest.run(run, 1000, System.currentTimeMillis())))).get();
            producer.send(new ProducerRecord<>(Topics.TRANSITIONS, run, Codecs.TRANSITION_BATCH.encode(RunSeriesTest.transitions(run, 10, 0)))).get();
            String history = "/api/v1/history/" + run;
            ServiceProcess.await(() -> service.body(history).contains("\"sim\":10"), "the valid records behind the oversized ones");
            assertEquals(200, service.get("/q/health/ready").statusCode());

            service.kill();
            service.start();
            producer.send(new ProducerRecord<>(Topics.TRANSITIONS, run, Codecs.TRANSITION_BATCH.encode(RunSeriesTest.transitions(run, 10, 1)))).get();
            ServiceProcess.await(() -> service.body(history).contains("\"sim\":20"), "the history rebuilt and a new batch applied");
            assertEquals(200, service.get("/q/health/ready").statusCode(), "ready after the restart: " + service.body("/q/health"));
            assertEquals(200, service.get("/q/health/well").statusCode(), "every dead letter delivered");
            String metrics = service.body("/q/metrics");
            for (String topic : List.of(Topics.RUNS, Topics.TRANSITIONS, Topics.GAP, Topics.EVALUATIONS)) {
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("sim2real_records_dead_lettered_total{")
                        && l.contains("topic=\"" + topic + "\"")), "dead-lettered after the restart: " + topic);
            }
        }
    }
}

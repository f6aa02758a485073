package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.GapMeasurement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep's cells and its results, and a published policy, read back from a real broker. */
class GapSweepTest {

    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.GAP, 2, (short) 1), new NewTopic(Topics.POLICIES, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(Topics.MAX_RECORD_BYTES))))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static GapMeasurement gap(String run, GapMeasurement.Metric metric, double value, long version) {
        return new GapMeasurement(SchemaVersion.CURRENT, run, "gravity", 2.0, metric, value, version, 1000, 1);
    }

    @Test
    void shouldNameOneRunPerCellSoThatAResumedSweepFindsItsRuns() {
        List<GapSweep.Cell> cells = GapSweep.cells("s", List.of("gravity", "thigh_length"), List.of(1.0, 1.5), new int[] {1, 2});
        assertEquals(8, cells.size());
        assertEquals("s-thigh-length-1p5-s2", cells.get(7).runId());
        assertEquals(8, cells.stream().map(GapSweep.Cell::runId).distinct().count());
        assertTrue(GapSweep.progress(3, 12, 60).startsWith("[#######"), GapSweep.progress(3, 12, 60));
        assertTrue(GapSweep.progress(3, 12, 60).endsWith("3/12 cells  elapsed 1m00s  left ~3m00s"));
    }

    @Test
    void shouldReportTheNewestMeasurementOfEachCellFromKafka(@TempDir Path dir) throws Exception {
        List<GapSweep.Cell> cells = GapSweep.cells("k", List.of("gravity"), List.of(1.0, 2.0), new int[] {1});
        String done = cells.get(1).runId();
        String partial = cells.get(0).runId();
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (GapMeasurement g : List.of(gap(done, GapMeasurement.Metric.MAPPING_DISTANCE, 0.5, 1),
                    gap(done, GapMeasurement.Metric.MAPPING_DISTANCE, 0.75, 2), gap(done, GapMeasurement.Metric.LATENT_KL, 9.0, 2),
                    gap(partial, GapMeasurement.Metric.ONE_STEP_ERROR, 0.1, 1), gap("other-run", GapMeasurement.Metric.LATENT_KL, 1, 1))) {
                producer.send(new ProducerRecord<>(Topics.GAP, g.runId(), Codecs.GAP_MEASUREMENT.encode(g))).get();
            }
            producer.send(new ProducerRecord<>(Topics.GAP, done, "not json".getBytes(StandardCharsets.UTF_8))).get();
        }

        var results = GapSweep.readGap(broker.bootstrapServers(), cells, Duration.ofSeconds(1));
        assertEquals(0.75, results.get(done).get(GapMeasurement.Metric.MAPPING_DISTANCE).value(), "the newest model version");
        assertTrue(GapSweep.complete(results.get(done)));
        assertFalse(GapSweep.complete(results.get(partial)));
        assertFalse(results.containsKey("other-run"), "only the sweep's runs");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path readme = GapSweep.run(new String[] {"--name", "k", "--action", "collect", "--bootstrap", broker.bootstrapServers(),
                "--factors", "1.0,2.0", "--out", dir.toString()}, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String report = Files.readString(readme);
        assertTrue(report.contains("| gravity | – | 0.7500 |"), report);
        assertTrue(report.contains("1 of 2 measured"), report);
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("| gravity | – | 0.7500 |"));
    }

    @Test
    void shouldPublishASavedPolicyAsARunsNewestPolicy(@TempDir Path dir) throws Exception {
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {8}, 4, 1);
        var saved = io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {8}, "train", 42, 0);
        Path file = dir.resolve("policy.json");
        Files.write(file, Codecs.POLICY_SNAPSHOT.encode(saved));
        PublishPolicy.run(new String[] {"--file", file.toString(), "--run-id", "expert-policy", "--bootstrap",
                broker.bootstrapServers()}, new PrintStream(new ByteArrayOutputStream()));

        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partition = new org.apache.kafka.common.TopicPartition(Topics.POLICIES, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            var records = consumer.poll(Duration.ofSeconds(10));
            assertEquals(1, records.count());
            var record = records.iterator().next();
            assertEquals("expert-policy", record.key());
            var published = Codecs.POLICY_SNAPSHOT.decode(record.value(), io.sim2real.contracts.EnvSpec.HALF_CHEETAH);
            assertEquals("expert-policy", published.runId());
            assertEquals(42, published.version());
            assertEquals(saved.sha256(), published.sha256());
        }
    }
}

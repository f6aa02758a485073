package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.TransitionBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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

/** The main job's plots from records on a real broker: the newest probe G per factor, whole collected episodes. */
class LocalRunPlotsTest {

    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.GAP, 2, (short) 1), new NewTopic(Topics.TRANSITIONS, 2, (short) 1)))
                    .all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static GapMeasurement probe(String run, double factor, GapMeasurement.Pairing pairing, double g, double floor, long envStep) {
        return new GapMeasurement(SchemaVersion.CURRENT, run, "gravity", factor, GapMeasurement.Metric.MAPPING_DISTANCE, g,
                1, envStep, 1, pairing, floor, 0.01);
    }

    /** {@code steps} transitions of one episode with reward {@code r} each, the last truncated when {@code ends}. */
    static TransitionBatch episode(String run, Domain domain, String envId, long episodeId, int from, int steps, double r, boolean ends) {
        double[][] obs = new double[steps][17];
        double[][] act = new double[steps][6];
        double[] rew = new double[steps];
        Arrays.fill(rew, r);
        long[] ids = new long[steps];
        Arrays.fill(ids, episodeId);
        int[] index = new int[steps];
        Arrays.setAll(index, i -> from + i);
        boolean[] truncated = new boolean[steps];
        truncated[steps - 1] = ends;
        return new TransitionBatch(SchemaVersion.CURRENT, run, domain, envId, 0, ids, index, obs, act, rew, obs,
                new boolean[steps], truncated);
    }

    @Test
    void shouldPlotTheNewestProbeGPerFactorAndTheWholeCollectedEpisodes(@TempDir Path dir) throws Exception {
        String run = "plots-main";
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (GapMeasurement g : List.of(
                    probe("plots-g1", 1.0, GapMeasurement.Pairing.COUNTERFACTUAL, 0.9, 0.9, 1000), // an older round
                    probe("plots-g1", 1.0, GapMeasurement.Pairing.COUNTERFACTUAL, 0.1, 0.1, 4800),
                    probe("plots-g1", 1.0, GapMeasurement.Pairing.UNPAIRED, 0.09, 0.13, 4800),
                    probe("plots-g2", 2.0, GapMeasurement.Pairing.COUNTERFACTUAL, 0.34, 0.12, 4800),
                    probe("other-run", 2.0, GapMeasurement.Pairing.COUNTERFACTUAL, 5, 0.12, 4800))) {
                producer.send(new ProducerRecord<>(Topics.GAP, g.runId(), Codecs.GAP_MEASUREMENT.encode(g))).get();
            }
            // Episode 7 of env sim-0 in two batches (a whole one), episode 8 cut by the collection's budget.
            for (TransitionBatch b : List.of(episode(run, Domain.SIM, "sim-0", 7, 0, 600, -0.25, false),
                    episode(run, Domain.SIM, "sim-0", 7, 600, 400, -0.25, true),
                    episode(run, Domain.REAL, "real-0", 8, 0, 500, 1, false))) {
                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, run, Codecs.TRANSITION_BATCH.encode(b))).get();
            }
        }
        Path evaluations = dir.resolve("gait.json");
        Files.writeString(evaluations, MessageCodec.MAPPER.writeValueAsString(List.of(
                new EvaluationResult(SchemaVersion.CURRENT, run, Domain.SIM, 0, 0, true, new long[] {10, 11},
                        new double[] {1500.4, 1499.6}, new int[] {1000, 1000}),
                new EvaluationResult(SchemaVersion.CURRENT, run, Domain.REAL, 0, 0, true, new long[] {10, 11},
                        new double[] {800, 900}, new int[] {1000, 1000}))));

        Path out = dir.resolve("report");
        String markdown = LocalRunPlots.run(new String[] {"--bootstrap", broker.bootstrapServers(), "--run-id", run,
                "--gap-runs", "1.0=plots-g1,2.0=plots-g2", "--evaluations", "scripted gait=" + evaluations, "--out", out.toString()});

        for (String png : List.of(LocalRunPlots.GAP_PNG, LocalRunPlots.RETURNS_PNG)) {
            byte[] bytes = Files.readAllBytes(out.resolve(png));
            assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
            assertTrue(markdown.contains("](" + png + ")"), "the markdown embeds " + png + ": " + markdown);
        }
        assertTrue(markdown.contains("random policy (collection), sim -250 on average over 1 episode"), markdown);
        assertFalse(markdown.contains("collection), real"), "an episode the collection cut short is not a return: " + markdown);
        assertTrue(markdown.contains("scripted gait, sim 1500 on average over 2 episodes"), markdown);
        assertTrue(markdown.contains("scripted gait, real 850 on average"), markdown);
    }

    @Test
    void shouldTakeTheNewestProbeRoundOfEachRunAndPairing() {
        List<LocalRunPlots.ProbePoint> points = LocalRunPlots.probePoints(List.of(
                probe("a", 1.5, GapMeasurement.Pairing.COUNTERFACTUAL, 0.3, 0.1, 9600),
                probe("a", 1.5, GapMeasurement.Pairing.COUNTERFACTUAL, 0.2, 0.1, 4800),
                probe("b", 1.0, GapMeasurement.Pairing.COUNTERFACTUAL, 0.1, 0.1, 4800),
                new GapMeasurement(SchemaVersion.CURRENT, "b", "gravity", 1.0, GapMeasurement.Metric.TRAINING_MAPPING_DISTANCE,
                        7, 1, 4800, 1)), Map.of("a", 1.5, "b", 1.0));
        assertEquals(2, points.size(), points.toString());
        assertEquals(1.0, points.get(0).factor(), "ordered by factor");
        assertEquals(0.3, points.get(1).g(), "the newest round, by env step");
    }

    @Test
    void shouldRefuseAGapRunWithoutAFactor(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalRunPlots.run(new String[] {
                "--run-id", "r", "--gap-runs", "gravity=r-gap", "--out", dir.toString()}));
        assertTrue(e.getMessage().contains("--gap-runs"), e.getMessage());
    }
}

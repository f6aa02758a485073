package io.sim2real.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.env.acting.CollectionService;
import io.sim2real.service.replay.TopicReader;
import io.sim2real.testing.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the packaged env-service with SIGKILL (or stops it with SIGTERM) in the middle of a collection and starts it
 * again: the collection is read back from {@code sim2real.collections} and goes on from what it had published, so it
 * ends DONE with exactly the transitions it asked for and no (episode, step) twice, with numbers that divide nothing
 * (20,003 steps of 8 envs in batches of 77). Its run is defined on {@code sim2real.runs} behind 200 records the
 * services dead-letter, other runs' definitions and deletions, and a deletion of the run itself before it was defined
 * again: reading all that back after a start must not pass for the run's deletion.
 */
class EnvServiceRestartIT {

    private static final long ENV_STEPS = 20_003;
    private static final int NUM_ENVS = 8;
    private static final int BATCH = 77;
    private static final String RUN = "restarted-run";

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** The collection's transitions on the topic: how many, and how many distinct (episode, step) pairs. */
    private static long[] transitions(EmbeddedKafkaBroker broker, String collectionId) {
        String envId = CollectionService.envIdOf(collectionId);
        long[] countAndDistinct = new long[2];
        Set<String> pairs = new HashSet<>();
        TopicReader.readToEnd(Map.of("bootstrap.servers", broker.bootstrapServers()), Topics.TRANSITIONS,
                Duration.ofSeconds(60), r -> {
                    if (!RUN.equals(r.key())) {
                        return;
                    }
                    try {
                        TransitionBatch b = Codecs.TRANSITION_BATCH.parse(r.value());
                        if (!envId.equals(b.envId())) {
                            return;
                        }
                        for (int i = 0; i < b.size(); i++) {
                            pairs.add(b.episodeIds()[i] + "/" + b.stepIndices()[i]);
                        }
                        countAndDistinct[0] += b.size();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        countAndDistinct[1] = pairs.size();
        return countAndDistinct;
    }

    private static byte[] definition(String runId, long createdAtMs) {
        RunSpec r = SampleMessages.run();
        return Codecs.RUN_SPEC.encode(new RunSpec(SchemaVersion.CURRENT, runId, r.method(), RunSpec.Mode.ASYNC, 1,
                ENV_STEPS, r.realDomain(), List.of(io.sim2real.contracts.Domain.SIM), Map.of(), createdAtMs));
    }

    /**
     * On sim2real.runs: 200 records the services dead-letter (unreadable, invalid, keyed by another run; a quarter
     * keyed by the run), 20 other runs of which 10 deleted, and the run defined, deleted and defined again.
     */
    private static void defineRunBehindJunk(EmbeddedKafkaBroker broker) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 200; i++) {
                String key = i % 4 == 0 ? RUN : "junk-" + i;
                byte[] value = switch (i % 3) {
                    case 0 -> ("{not json " + i).getBytes(StandardCharsets.UTF_8);
                    case 1 -> ("{\"schemaVersion\":1,\"runId\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
                    default -> definition("another-run-" + i, 1);
                };
                producer.send(new ProducerRecord<>(Topics.RUNS, key, value));
            }
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(Topics.RUNS, "other-" + i, definition("other-" + i, 1)));
                if (i % 2 == 0) {
                    producer.send(new ProducerRecord<>(Topics.RUNS, "other-" + i, null));
                }
            }
            producer.send(new ProducerRecord<>(Topics.RUNS, RUN, definition(RUN, 1)));
            producer.send(new ProducerRecord<>(Topics.RUNS, RUN, null));
            producer.send(new ProducerRecord<>(Topics.RUNS, RUN, definition(RUN, 2))).get(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until the collection has at least {@code atLeast} transitions on the topic; returns how many. */
    private static long awaitTransitions(EmbeddedKafkaBroker broker, String id, long atLeast) throws InterruptedException {
        long[] seen = {0};
        ServiceProcess.await(() -> (seen[0] = transitions(broker, id)[0]) >= atLeast, atLeast + " transitions published");
        return seen[0];
    }

    @Test
    void shouldFinishExactlyItsStepsOnceWhenKilledAgainAndAgain(@TempDir Path dir) throws Exception {
        interruptAndResume(dir, true, 3);
    }

    @Test
    void shouldFinishExactlyItsStepsOnceAfterAGracefulStop(@TempDir Path dir) throws Exception {
        interruptAndResume(dir, false, 1);
    }

    private static void interruptAndResume(Path dir, boolean kill, int interruptions) throws Exception {
        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.env.datasets-dir=" + dir.resolve("datasets"),
                     "sim2real.env.physics-threads=1"))) {
            service.start();
            defineRunBehindJunk(broker);
            // The run as defined last (createdAtMs 2), so the collection starts with its run defined.
            ServiceProcess.await(() -> number(service.body("/api/v1/runs/" + RUN), "createdAtMs") == 2, "the run read");
            HttpResponse<String> created = service.post("/api/v1/collections", "{\"runId\":\"" + RUN + "\",\"domain\":"
                    + "\"sim\",\"policy\":\"random\",\"envSteps\":" + ENV_STEPS + ",\"numEnvs\":" + NUM_ENVS
                    + ",\"batchSize\":" + BATCH + ",\"seed\":3}");
            assertEquals(202, created.statusCode(), created.body());
            String id = text(created.body(), "id");
            String path = "/api/v1/collections/" + id;

            long atKill = 0;
            for (int i = 1; i <= interruptions; i++) {
                long seen = awaitTransitions(broker, id, atKill + 1_500);
                // Progress is what has been published: at most the batch in flight behind the topic.
                long reported = number(service.body(path), "stepsTaken");
                assertTrue(reported >= seen - BATCH, "stepsTaken " + reported + " with " + seen + " published");
                if (kill) {
                    service.kill();
                } else {
                    service.stop();
                }
                long[] now = transitions(broker, id);
                assertTrue(now[0] >= reported, "reported " + reported + " but only " + now[0] + " published");
                assertTrue(now[0] < ENV_STEPS, "interrupted midway: " + now[0] + " transitions");
                atKill = now[0];
                System.out.printf("interruption %d at %d transitions, %.1f s%n", i, atKill, (System.nanoTime() - t0) / 1e9);

                service.start();
                // Known again at once, with what it had published, then going on from there.
                String back = service.body(path);
                assertEquals(id, text(back, "id"));
                assertTrue(number(back, "stepsTaken") >= atKill, back);
                assertNotEquals("CANCELLED", text(back, "state"), back);
            }
            ServiceProcess.await(() -> Set.of("DONE", "FAILED", "CANCELLED").contains(text(service.body(path), "state")),
                    "the resumed collection to end");
            String done = service.body(path);
            assertEquals("DONE", text(done, "state"), done);
            assertEquals(ENV_STEPS, number(done, "stepsTaken"), done);
            long[] after = transitions(broker, id);
            assertEquals(ENV_STEPS - number(done, "unstableDropped"), after[0], "every step once: " + done);
            assertEquals(after[0], after[1], "no (episode, step) published twice");
            System.out.printf("done with %d transitions, %.1f s%n", after[0], (System.nanoTime() - t0) / 1e9);

            if (!kill) {
                // A further start finds the collection ended and runs nothing more.
                service.stop();
                service.start();
                assertEquals("DONE", text(service.body(path), "state"));
                Thread.sleep(2000);
                assertEquals(after[0], transitions(broker, id)[0]);
            }
        }
    }
}

package io.sim2real.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.replay.TopicReader;
import io.sim2real.testing.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the packaged env-service with SIGKILL (or stops it with SIGTERM) in the middle of a collection and starts it
 * again: the collection is read back from {@code sim2real.collections} and goes on from what it had published, so the run ends with
 * exactly the transitions it asked for and no (episode, step) twice.
 */
class EnvServiceRestartIT {

    private static final long ENV_STEPS = 40_000;

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** The run's transitions on the topic: how many, and how many distinct (episode, step) pairs. */
    private static long[] transitions(EmbeddedKafkaBroker broker, String runId) {
        long[] countAndDistinct = new long[2];
        Set<String> pairs = new HashSet<>();
        TopicReader.readToEnd(Map.of("bootstrap.servers", broker.bootstrapServers()), Topics.TRANSITIONS,
                Duration.ofSeconds(60), r -> {
                    if (!runId.equals(r.key())) {
                        return;
                    }
                    try {
                        TransitionBatch b = Codecs.TRANSITION_BATCH.parse(r.value());
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

    @Test
    void shouldFinishACollectionKilledMidwayWithNothingLostOrTwice(@TempDir Path dir) throws Exception {
        interruptAndResume(dir, true);
    }

    @Test
    void shouldResumeACollectionAfterAGracefulStop(@TempDir Path dir) throws Exception {
        interruptAndResume(dir, false);
    }

    private static void interruptAndResume(Path dir, boolean kill) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.env.datasets-dir=" + dir.resolve("datasets"),
                     "sim2real.env.physics-threads=1"))) {
            service.start();
            HttpResponse<String> created = service.post("/api/v1/collections", "{\"runId\":\"killed-run\",\"domain\":\"sim\","
                    + "\"policy\":\"random\",\"envSteps\":" + ENV_STEPS + ",\"numEnvs\":2,\"batchSize\":50,\"seed\":3}");
            assertEquals(202, created.statusCode(), created.body());
            String id = text(created.body(), "id");
            String path = "/api/v1/collections/" + id;
            ServiceProcess.await(() -> number(service.body(path), "stepsTaken") >= 5_000, "5,000 steps collected");

            if (kill) {
                service.kill();
            } else {
                service.stop();
            }
            long[] atKill = transitions(broker, "killed-run");
            assertTrue(atKill[0] > 0 && atKill[0] < ENV_STEPS, "killed midway: " + atKill[0] + " transitions");

            service.start();
            // Known again at once, then finished from where it stopped.
            assertEquals(id, text(service.body(path), "id"));
            ServiceProcess.await(() -> "DONE".equals(text(service.body(path), "state")), "the resumed collection to end");
            String done = service.body(path);
            long[] after = transitions(broker, "killed-run");
            assertEquals(ENV_STEPS - number(done, "unstableDropped"), after[0], "every step once: " + done);
            assertEquals(after[0], after[1], "no (episode, step) published twice");
            assertTrue(after[0] > atKill[0]);

            // A third start finds the collection ended and runs nothing more.
            if (kill) {
                service.kill();
            } else {
                service.stop();
            }
            service.start();
            assertEquals("DONE", text(service.body(path), "state"));
            Thread.sleep(2000);
            assertEquals(after[0], transitions(broker, "killed-run")[0]);
        }
    }
}

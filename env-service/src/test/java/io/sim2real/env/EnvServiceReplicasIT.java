package io.sim2real.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged env-service instances on one broker (docs/REPLICAS.md): each runs the collections of the runs whose
 * partition of {@code sim2real.runs} it holds in the ownership group, and refuses the others' (409). One instance is
 * killed, or paused with SIGSTOP and continued with SIGCONT after its runs moved: the other takes its collections over
 * from the log, and every collection ends DONE with exactly its steps on the topic, no (episode, step) twice. The
 * paused instance publishes nothing once it continues while its runs are elsewhere.
 */
class EnvServiceReplicasIT {

    private static final long ENV_STEPS = 12_003;
    private static final int NUM_ENVS = 4;
    private static final int BATCH = 77;
    /** Partitions the services create topics with (sim2real.topics.partitions' default). */
    private static final int PARTITIONS = 3;

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** One run id per partition of sim2real.runs, so that each instance holds at least one. */
    private static List<String> runsOnEveryPartition(String prefix) {
        Map<Integer, String> byPartition = new LinkedHashMap<>();
        for (int i = 0; byPartition.size() < PARTITIONS; i++) {
            String run = prefix + "-" + i;
            byPartition.putIfAbsent(BuiltInPartitioner.partitionForKey(run.getBytes(StandardCharsets.UTF_8), PARTITIONS), run);
        }
        return List.copyOf(byPartition.values());
    }

    /** Per collection envId: transitions on the topic and distinct (episode, step) pairs. */
    private static Map<String, long[]> transitions(EmbeddedKafkaBroker broker) {
        Map<String, long[]> out = new HashMap<>();
        Map<String, Set<String>> pairs = new HashMap<>();
        TopicReader.readToEnd(Map.of("bootstrap.servers", broker.bootstrapServers()), Topics.TRANSITIONS,
                Duration.ofSeconds(60), r -> {
                    TransitionBatch b;
                    try {
                        b = Codecs.TRANSITION_BATCH.parse(r.value(), r.headers());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    out.computeIfAbsent(b.envId(), k -> new long[2])[0] += b.size();
                    Set<String> seen = pairs.computeIfAbsent(b.envId(), k -> new HashSet<>());
                    for (int i = 0; i < b.size(); i++) {
                        seen.add(b.episodeIds()[i] + "/" + b.stepIndices()[i]);
                    }
                });
        pairs.forEach((envId, seen) -> out.get(envId)[1] = seen.size());
        return out;
    }

    private static long published(EmbeddedKafkaBroker broker, String collectionId) {
        return transitions(broker).getOrDefault(CollectionService.envIdOf(collectionId), new long[2])[0];
    }

    private static void define(EmbeddedKafkaBroker broker, List<String> runs) throws Exception {
        RunSpec sample = SampleMessages.run();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (String run : runs) {
                producer.send(new ProducerRecord<>(Topics.RUNS, run, Codecs.RUN_SPEC.encode(new RunSpec(SchemaVersion.CURRENT,
                        run, sample.method(), RunSpec.Mode.ASYNC, 1, ENV_STEPS, sample.realDomain(),
                        List.of(io.sim2real.contracts.Domain.SIM), Map.of(), 1)))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static ServiceProcess instance(EmbeddedKafkaBroker broker, Path dir, String id) throws Exception {
        Path own = Files.createDirectories(dir.resolve(id));
        return new ServiceProcess(ServiceProcess.jarFromSystemProperty(), own, List.of(
                "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                "sim2real.env.datasets-dir=" + own.resolve("datasets"),
                "sim2real.env.physics-threads=1",
                "sim2real.env.evaluate-every=0",
                "sim2real.env.instance-id=" + id));
    }

    /** The partitions an instance holds, from its readiness check's data. */
    private static Set<Integer> partitions(ServiceProcess instance) {
        Matcher m = Pattern.compile("\"partitions\"\\s*:\\s*\"\\[([0-9, ]*)]\"").matcher(instance.get("/q/health/ready").body());
        Set<Integer> out = new TreeSet<>();
        if (m.find()) {
            for (String p : m.group(1).split(",")) {
                if (!p.isBlank()) {
                    out.add(Integer.parseInt(p.strip()));
                }
            }
        }
        return out;
    }

    /** Waits until the two instances hold every partition between them, each at least one. */
    private static void awaitSpread(ServiceProcess a, ServiceProcess b) throws InterruptedException {
        ServiceProcess.await(() -> {
            Set<Integer> pa = partitions(a);
            Set<Integer> pb = partitions(b);
            Set<Integer> all = new TreeSet<>(pa);
            all.addAll(pb);
            return !pa.isEmpty() && !pb.isEmpty() && all.size() == PARTITIONS && pa.size() + pb.size() == PARTITIONS;
        }, "the partitions spread over both instances");
    }

    private static String body(String run) {
        return "{\"runId\":\"" + run + "\",\"domain\":\"sim\",\"policy\":\"random\",\"envSteps\":" + ENV_STEPS
                + ",\"numEnvs\":" + NUM_ENVS + ",\"batchSize\":" + BATCH + ",\"seed\":3}";
    }

    /**
     * Starts a collection for every run on the instance that holds it; the other refuses it with 409. Returns
     * collection id to the instance that accepted it ("a" or "b").
     */
    private static Map<String, String> startCollections(ServiceProcess a, ServiceProcess b, List<String> runs) {
        Map<String, String> where = new LinkedHashMap<>();
        for (String run : runs) {
            HttpResponse<String> onA = a.post("/api/v1/collections", body(run));
            if (onA.statusCode() == 202) {
                where.put(text(onA.body(), "id"), "a");
                continue;
            }
            assertEquals(409, onA.statusCode(), onA.body());
            assertTrue(onA.body().contains("partition"), onA.body());
            HttpResponse<String> onB = b.post("/api/v1/collections", body(run));
            assertEquals(202, onB.statusCode(), onB.body());
            where.put(text(onB.body(), "id"), "b");
        }
        assertTrue(where.containsValue("a") && where.containsValue("b"), "collections on both instances: " + where);
        return where;
    }

    /**
     * Every collection DONE on one of the instances, each with exactly its steps on the topic, none twice. Each check
     * uses the body it read: an instance that hands a run's partition over stops listing its collections, so a second
     * read of the same instance may come back empty.
     */
    private static void assertAllDoneOnce(EmbeddedKafkaBroker broker, List<ServiceProcess> instances, Set<String> ids)
            throws InterruptedException {
        Map<String, String> ended = new HashMap<>();
        for (String id : ids) {
            String path = "/api/v1/collections/" + id;
            ServiceProcess.await(() -> {
                for (ServiceProcess instance : instances) {
                    String body = instance.body(path);
                    if (Set.of("DONE", "FAILED", "CANCELLED").contains(text(body, "state"))) {
                        ended.put(id, body);
                        return true;
                    }
                }
                return false;
            }, "collection " + id + " to end");
        }
        Map<String, long[]> onTopic = transitions(broker);
        for (String id : ids) {
            String done = ended.get(id);
            assertEquals("DONE", text(done, "state"), done);
            assertEquals(ENV_STEPS, number(done, "stepsTaken"), done);
            long[] t = onTopic.get(CollectionService.envIdOf(id));
            assertEquals(ENV_STEPS - number(done, "unstableDropped"), t[0], "every step once: " + done);
            assertEquals(t[0], t[1], "no (episode, step) published twice: " + id);
        }
    }

    /** Starts both instances, defines the runs, and once both have read them and split the partitions, a collection each. */
    private static Map<String, String> startOnBoth(EmbeddedKafkaBroker broker, ServiceProcess a, ServiceProcess b,
                                                   List<String> runs) throws Exception {
        a.start();
        b.start();
        define(broker, runs);
        awaitSpread(a, b);
        ServiceProcess.await(() -> runs.stream().allMatch(r -> !a.body("/api/v1/runs/" + r).isEmpty()
                && !b.body("/api/v1/runs/" + r).isEmpty()), "the runs read by both");
        return startCollections(a, b, runs);
    }

    @Test
    void shouldTakeOverTheCollectionsOfAKilledInstance(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        List<String> runs = runsOnEveryPartition("killed");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess a = instance(broker, dir, "env-a");
             ServiceProcess b = instance(broker, dir, "env-b")) {
            Map<String, String> where = startOnBoth(broker, a, b, runs);
            String onB = where.entrySet().stream().filter(e -> e.getValue().equals("b")).findFirst().orElseThrow().getKey();
            ServiceProcess.await(() -> published(broker, onB) >= 1_500, "B's collection publishing");
            b.kill();
            long atKill = published(broker, onB);
            assertTrue(atKill < ENV_STEPS, "killed midway: " + atKill);
            System.out.printf("B killed at %d transitions of %s, %.1f s%n", atKill, onB, (System.nanoTime() - t0) / 1e9);

            ServiceProcess.await(() -> partitions(a).size() == PARTITIONS, "A to hold every partition");
            System.out.printf("A holds every partition, %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertAllDoneOnce(broker, List.of(a), where.keySet());
            System.out.printf("all done once, %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    @Test
    @Disabled("fails intermittently (1 run in 4 on 2026-12-08: 12,080 transitions for 12,003 steps, one 77-row batch twice):"
            + " the ownership check cannot stop a batch already in the producer at SIGSTOP; the transactional fence of"
            + " docs/REPLICAS.md is needed before this holds")
    void shouldFenceAPausedInstanceWhoseRunsMoved(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        List<String> runs = runsOnEveryPartition("paused");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess a = instance(broker, dir, "env-a");
             ServiceProcess b = instance(broker, dir, "env-b")) {
            Map<String, String> where = startOnBoth(broker, a, b, runs);
            List<String> onB = new ArrayList<>();
            where.forEach((id, w) -> {
                if (w.equals("b")) {
                    onB.add(id);
                }
            });
            ServiceProcess.await(() -> published(broker, onB.get(0)) >= 1_500, "B's collection publishing");
            ProcessHandle bProcess = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("sim2real.env.instance-id=env-b"))
                    .findFirst().orElseThrow();
            signal("STOP", bProcess.pid());
            long atPause = published(broker, onB.get(0));
            System.out.printf("B paused at %d transitions of %s, %.1f s%n", atPause, onB.get(0), (System.nanoTime() - t0) / 1e9);

            // A takes B's runs over after B's session timeout and goes on with B's collection.
            ServiceProcess.await(() -> partitions(a).size() == PARTITIONS, "A to hold every partition");
            ServiceProcess.await(() -> published(broker, onB.get(0)) > atPause + 500, "A to go on with B's collection");
            signal("CONT", bProcess.pid());
            System.out.printf("B continued, %.1f s%n", (System.nanoTime() - t0) / 1e9);
            // B learns it lost its runs; it may get a partition back (A then hands that one over).
            ServiceProcess.await(() -> b.get("/q/health/live").statusCode() == 200, "B answering again");
            // Wherever each collection is now (B may have got a partition back, A then handed it over), it ends DONE
            // with exactly its steps: a batch B had sent for a run while A held it would be one too many.
            assertAllDoneOnce(broker, List.of(a, b), where.keySet());
            System.out.printf("all done once, %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
    }
}

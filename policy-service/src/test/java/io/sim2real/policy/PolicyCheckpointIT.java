package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.Sac;
import io.sim2real.service.replay.TopicReader;
import io.sim2real.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs the packaged policy-service after it has trained a lockstep SAC run for three chunks and starts it again:
 * the successor restores the run's learner from its checkpoint (update counter, policy version, weights, optimiser,
 * α and generator states), owes nothing for the transitions it replays from Kafka that the checkpoint reflects, and
 * trains the next chunk exactly as a run that was never interrupted does: its next snapshot equals, bit for bit, that
 * of a control run with the same seed and data trained from scratch by the successor. A run whose checkpoint is
 * corrupt starts afresh without taking the service down.
 */
class PolicyCheckpointIT {

    private static final int CHUNK = 100;

    /** The k-th chunk of transitions of a run: the same data for every run. */
    private static TransitionBatch chunk(String runId, int k) {
        EnvSpec s = EnvSpec.HALF_CHEETAH;
        SplittableRandom r = new SplittableRandom(1000 + k);
        double[][] obs = new double[CHUNK][s.obsDim()];
        double[][] next = new double[CHUNK][s.obsDim()];
        double[][] act = new double[CHUNK][s.actDim()];
        double[] rew = new double[CHUNK];
        long[] episodes = new long[CHUNK];
        int[] steps = new int[CHUNK];
        for (int i = 0; i < CHUNK; i++) {
            for (int j = 0; j < s.obsDim(); j++) {
                obs[i][j] = r.nextGaussian();
                next[i][j] = obs[i][j] + 0.1 * r.nextGaussian();
            }
            for (int j = 0; j < s.actDim(); j++) {
                act[i][j] = 2 * r.nextDouble() - 1;
            }
            rew[i] = act[i][0] - 0.1 * act[i][1] * act[i][1];
            episodes[i] = k;
            steps[i] = i;
        }
        TransitionBatch b = SampleMessages.transitions(1);
        return new TransitionBatch(b.schemaVersion(), runId, Domain.SIM, b.envId(), k, episodes, steps, obs, act, rew,
                next, new boolean[CHUNK], new boolean[CHUNK]);
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String status(ServiceProcess service, String runId) {
        return service.body("/api/v1/runs/" + runId + "/policy");
    }

    /** Sends chunk k and waits for the snapshot that has paid its updates (what a lockstep collection waits for). */
    private static void trainChunk(KafkaProducer<String, byte[]> producer, ServiceProcess service, String runId, int k)
            throws Exception {
        producer.send(new ProducerRecord<>(Topics.TRANSITIONS, runId, Codecs.TRANSITION_BATCH.encode(chunk(runId, k)))).get();
        ServiceProcess.await(() -> {
            String s = status(service, runId);
            return number(s, "envSteps") == (long) k * CHUNK && number(s, "pendingUpdates") == 0
                    && number(s, "policyVersion") == k;
        }, runId + " trained on chunk " + k);
    }

    private static List<PolicySnapshot> snapshots(EmbeddedKafkaBroker broker, String runId) {
        List<PolicySnapshot> out = new ArrayList<>();
        TopicReader.readToEnd(Map.of("bootstrap.servers", broker.bootstrapServers()), Topics.POLICIES,
                Duration.ofSeconds(30), r -> {
                    if (runId.equals(r.key())) {
                        try {
                            out.add(Codecs.POLICY_SNAPSHOT.parse(r.value()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> learnerState(Path file) {
        return (Map<String, Object>) Checkpoint.load(file, Sac.CHECKPOINT_KIND).header().meta().get("owner");
    }

    private static RunSpec run(String runId) {
        RunSpec r = SampleMessages.run();
        return new RunSpec(SchemaVersion.CURRENT, runId, RunSpec.Method.SAC, RunSpec.Mode.LOCKSTEP, 5, 1000,
                r.realDomain(), List.of(Domain.SIM), Map.of("updatesPerStep", 1.0, "learnerMinTransitions", (double) CHUNK,
                        "lockstepChunk", (double) CHUNK), 1L);
    }

    @Test
    void shouldContinueTheRunFromItsCheckpointAfterASigkill(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(), "sim2real.policy.hidden=32,32",
                     "sim2real.policy.batch-size=32",
                     "sim2real.policy.checkpoint-dir=" + checkpoints, "sim2real.policy.checkpoint-every=30"))) {
            service.start();
            for (String id : List.of("ckpt-run", "ckpt-corrupt", "ckpt-control")) {
                producer.send(new ProducerRecord<>(Topics.RUNS, id, Codecs.RUN_SPEC.encode(run(id)))).get();
            }
            for (int k = 1; k <= 3; k++) {
                trainChunk(producer, service, "ckpt-run", k);
                trainChunk(producer, service, "ckpt-corrupt", k);
            }
            // G = 1 from the min-transitions-th transition on: 1 + 100 + 100 updates.
            long updates = number(status(service, "ckpt-run"), "updates");
            assertEquals(201, updates);
            Path file = checkpoints.resolve("ckpt-run").resolve("sac.ckpt");
            Map<String, Object> saved = learnerState(file);
            assertEquals(3L, ((Number) saved.get("version")).longValue(), "checkpointed at the v3 snapshot");
            assertEquals(updates, ((Number) saved.get("updates")).longValue());
            assertEquals(300L, ((Number) saved.get("envTransitions")).longValue());

            service.kill();
            Files.writeString(checkpoints.resolve("ckpt-corrupt").resolve("sac.ckpt"), "garbage, not a checkpoint\n");
            service.start();

            // The successor: the buffer rebuilt, the learner restored (not a fresh one at 0 updates), nothing owed twice.
            ServiceProcess.await(() -> number(status(service, "ckpt-run"), "envSteps") == 300
                    && status(service, "ckpt-run").contains("\"resuming\":false"), "the replay to reach the checkpoint");
            Thread.sleep(2000);
            String restored = status(service, "ckpt-run");
            assertEquals(201, number(restored, "updates"), "the update counter continues: " + restored);
            assertEquals(0, number(restored, "pendingUpdates"), "transitions already paid for owe nothing: " + restored);
            assertEquals(3, number(restored, "policyVersion"), restored);
            // Its first snapshot: the checkpoint's, sent again (the kill may have come before its send), bit for bit.
            List<PolicySnapshot> before = snapshots(broker, "ckpt-run");
            assertEquals(List.of(1L, 2L, 3L, 3L), before.stream().map(PolicySnapshot::version).toList());
            assertArrayEquals(before.get(2).weights(), before.get(3).weights(), "the restored weights are v3's");
            assertEquals(300, before.get(3).envStep());

            // A corrupt checkpoint is logged and ignored: that run starts afresh and owes all its transitions.
            // Its versions start again at 1; how many it publishes depends on whether it catches up between the
            // replayed records.
            ServiceProcess.await(() -> number(status(service, "ckpt-corrupt"), "updates") == 201
                    && number(status(service, "ckpt-corrupt"), "pendingUpdates") == 0
                    && number(status(service, "ckpt-corrupt"), "policyVersion") >= 1, "the corrupt run trained afresh");
            assertTrue(number(status(service, "ckpt-corrupt"), "policyVersion") <= 3, status(service, "ckpt-corrupt"));
            assertTrue(logs(dir).contains("ignoring the learner checkpoint"), "the corrupt checkpoint is reported");

            // The next chunk, and a control run with the same seed and data that was never interrupted.
            trainChunk(producer, service, "ckpt-run", 4);
            for (int k = 1; k <= 4; k++) {
                trainChunk(producer, service, "ckpt-control", k);
            }
            assertEquals(301, number(status(service, "ckpt-run"), "updates"));
            assertEquals(301, number(status(service, "ckpt-control"), "updates"));
            List<PolicySnapshot> run = snapshots(broker, "ckpt-run");
            List<PolicySnapshot> control = snapshots(broker, "ckpt-control");
            PolicySnapshot v4 = run.get(run.size() - 1);
            assertEquals(4, v4.version());
            assertEquals(4, control.get(3).version());
            assertArrayEquals(control.get(2).weights(), before.get(2).weights(), "the same v3 in both runs");
            assertFalse(Arrays.equals(v4.weights(), before.get(3).weights()), "v4 trained on");
            assertArrayEquals(control.get(3).weights(), v4.weights(),
                    "the restarted run's v4 equals the uninterrupted run's, bit for bit");
            List<PolicySnapshot> corrupt = snapshots(broker, "ckpt-corrupt");
            PolicySnapshot afresh = corrupt.get(corrupt.size() - 1);
            assertEquals(300, afresh.envStep(), "the afresh learner's snapshot once caught up");
            // Its 201 updates, paid after the replay of the three records, drew what the run's paid chunk by chunk:
            // an update owed by the n-th transition draws from the first n, whenever it is paid.
            assertArrayEquals(before.get(2).weights(), afresh.weights(),
                    "a learner started afresh on the same log repeats the run's v3, bit for bit");
        }
    }

    private static String logs(Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                all.append(Files.readString(p));
            }
        }
        return all.toString();
    }
}

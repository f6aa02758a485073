package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.service.replay.TopicReader;
import io.sim2real.testing.ServiceProcess;
import io.sim2real.training.lockstep.InProcessLockstep;
import io.sim2real.training.model.ModelNetworks;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One loop: a lockstep MBPO run through env-, model- and policy-service as processes on a real broker publishes the
 * same transitions and the same policies, bit for bit, as the in-process run of the same RunSpec
 * ({@link InProcessLockstep}) with the services' settings, for modelLag 0 and 1; and the same RunSpec content under
 * another run id is the same run.
 */
class LockstepServicesEqualInProcessIT {

    private static final long ENV_STEPS = 1500;

    private static String spec(String runId, int modelLag) {
        return "{\"schemaVersion\":1,\"runId\":\"" + runId + "\",\"method\":\"mbpo\",\"mode\":\"lockstep\",\"seed\":3,"
                + "\"envSteps\":" + ENV_STEPS + ",\"realDomain\":{\"name\":\"none\",\"factors\":{}},\"trainingDomains\":[\"sim\"],"
                + "\"parameters\":{\"updatesPerStep\":1,\"lockstepChunk\":250,\"initialRandomSteps\":500,"
                + "\"learnerMinTransitions\":500,\"modelMinTransitions\":500,\"trainEvery\":500,\"rolloutsPerRound\":200,"
                + "\"maxEpochs\":2,\"modelLag\":" + modelLag + "},\"createdAtMs\":1}";
    }

    private static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** Submits the run and its sim collection (envSteps and seed from the run), and waits for it to end. */
    private static RunSpec run(ServiceProcess env, ServiceProcess model, ServiceProcess policy, String runId, int modelLag)
            throws Exception {
        HttpResponse<String> submitted = env.post("/api/v1/runs", spec(runId, modelLag));
        assertEquals(202, submitted.statusCode(), submitted.body());
        for (ServiceProcess s : List.of(env, model, policy)) {
            ServiceProcess.await(() -> s.get("/api/v1/runs/" + runId).statusCode() == 200, "the run on every service");
        }
        HttpResponse<String> created = env.post("/api/v1/collections", "{\"runId\":\"" + runId + "\",\"domain\":\"sim\","
                + "\"policy\":\"snapshot\",\"numEnvs\":1,\"batchSize\":250}");
        assertEquals(202, created.statusCode(), created.body());
        String path = "/api/v1/collections/" + text(created.body(), "id");
        ServiceProcess.await(() -> {
            String state = text(env.body(path), "state");
            assertFalse(state.equals("FAILED") || state.equals("CANCELLED"), env.body(path));
            return state.equals("DONE");
        }, "the lockstep collection of " + runId + " to end");
        return Codecs.RUN_SPEC.parse(submitted.body().getBytes(StandardCharsets.UTF_8));
    }

    /** What the services published for a run: its transitions in order and its policies. */
    private static InProcessLockstep.Result published(EmbeddedKafkaBroker broker, String runId, long lastEnvStep)
            throws InterruptedException {
        Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        List<PolicySnapshot> snapshots = new ArrayList<>();
        ServiceProcess.await(() -> {
            snapshots.clear();
            TopicReader.readToEnd(kafka, Topics.POLICIES, Duration.ofSeconds(30), r -> {
                if (runId.equals(r.key())) {
                    snapshots.add(parse(() -> Codecs.POLICY_SNAPSHOT.parse(r.value())));
                }
            });
            return snapshots.stream().anyMatch(s -> s.envStep() == lastEnvStep);
        }, "the policy of " + runId + " at envStep " + lastEnvStep);
        List<TransitionBatch> transitions = new ArrayList<>();
        TopicReader.readToEnd(kafka, Topics.TRANSITIONS, Duration.ofSeconds(30), r -> {
            if (runId.equals(r.key())) {
                transitions.add(parse(() -> Codecs.TRANSITION_BATCH.parse(r.value())));
            }
        });
        return new InProcessLockstep.Result(transitions, snapshots, List.of());
    }

    interface Parse<T> {
        T get() throws Exception;
    }

    private static <T> T parse(Parse<T> p) {
        try {
            return p.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSameRun(InProcessLockstep.Result expected, InProcessLockstep.Result actual, String what) {
        List<double[]> eo = rows(expected, true);
        List<double[]> ao = rows(actual, true);
        assertEquals(eo.size(), ao.size(), what + ": transitions");
        for (int i = 0; i < eo.size(); i++) {
            assertArrayEquals(eo.get(i), ao.get(i), what + ": transition " + i);
        }
        assertEquals(expected.transitions().stream().map(TransitionBatch::policyVersion).toList(),
                actual.transitions().stream().map(TransitionBatch::policyVersion).toList(), what + ": acting policies");
        assertEquals(expected.snapshots().stream().map(s -> s.version() + "@" + s.envStep()).toList(),
                actual.snapshots().stream().map(s -> s.version() + "@" + s.envStep()).toList(), what + ": snapshots");
        for (int i = 0; i < expected.snapshots().size(); i++) {
            assertArrayEquals(expected.snapshots().get(i).weights(), actual.snapshots().get(i).weights(),
                    what + ": weights of v" + expected.snapshots().get(i).version());
        }
    }

    /** Every transition as one row: obs, action, reward, next obs. */
    private static List<double[]> rows(InProcessLockstep.Result r, boolean all) {
        List<double[]> out = new ArrayList<>();
        for (TransitionBatch b : r.transitions()) {
            for (int i = 0; i < b.size(); i++) {
                double[] row = new double[17 + 6 + 1 + 17];
                System.arraycopy(b.obs()[i], 0, row, 0, 17);
                System.arraycopy(b.act()[i], 0, row, 17, 6);
                row[23] = b.rew()[i];
                System.arraycopy(b.nextObs()[i], 0, row, 24, 17);
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void shouldPublishWhatTheInProcessRunOfTheSameRunSpecPublishesBitForBit(@TempDir Path dir) throws Exception {
        Path envJar = Path.of(System.getProperty("env-service.jar", "../env-service/target/quarkus-app/quarkus-run.jar"));
        Path modelJar = Path.of(System.getProperty("model-service.jar", "../model-service/target/quarkus-app/quarkus-run.jar"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess env = new ServiceProcess(envJar, dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.env.datasets-dir=" + dir.resolve("datasets"), "sim2real.env.evaluate-every=0"));
             ServiceProcess model = new ServiceProcess(modelJar, dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.model.members=2", "sim2real.model.elites=1", "sim2real.model.hidden=16",
                     "sim2real.model.rollout-batch-size=100", "sim2real.model.probe.every=0",
                     "sim2real.model.checkpoint-dir=" + dir.resolve("model-checkpoints")));
             ServiceProcess policy = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.policy.hidden=16,16", "sim2real.policy.batch-size=32",
                     "sim2real.policy.checkpoint-dir=" + dir.resolve("checkpoints")))) {
            env.start();
            model.start();
            policy.start();
            for (int lag : new int[] {0, 1}) {
                RunSpec effective = run(env, model, policy, "one-loop-lag" + lag, lag);
                RunSettings settings = RunSettings.resolve(effective, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
                InProcessLockstep.Result inProcess = InProcessLockstep.run(settings, EnvSpec.HALF_CHEETAH,
                        new InProcessLockstep.Setup(new int[] {16, 16}, 32, 1_000_000, 1, 250,
                                settings.seeds().of(RunSeeds.Stream.COLLECTION, 0), 2,
                                new ModelNetworks(2, 1, new int[] {16}, 1, new int[] {200, 200}, 256, 1e-3), covers -> 1, 100));
                assertTrue(inProcess.snapshots().size() >= 4, "a policy per chunk after the random ones");
                assertSameRun(inProcess, published(broker, "one-loop-lag" + lag, ENV_STEPS), "modelLag " + lag);
            }
            // The same RunSpec content under another id is the same run.
            run(env, model, policy, "one-loop-again", 0);
            assertSameRun(published(broker, "one-loop-lag0", ENV_STEPS), published(broker, "one-loop-again", ENV_STEPS),
                    "another run id");
        }
    }
}

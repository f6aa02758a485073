package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
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
 * One loop on two domains: a lockstep latent run (latent-sim-init) on sim and a real dataset its RunSpec names
 * ({@code realDomain.source}), through env-, model- and policy-service as processes on a real broker, publishes the
 * same sim transitions, rollouts and policies, bit for bit, as the in-process run of the same RunSpec and dataset
 * ({@link InProcessLockstep}), for modelLag 0 and 1, with the sim collection started before the dataset is replayed
 * (the schedule does not depend on which records arrive first).
 */
class LockstepDatasetServicesEqualInProcessIT {

    private static final long ENV_STEPS = 1500;
    private static final int DATASET_ROWS = 500;

    private static String spec(String runId, int modelLag, String sha) {
        return "{\"schemaVersion\":1,\"runId\":\"" + runId + "\",\"method\":\"latent-sim-init\",\"mode\":\"lockstep\","
                + "\"seed\":5,\"envSteps\":" + ENV_STEPS + ",\"realDomain\":{\"name\":\"gravity-1.5\",\"factors\":{\"gravity\":1.5},"
                + "\"source\":{\"kind\":\"dataset\",\"dataset\":\"g15\",\"sha256\":\"" + sha + "\",\"transitions\":" + DATASET_ROWS
                + "}},\"trainingDomains\":[\"sim\",\"real\"],\"parameters\":{\"updatesPerStep\":1,\"lockstepChunk\":250,"
                + "\"initialRandomSteps\":500,\"learnerMinTransitions\":500,\"latentMinTransitions\":500,"
                + "\"latentTrainEvery\":500,\"rolloutsPerRound\":200,\"maxEpochs\":2,\"jointSteps\":10,\"modelLag\":" + modelLag
                + "},\"createdAtMs\":1}";
    }

    private static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** Submits the run, starts its sim collection, then replays its dataset, and waits for the collection to end. */
    private static RunSpec run(ServiceProcess env, ServiceProcess model, ServiceProcess policy, String runId, int modelLag,
                               String sha) throws Exception {
        HttpResponse<String> submitted = env.post("/api/v1/runs", spec(runId, modelLag, sha));
        assertEquals(202, submitted.statusCode(), submitted.body());
        for (ServiceProcess s : List.of(env, model, policy)) {
            ServiceProcess.await(() -> s.get("/api/v1/runs/" + runId).statusCode() == 200, "the run on every service");
        }
        HttpResponse<String> created = env.post("/api/v1/collections", "{\"runId\":\"" + runId + "\",\"domain\":\"sim\","
                + "\"policy\":\"snapshot\",\"numEnvs\":1,\"batchSize\":250}");
        assertEquals(202, created.statusCode(), created.body());
        HttpResponse<String> replayed = env.post("/api/v1/datasets/g15/replay", "{\"runId\":\"" + runId + "\",\"batchSize\":100}");
        assertEquals(200, replayed.statusCode(), replayed.body());
        String path = "/api/v1/collections/" + text(created.body(), "id");
        ServiceProcess.await(() -> {
            String state = text(env.body(path), "state");
            assertFalse(state.equals("FAILED") || state.equals("CANCELLED"), env.body(path));
            return state.equals("DONE");
        }, "the lockstep collection of " + runId + " to end");
        return Codecs.RUN_SPEC.parse(submitted.body().getBytes(StandardCharsets.UTF_8));
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

    /** What the services published for a run: its transitions, policies and rollouts, in topic order. */
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
        List<RolloutBatch> rollouts = new ArrayList<>();
        TopicReader.readToEnd(kafka, Topics.ROLLOUTS, Duration.ofSeconds(30), r -> {
            if (runId.equals(r.key())) {
                rollouts.add(parse(() -> Codecs.ROLLOUT_BATCH.parse(r.value(), r.headers())));
            }
        });
        return new InProcessLockstep.Result(transitions, snapshots, rollouts);
    }

    /** Every transition of a domain as one row (obs, action, reward, next obs), in order. */
    private static List<double[]> rows(List<TransitionBatch> batches, Domain domain) {
        List<double[]> out = new ArrayList<>();
        for (TransitionBatch b : batches) {
            if (b.domain() != domain) {
                continue;
            }
            for (int i = 0; i < b.size(); i++) {
                out.add(row(b.obs()[i], b.act()[i], b.rew()[i], b.nextObs()[i]));
            }
        }
        return out;
    }

    private static double[] row(double[] obs, double[] act, double rew, double[] next) {
        double[] row = new double[obs.length + act.length + 1 + next.length];
        System.arraycopy(obs, 0, row, 0, obs.length);
        System.arraycopy(act, 0, row, obs.length, act.length);
        row[obs.length + act.length] = rew;
        System.arraycopy(next, 0, row, obs.length + act.length + 1, next.length);
        return row;
    }

    private static void assertSameRows(List<double[]> expected, List<double[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), what + " " + i);
        }
    }

    private static void assertSameRun(InProcessLockstep.Result expected, InProcessLockstep.Result actual, String what) {
        for (Domain d : Domain.values()) {
            assertSameRows(rows(expected.transitions(), d), rows(actual.transitions(), d), what + ": " + d.wireName() + " transition");
        }
        assertEquals(expected.transitions().stream().filter(b -> b.domain() == Domain.SIM).map(TransitionBatch::policyVersion)
                        .toList(), actual.transitions().stream().filter(b -> b.domain() == Domain.SIM)
                        .map(TransitionBatch::policyVersion).toList(), what + ": acting policies");
        // Rollouts: each round's rows, in the order the round made them.
        List<double[]> er = new ArrayList<>();
        List<double[]> ar = new ArrayList<>();
        for (List<double[]> out : List.of(er, ar)) {
            for (RolloutBatch b : out == er ? expected.rollouts() : actual.rollouts()) {
                for (int i = 0; i < b.size(); i++) {
                    out.add(row(b.obs()[i], b.act()[i], b.rew()[i], b.nextObs()[i]));
                }
            }
        }
        assertSameRows(er, ar, what + ": rollout row");
        assertEquals(expected.snapshots().stream().map(s -> s.version() + "@" + s.envStep()).toList(),
                actual.snapshots().stream().map(s -> s.version() + "@" + s.envStep()).toList(), what + ": snapshots");
        for (int i = 0; i < expected.snapshots().size(); i++) {
            assertArrayEquals(expected.snapshots().get(i).weights(), actual.snapshots().get(i).weights(),
                    what + ": weights of v" + expected.snapshots().get(i).version());
        }
    }

    @Test
    void shouldPublishWhatTheInProcessRunOfTheSameRunSpecAndDatasetPublishesBitForBit(@TempDir Path dir) throws Exception {
        Path envJar = Path.of(System.getProperty("env-service.jar", "../env-service/target/quarkus-app/quarkus-run.jar"));
        Path modelJar = Path.of(System.getProperty("model-service.jar", "../model-service/target/quarkus-app/quarkus-run.jar"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess env = new ServiceProcess(envJar, dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.env.datasets-dir=" + dir.resolve("datasets"), "sim2real.env.evaluate-every=0"));
             ServiceProcess model = new ServiceProcess(modelJar, dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.model.members=2", "sim2real.model.elites=1", "sim2real.model.hidden=16",
                     "sim2real.model.latent.hidden=16", "sim2real.model.latent.batch-size=32",
                     "sim2real.model.rollout-batch-size=100", "sim2real.model.probe.every=0",
                     "sim2real.model.checkpoint-dir=" + dir.resolve("model-checkpoints")));
             ServiceProcess policy = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.policy.hidden=16,16", "sim2real.policy.batch-size=32",
                     "sim2real.policy.checkpoint-dir=" + dir.resolve("checkpoints")))) {
            env.start();
            model.start();
            policy.start();
            // The real domain's data: a small dataset made by env-service, named by the RunSpec with its checksum.
            HttpResponse<String> made = env.post("/api/v1/datasets", "{\"name\":\"g15\",\"domain\":\"real\","
                    + "\"physics\":{\"gravity\":1.5},\"policy\":\"random\",\"envSteps\":" + DATASET_ROWS + ",\"numEnvs\":1,\"seed\":9}");
            assertEquals(201, made.statusCode(), made.body());
            String sha = text(made.body(), "bodySha256");
            for (int lag : new int[] {0, 1}) {
                String runId = "dataset-loop-lag" + lag;
                RunSpec effective = run(env, model, policy, runId, lag, sha);
                InProcessLockstep.Result services = published(broker, runId, ENV_STEPS);
                RunSettings settings = RunSettings.resolve(effective, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
                // The dataset as env-service replayed it (the in-process runner reads it from the file the same way).
                List<TransitionBatch> dataset = services.transitions().stream().filter(b -> b.domain() == Domain.REAL).toList();
                InProcessLockstep.Result inProcess = InProcessLockstep.run(settings, EnvSpec.HALF_CHEETAH,
                        new InProcessLockstep.Setup(new int[] {16, 16}, 32, 1_000_000, 1, 250,
                                settings.seeds().of(RunSeeds.Stream.COLLECTION, 0), 2,
                                new ModelNetworks(2, 1, new int[] {16}, 1, new int[] {16}, 32, 1e-3), covers -> 1, 100),
                        dataset, new InProcessLockstep.Listener() {
                        });
                assertTrue(inProcess.snapshots().size() >= 4, "a policy per chunk after the random ones");
                assertTrue(inProcess.rollouts().size() >= 2, "rollouts of at least two latent rounds");
                assertEquals(DATASET_ROWS, rows(inProcess.transitions(), Domain.REAL).size());
                assertSameRun(inProcess, services, "modelLag " + lag);
            }
        }
    }
}

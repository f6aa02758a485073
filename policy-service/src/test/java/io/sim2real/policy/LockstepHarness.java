package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.replay.TopicReader;
import io.sim2real.testing.ServiceProcess;
import io.sim2real.training.lockstep.InProcessLockstep;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the lockstep ITs share: the packaged services they start, submitting a run and waiting for its collection,
 * reading back what the services published, and comparing two runs bit for bit.
 */
final class LockstepHarness {

    private LockstepHarness() {
    }

    /** The packaged env-service, built before this module (failsafe names it in {@code env-service.jar}). */
    static Path envJar() {
        return Path.of(System.getProperty("env-service.jar", "../env-service/target/quarkus-app/quarkus-run.jar"));
    }

    /** The packaged model-service, built before this module (failsafe names it in {@code model-service.jar}). */
    static Path modelJar() {
        return Path.of(System.getProperty("model-service.jar", "../model-service/target/quarkus-app/quarkus-run.jar"));
    }

    /** env-service on the broker, its datasets under {@code dir}, with more settings. */
    static ServiceProcess env(EmbeddedKafkaBroker broker, Path dir, String... settings) throws IOException {
        return new ServiceProcess(envJar(), dir, with(broker, List.of("sim2real.env.datasets-dir=" + dir.resolve("datasets")),
                settings));
    }

    /** model-service on the broker with a small ensemble (2 members, 16 units), no gap probe, with more settings. */
    static ServiceProcess model(EmbeddedKafkaBroker broker, Path dir, String... settings) throws IOException {
        return new ServiceProcess(modelJar(), dir, with(broker, List.of("sim2real.model.members=2", "sim2real.model.elites=1",
                "sim2real.model.hidden=16", "sim2real.model.rollout-batch-size=100", "sim2real.model.probe.every=0",
                "sim2real.model.checkpoint-dir=" + dir.resolve("model-checkpoints")), settings));
    }

    /** policy-service (this module's package) on the broker, with the given hidden layers and batch size. */
    static ServiceProcess policy(EmbeddedKafkaBroker broker, Path dir, String hidden, int batchSize) throws IOException {
        return new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, with(broker, List.of(
                "sim2real.policy.hidden=" + hidden, "sim2real.policy.batch-size=" + batchSize,
                "sim2real.policy.checkpoint-dir=" + dir.resolve("checkpoints")), new String[0]));
    }

    private static List<String> with(EmbeddedKafkaBroker broker, List<String> base, String[] more) {
        List<String> all = new ArrayList<>();
        all.add("kafka.bootstrap.servers=" + broker.bootstrapServers());
        all.addAll(base);
        all.addAll(List.of(more));
        return all;
    }

    static String text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** Submits a RunSpec to env-service and waits until every given service knows the run; returns the answer. */
    static HttpResponse<String> submit(ServiceProcess env, String runId, String spec, ServiceProcess... services)
            throws InterruptedException {
        HttpResponse<String> submitted = env.post("/api/v1/runs", spec);
        assertEquals(202, submitted.statusCode(), submitted.body());
        for (ServiceProcess s : services) {
            ServiceProcess.await(() -> s.get("/api/v1/runs/" + runId).statusCode() == 200, "the run on every service");
        }
        return submitted;
    }

    /** Starts a collection on env-service; returns its status path. */
    static String collect(ServiceProcess env, String request) {
        HttpResponse<String> created = env.post("/api/v1/collections", request);
        assertEquals(202, created.statusCode(), created.body());
        return "/api/v1/collections/" + text(created.body(), "id");
    }

    /** Waits until the collection at {@code path} is DONE; fails at once if it FAILED or was CANCELLED. */
    static void awaitDone(ServiceProcess env, String path, String runId) throws InterruptedException {
        ServiceProcess.await(() -> {
            String state = text(env.body(path), "state");
            assertFalse(state.equals("FAILED") || state.equals("CANCELLED"), env.body(path));
            return state.equals("DONE");
        }, "the lockstep collection of " + runId + " to end");
    }

    interface Parse<T> {
        T get() throws Exception;
    }

    static <T> T parse(Parse<T> p) {
        try {
            return p.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the services published for a run: its transitions, policies (once one is at lastEnvStep) and rollouts. */
    static InProcessLockstep.Result published(EmbeddedKafkaBroker broker, String runId, long lastEnvStep)
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

    /**
     * The same run: every domain's transitions, the acting policy of each sim batch, each round's rollout rows in the
     * order the round made them, and every snapshot's version, envStep and weights, all equal to the bit.
     */
    static void assertSameRun(InProcessLockstep.Result expected, InProcessLockstep.Result actual, String what) {
        for (Domain d : Domain.values()) {
            assertSameRows(rows(expected.transitions(), d), rows(actual.transitions(), d),
                    what + ": " + d.wireName() + " transition");
        }
        assertEquals(actingVersions(expected), actingVersions(actual), what + ": acting policies");
        assertSameRows(rolloutRows(expected), rolloutRows(actual), what + ": rollout row");
        assertEquals(expected.snapshots().stream().map(s -> s.version() + "@" + s.envStep()).toList(),
                actual.snapshots().stream().map(s -> s.version() + "@" + s.envStep()).toList(), what + ": snapshots");
        for (int i = 0; i < expected.snapshots().size(); i++) {
            assertArrayEquals(expected.snapshots().get(i).weights(), actual.snapshots().get(i).weights(),
                    what + ": weights of v" + expected.snapshots().get(i).version());
        }
    }

    private static List<Long> actingVersions(InProcessLockstep.Result r) {
        return r.transitions().stream().filter(b -> b.domain() == Domain.SIM).map(TransitionBatch::policyVersion).toList();
    }

    /** Every transition of a domain as one row (obs, action, reward, next obs), in order. */
    static List<double[]> rows(List<TransitionBatch> batches, Domain domain) {
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

    private static List<double[]> rolloutRows(InProcessLockstep.Result r) {
        List<double[]> out = new ArrayList<>();
        for (RolloutBatch b : r.rollouts()) {
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
        assertEquals(expected.size(), actual.size(), what + "s");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), what + " " + i);
        }
    }
}

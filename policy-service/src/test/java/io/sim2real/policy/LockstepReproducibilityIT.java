package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.replay.TopicReader;
import io.sim2real.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lockstep SAC run through the packaged env-service and policy-service, on a real broker, is reproducible:
 * two runs with the same seed produce the same transitions, the same policy weights and the same evaluation
 * returns, bit for bit; a run with another seed does not.
 */
class LockstepReproducibilityIT {

    private static final long ENV_STEPS = 2000;

    /** What a run left on the topics. */
    record Outcome(List<double[]> observations, List<double[]> actions, List<Long> policyVersions, byte[] lastWeights,
                   long lastVersion, List<Double> evaluationReturns) {
    }

    private static void run(ServiceProcess env, String runId, long seed) throws InterruptedException {
        String spec = "{\"schemaVersion\":1,\"runId\":\"" + runId + "\",\"method\":\"sac\",\"mode\":\"lockstep\",\"seed\":"
                + seed + ",\"envSteps\":" + ENV_STEPS + ",\"realDomain\":{\"name\":\"none\",\"factors\":{}},"
                + "\"trainingDomains\":[\"sim\"],\"parameters\":{\"updatesPerStep\":1,\"lockstepChunk\":250,"
                + "\"initialRandomSteps\":500,\"learnerMinTransitions\":500},\"createdAtMs\":1}";
        LockstepHarness.submit(env, runId, spec, env);
        String path = LockstepHarness.collect(env, "{\"runId\":\"" + runId + "\",\"domain\":\"sim\","
                + "\"policy\":\"snapshot\",\"envSteps\":" + ENV_STEPS + ",\"numEnvs\":1,\"batchSize\":250,\"seed\":" + seed + "}");
        LockstepHarness.awaitDone(env, path, runId);
    }

    private static Outcome outcome(EmbeddedKafkaBroker broker, String runId) {
        Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        List<double[]> obs = new ArrayList<>();
        List<double[]> act = new ArrayList<>();
        List<Long> versions = new ArrayList<>();
        TopicReader.readToEnd(kafka, Topics.TRANSITIONS, Duration.ofSeconds(30), r -> {
            if (runId.equals(r.key())) {
                TransitionBatch b = LockstepHarness.parse(() -> Codecs.TRANSITION_BATCH.parse(r.value()));
                obs.addAll(Arrays.asList(b.obs()));
                act.addAll(Arrays.asList(b.act()));
                versions.add(b.policyVersion());
            }
        });
        PolicySnapshot[] last = new PolicySnapshot[1];
        TopicReader.readToEnd(kafka, Topics.POLICIES, Duration.ofSeconds(30), r -> {
            if (runId.equals(r.key())) {
                PolicySnapshot s = LockstepHarness.parse(() -> Codecs.POLICY_SNAPSHOT.parse(r.value()));
                if (last[0] == null || s.version() > last[0].version()) {
                    last[0] = s;
                }
            }
        });
        List<Double> returns = new ArrayList<>();
        TopicReader.readToEnd(kafka, Topics.EVALUATIONS, Duration.ofSeconds(30), r -> {
            if (runId.equals(r.key())) {
                EvaluationResult e = LockstepHarness.parse(() -> Codecs.EVALUATION_RESULT.parse(r.value()));
                returns.add((double) e.policyVersion());
                for (double x : e.returns()) {
                    returns.add(x);
                }
            }
        });
        return new Outcome(obs, act, versions, last[0].weights(), last[0].version(), returns);
    }

    @Test
    void shouldRepeatALockstepRunBitForBitWithTheSameSeed(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess env = LockstepHarness.env(broker, dir, "sim2real.env.evaluate-every=1000",
                     "sim2real.env.evaluation-episodes=1");
             ServiceProcess policy = LockstepHarness.policy(broker, dir, "32,32", 64)) {
            env.start();
            policy.start();
            run(env, "repro-a", 7);
            run(env, "repro-b", 7);
            run(env, "repro-c", 8);
            Thread.sleep(2000); // the last evaluations
            Outcome a = outcome(broker, "repro-a");
            Outcome b = outcome(broker, "repro-b");
            Outcome c = outcome(broker, "repro-c");

            assertEquals(ENV_STEPS, a.observations().size());
            assertTrue(a.lastVersion() >= 5, "a policy per chunk: v" + a.lastVersion());
            assertTrue(a.policyVersions().stream().distinct().count() >= 5, a.policyVersions().toString());
            assertEquals(a.policyVersions(), b.policyVersions());
            for (int i = 0; i < a.observations().size(); i++) {
                assertArrayEquals(a.observations().get(i), b.observations().get(i), "observation " + i);
                assertArrayEquals(a.actions().get(i), b.actions().get(i), "action " + i);
            }
            assertEquals(a.lastVersion(), b.lastVersion());
            assertArrayEquals(a.lastWeights(), b.lastWeights(), "the same final policy");
            assertFalse(a.evaluationReturns().isEmpty(), "evaluations were published");
            assertEquals(a.evaluationReturns(), b.evaluationReturns());

            assertFalse(Arrays.equals(a.lastWeights(), c.lastWeights()), "another seed, another policy");
            assertFalse(Arrays.equals(a.actions().get(0), c.actions().get(0)), "another seed, other actions");
        }
    }
}

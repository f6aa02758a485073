package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.testing.ServiceProcess;
import io.sim2real.training.lockstep.InProcessLockstep;
import io.sim2real.training.model.ModelNetworks;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One loop: a lockstep MBPO run through env-, model- and policy-service as processes on a real broker publishes the
 * same transitions and the same policies, bit for bit (transitions, acting policies, rollouts and weights), as the in-process run of the same RunSpec
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

    /** Submits the run and its sim collection (envSteps and seed from the run), and waits for it to end. */
    private static RunSpec run(ServiceProcess env, ServiceProcess model, ServiceProcess policy, String runId, int modelLag)
            throws Exception {
        HttpResponse<String> submitted = LockstepHarness.submit(env, runId, spec(runId, modelLag), env, model, policy);
        String path = LockstepHarness.collect(env, "{\"runId\":\"" + runId + "\",\"domain\":\"sim\","
                + "\"policy\":\"snapshot\",\"numEnvs\":1,\"batchSize\":250}");
        LockstepHarness.awaitDone(env, path, runId);
        return Codecs.RUN_SPEC.parse(submitted.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPublishWhatTheInProcessRunOfTheSameRunSpecPublishesBitForBit(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess env = LockstepHarness.env(broker, dir, "sim2real.env.evaluate-every=0");
             ServiceProcess model = LockstepHarness.model(broker, dir);
             ServiceProcess policy = LockstepHarness.policy(broker, dir, "16,16", 32)) {
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
                LockstepHarness.assertSameRun(inProcess, LockstepHarness.published(broker, "one-loop-lag" + lag, ENV_STEPS),
                        "modelLag " + lag);
            }
            // The same RunSpec content under another id is the same run.
            run(env, model, policy, "one-loop-again", 0);
            LockstepHarness.assertSameRun(LockstepHarness.published(broker, "one-loop-lag0", ENV_STEPS),
                    LockstepHarness.published(broker, "one-loop-again", ENV_STEPS), "another run id");
        }
    }
}

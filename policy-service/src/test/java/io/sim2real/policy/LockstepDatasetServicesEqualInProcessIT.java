package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
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
import java.util.List;
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

    /** Submits the run, starts its sim collection, then replays its dataset, and waits for the collection to end. */
    private static RunSpec run(ServiceProcess env, ServiceProcess model, ServiceProcess policy, String runId, int modelLag,
                               String sha) throws Exception {
        HttpResponse<String> submitted = LockstepHarness.submit(env, runId, spec(runId, modelLag, sha), env, model, policy);
        String path = LockstepHarness.collect(env, "{\"runId\":\"" + runId + "\",\"domain\":\"sim\","
                + "\"policy\":\"snapshot\",\"numEnvs\":1,\"batchSize\":250}");
        HttpResponse<String> replayed = env.post("/api/v1/datasets/g15/replay", "{\"runId\":\"" + runId + "\",\"batchSize\":100}");
        assertEquals(200, replayed.statusCode(), replayed.body());
        LockstepHarness.awaitDone(env, path, runId);
        return Codecs.RUN_SPEC.parse(submitted.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPublishWhatTheInProcessRunOfTheSameRunSpecAndDatasetPublishesBitForBit(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             ServiceProcess env = LockstepHarness.env(broker, dir, "sim2real.env.evaluate-every=0");
             ServiceProcess model = LockstepHarness.model(broker, dir, "sim2real.model.latent.hidden=16",
                     "sim2real.model.latent.batch-size=32");
             ServiceProcess policy = LockstepHarness.policy(broker, dir, "16,16", 32)) {
            env.start();
            model.start();
            policy.start();
            // The real domain's data: a small dataset made by env-service, named by the RunSpec with its checksum.
            HttpResponse<String> made = env.post("/api/v1/datasets", "{\"name\":\"g15\",\"domain\":\"real\","
                    + "\"physics\":{\"gravity\":1.5},\"policy\":\"random\",\"envSteps\":" + DATASET_ROWS + ",\"numEnvs\":1,\"seed\":9}");
            assertEquals(201, made.statusCode(), made.body());
            String sha = LockstepHarness.text(made.body(), "bodySha256");
            for (int lag : new int[] {0, 1}) {
                String runId = "dataset-loop-lag" + lag;
                RunSpec effective = run(env, model, policy, runId, lag, sha);
                InProcessLockstep.Result services = LockstepHarness.published(broker, runId, ENV_STEPS);
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
                assertEquals(DATASET_ROWS, LockstepHarness.rows(inProcess.transitions(), Domain.REAL).size());
                LockstepHarness.assertSameRun(inProcess, services, "modelLag " + lag);
            }
        }
    }
}

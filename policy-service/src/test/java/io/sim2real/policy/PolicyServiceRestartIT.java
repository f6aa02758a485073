package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs the packaged policy-service mid-run and starts it again: its replay buffer is rebuilt from Kafka
 * (the learner sees each environment transition exactly once) and it serves actions again once a policy is
 * published.
 */
class PolicyServiceRestartIT {

    private static TransitionBatch batch(int n) {
        TransitionBatch b = SampleMessages.transitions(n);
        return new TransitionBatch(b.schemaVersion(), "restart-run", Domain.SIM, b.envId(), 0, b.episodeIds(),
                b.stepIndices(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    @Test
    void shouldSeeEveryTransitionOnceAcrossASigkill(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(), "sim2real.policy.hidden=32,32",
                     "sim2real.policy.batch-size=32",
                     "sim2real.policy.checkpoint-dir=" + dir.resolve("checkpoints")))) {
            service.start();
            RunSpec r = SampleMessages.run();
            RunSpec run = new RunSpec(SchemaVersion.CURRENT, "restart-run", RunSpec.Method.SAC, r.mode(), 1, 1000,
                    r.realDomain(), List.of(Domain.SIM), Map.of("updatesPerStep", 0.1, "learnerMinTransitions", 100.0), 1L);
            producer.send(new ProducerRecord<>(Topics.RUNS, run.runId(), Codecs.RUN_SPEC.encode(run))).get();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, "restart-run", Codecs.TRANSITION_BATCH.encode(batch(100)))).get();
            }
            String status = "/api/v1/runs/restart-run/policy";
            ServiceProcess.await(() -> service.body(status).contains("\"envSteps\":300"), "300 env steps seen");

            service.kill();
            service.start();
            ServiceProcess.await(() -> service.body(status).contains("\"envSteps\":300"), "the buffer rebuilt");
            Thread.sleep(3000);
            assertTrue(service.body(status).contains("\"envSteps\":300"), "seen once, not twice: " + service.body(status));

            producer.send(new ProducerRecord<>(Topics.TRANSITIONS, "restart-run", Codecs.TRANSITION_BATCH.encode(batch(100)))).get();
            ServiceProcess.await(() -> service.body(status).contains("\"envSteps\":400"), "new transitions after the restart");
            ServiceProcess.await(() -> service.body(status).contains("\"policyVersion\":") && !service.body(status)
                    .contains("\"policyVersion\":0"), "a policy published after the restart");
        }
    }
}

package io.sim2real.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Kills the packaged model-service with SIGKILL while it holds transitions and starts it again: the store is
 * rebuilt from Kafka with nothing lost and nothing counted twice, and new records keep arriving.
 */
class ModelServiceRestartIT {

    private static TransitionBatch batch(int n) {
        TransitionBatch b = SampleMessages.transitions(n);
        return new TransitionBatch(b.schemaVersion(), "restart-run", Domain.SIM, b.envId(), 0, b.episodeIds(),
                b.stepIndices(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    @Test
    void shouldRebuildItsStoresAfterASigkillWithNothingLostOrCountedTwice(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer());
             ServiceProcess service = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir, List.of(
                     "kafka.bootstrap.servers=" + broker.bootstrapServers(),
                     "sim2real.model.checkpoint-dir=" + dir.resolve("checkpoints")))) {
            service.start();
            RunSpec r = SampleMessages.run();
            RunSpec run = new RunSpec(SchemaVersion.CURRENT, "restart-run", RunSpec.Method.SAC, r.mode(), 1, 1000,
                    r.realDomain(), List.of(Domain.SIM), Map.of(), 1L);
            producer.send(new ProducerRecord<>(Topics.RUNS, run.runId(), Codecs.RUN_SPEC.encode(run))).get();
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, "restart-run", Codecs.TRANSITION_BATCH.encode(batch(100)))).get();
            }
            String store = "/api/v1/runs/restart-run/store";
            ServiceProcess.await(() -> service.body(store).contains("\"sim\":600"), "600 transitions stored");

            service.kill();
            service.start();
            ServiceProcess.await(() -> service.body(store).contains("\"sim\":600"), "the store rebuilt");
            Thread.sleep(3000); // a second delivery of the log would show up by now
            assertEquals("{\"sim\":600}", service.body(store), "rebuilt once, not twice");

            producer.send(new ProducerRecord<>(Topics.TRANSITIONS, "restart-run", Codecs.TRANSITION_BATCH.encode(batch(50)))).get();
            ServiceProcess.await(() -> service.body(store).contains("\"sim\":650"), "new records after the restart");
        }
    }
}

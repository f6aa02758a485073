package io.sim2real.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldRebuildItsStoresAfterASigkillWithNothingLostOrCountedTwice(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            int port = freePort();
            Process service = start(broker, port, dir);
            try {
                awaitReady(port);
                RunSpec r = SampleMessages.run();
                RunSpec run = new RunSpec(SchemaVersion.CURRENT, "restart-run", RunSpec.Method.SAC, r.mode(), 1, 1000,
                        r.realDomain(), List.of(Domain.SIM), Map.of(), 1L);
                producer.send(new ProducerRecord<>(Topics.RUNS, run.runId(), Codecs.RUN_SPEC.encode(run))).get();
                for (int i = 0; i < 6; i++) {
                    producer.send(new ProducerRecord<>(Topics.TRANSITIONS, "restart-run", Codecs.TRANSITION_BATCH.encode(batch(100)))).get();
                }
                awaitStore(port, body -> body.contains("\"sim\":600"));

                service.destroyForcibly().waitFor();
                service = start(broker, port, dir);
                awaitReady(port);
                awaitStore(port, body -> body.contains("\"sim\":600"));
                Thread.sleep(3000); // a second delivery of the log would show up by now
                assertEquals("{\"sim\":600}", store(port), "rebuilt once, not twice");

                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, "restart-run", Codecs.TRANSITION_BATCH.encode(batch(50)))).get();
                awaitStore(port, body -> body.contains("\"sim\":650"));
            } finally {
                service.destroyForcibly().waitFor();
            }
        }
    }

    private static TransitionBatch batch(int n) {
        TransitionBatch b = SampleMessages.transitions(n);
        return new TransitionBatch(b.schemaVersion(), "restart-run", Domain.SIM, b.envId(), 0, b.episodeIds(),
                b.stepIndices(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    private static Process start(EmbeddedKafkaBroker broker, int port, Path dir) throws IOException {
        String jar = System.getProperty("service.jar", "target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(Path.of(jar)), "package the service first: " + jar);
        return new ProcessBuilder("java", "-Xmx512m", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Dsim2real.model.checkpoint-dir=" + dir.resolve("checkpoints"), "-jar", jar)
                .redirectErrorStream(true).redirectOutput(dir.resolve("service-" + System.nanoTime() + ".log").toFile())
                .start();
    }

    private static void awaitReady(int port) throws InterruptedException {
        await(() -> get(port, "/q/health/ready").statusCode() == 200, "model-service ready");
    }

    private static void awaitStore(int port, Predicate<String> condition) throws InterruptedException {
        await(() -> condition.test(store(port)), "store condition");
    }

    private static String store(int port) {
        HttpResponse<String> r = get(port, "/api/v1/runs/restart-run/store");
        return r.statusCode() == 200 ? r.body() : "";
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new FailedResponse();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FailedResponse();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A connection that failed: not ready yet. */
    private static final class FailedResponse implements HttpResponse<String> {
        public int statusCode() { return 0; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        public String body() { return ""; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return null; }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}

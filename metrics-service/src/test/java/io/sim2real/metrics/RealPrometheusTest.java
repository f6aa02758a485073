package io.sim2real.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.testing.KafkaBrokerResource;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Debian's real Prometheus (installed by .ci/run) scrapes this running service on loopback, and a gap series
 * comes back through Prometheus' HTTP API with its labels and value.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class RealPrometheusTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @InjectKafkaCompanion
    io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion companion;

    @TestHTTPResource("/")
    URL service;

    static String prometheusBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "prometheus");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @Test
    void shouldReadAGapSeriesBackThroughPrometheus() throws Exception {
        String binary = prometheusBinary();
        if (binary == null) {
            // Under the README's test command (bin/test exports SIM2REAL_REQUIRE_TOOLS=1) or in CI a missing tool fails
            // the test; a plain `mvn verify` skips it with the same message.
            String why = "prometheus is not installed: apt-get install -y --no-install-recommends prometheus (bin/test does)";
            String require = System.getenv("SIM2REAL_REQUIRE_TOOLS");
            if (System.getenv("CI") != null || (require != null && !require.isEmpty() && !require.equals("0"))) {
                throw new AssertionError(why);
            }
            abort(why);
        }

        GapMeasurement gap = new GapMeasurement(1, "prom-run", "torso_length", 2.0,
                GapMeasurement.Metric.ONE_STEP_ERROR, 0.125, 7, 7000, System.currentTimeMillis());
        companion.produce(String.class, byte[].class).fromRecords(
                new ProducerRecord<>(Topics.GAP, "prom-run", Codecs.GAP_MEASUREMENT.encode(gap))).awaitCompletion();

        Path dir = Files.createTempDirectory("prometheus-it");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: metrics-service
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(service.getPort()));
        Process prometheus = new ProcessBuilder(binary, "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String query = "sim2real_gap{run=\"prom-run\",metric=\"one_step_error\"}";
            URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(query, StandardCharsets.UTF_8));
            ObjectMapper json = new ObjectMapper();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode result = json.readTree(r.body()).path("data").path("result");
                assertEquals(1, result.size(), r.body());
                JsonNode series = result.get(0);
                assertEquals("torso_length", series.path("metric").path("perturbation").asText());
                assertEquals("2.0", series.path("metric").path("factor").asText());
                assertEquals("7", series.path("metric").path("model_version").asText());
                assertEquals("metrics-service", series.path("metric").path("job").asText());
                assertEquals(0.125, Double.parseDouble(series.path("value").get(1).asText()), 1e-12);
            });
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}

package io.sim2real.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.testing.ServiceProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged metrics-service replicas read the same records (docs/REPLICAS.md: each replica complete). The test
 * scrapes both replicas' {@code /q/metrics} after each of eight production steps, once both hold the step's records,
 * and writes the scrapes as samples 15 s apart into two Prometheus databases (promtool's OpenMetrics import): one with
 * replica A alone (one replica), one with A and B (two replicas, each its own {@code instance}). Real Prometheus then
 * evaluates every query of the Grafana dashboard (read from deploy/) that selects only metrics-service's series, at
 * the last step, in both: the answers must be equal, and not empty. The dashboard's earlier transitions-rate query
 * ({@code sum by}) gives twice the one-replica answer on the two-replica database, which is what this test catches.
 *
 * <p>The samples' times are chosen by the test (scrapes taken when both replicas caught up, not live scrape times), so
 * {@code rate()} sees the same samples in both databases and the comparison is exact.
 */
class MetricsServiceReplicasIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEPS = 8;
    private static final long STEP_SECONDS = 15;
    private static final List<String> DEFINED = List.of("replica-run-a", "replica-run-b");
    /** Records without a definition: its series carry "unknown" labels. */
    private static final String UNDEFINED = "replica-run-undefined";
    private static final Pattern METRIC_NAME = Pattern.compile("\\bsim2real_[a-z0-9_]+");

    static Path dashboard() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("deploy/grafana/dashboards/sim2real.json");
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException("deploy/grafana/dashboards/sim2real.json not found above " + Path.of("").toAbsolutePath());
    }

    private static List<String> dashboardQueries() throws Exception {
        List<String> out = new ArrayList<>();
        collect(JSON.readTree(dashboard().toFile()), out);
        return out;
    }

    private static void collect(JsonNode node, List<String> out) {
        for (JsonNode panel : node.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                if (t.hasNonNull("expr")) {
                    out.add(t.get("expr").asText());
                }
            }
            collect(panel, out);
        }
    }

    /** A query as Grafana sends it with every run and metric selected. */
    private static String concrete(String query) {
        return query.replace("$__rate_interval", "1m").replace("$run", ".*").replace("$metric", ".*");
    }

    private static GapMeasurement gap(String run, GapMeasurement.Metric metric, GapMeasurement.Pairing pairing, double value,
                                      Double floor, Double spread, long modelVersion) {
        return new GapMeasurement(1, run, "gravity", 1.5, metric, value, modelVersion, 1000 * modelVersion,
                System.currentTimeMillis(), pairing, floor, spread);
    }

    private static TransitionBatch transitions(String run, Domain domain, int n, long policyVersion) {
        TransitionBatch b = RunSeriesTest.transitions(run, n, policyVersion);
        return new TransitionBatch(b.schemaVersion(), run, domain, b.envId(), policyVersion, b.episodeIds(), b.stepIndices(),
                b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    private static EvaluationResult evaluation(String run, Domain domain, double ret, long policyVersion) {
        EvaluationResult e = RunSeriesTest.evaluation(run, domain, ret);
        return new EvaluationResult(e.schemaVersion(), run, domain, policyVersion, 1000 * policyVersion, true, e.seeds(),
                e.returns(), e.lengths());
    }

    /** Step k's records: a different amount per run, domain and step, evaluations and gap rounds on some steps. */
    private static List<ProducerRecord<String, byte[]>> step(int k) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        List<String> runs = new ArrayList<>(DEFINED);
        runs.add(UNDEFINED);
        for (int i = 0; i < runs.size(); i++) {
            String run = runs.get(i);
            out.add(new ProducerRecord<>(Topics.TRANSITIONS, run,
                    Codecs.TRANSITION_BATCH.encode(transitions(run, Domain.SIM, 7 + 3 * k + 11 * i, k))));
            if (i == 0 || k % 3 == 1) {
                out.add(new ProducerRecord<>(Topics.TRANSITIONS, run,
                        Codecs.TRANSITION_BATCH.encode(transitions(run, Domain.REAL, 2 + k, k))));
            }
            if (k % 2 == 0) {
                out.add(new ProducerRecord<>(Topics.EVALUATIONS, run,
                        Codecs.EVALUATION_RESULT.encode(evaluation(run, Domain.SIM, -100.0 + 37.5 * k - i, k))));
                out.add(new ProducerRecord<>(Topics.EVALUATIONS, run,
                        Codecs.EVALUATION_RESULT.encode(evaluation(run, Domain.REAL, -300.0 + 21.25 * k + i, k))));
            }
            if (k % 3 == 2) {
                long version = k;
                for (GapMeasurement.Pairing p : GapMeasurement.Pairing.values()) {
                    out.add(new ProducerRecord<>(Topics.GAP, run, Codecs.GAP_MEASUREMENT.encode(gap(run,
                            GapMeasurement.Metric.MAPPING_DISTANCE, p, 0.2 + 0.01 * k + 0.1 * i, 0.1, 0.01 * (k + 1), version))));
                }
                out.add(new ProducerRecord<>(Topics.GAP, run, Codecs.GAP_MEASUREMENT.encode(gap(run,
                        GapMeasurement.Metric.COUNTERFACTUAL_DISCREPANCY, GapMeasurement.Pairing.COUNTERFACTUAL, 1.5 + k, null, null, version))));
                out.add(new ProducerRecord<>(Topics.GAP, run, Codecs.GAP_MEASUREMENT.encode(gap(run,
                        GapMeasurement.Metric.DRIFT_ALARM, GapMeasurement.Pairing.COUNTERFACTUAL, k > 4 ? 1 : 0, null, null, version))));
                out.add(new ProducerRecord<>(Topics.GAP, run, Codecs.GAP_MEASUREMENT.encode(gap(run,
                        GapMeasurement.Metric.LATENT_KL, null, 0.05 * k, null, null, version))));
            }
        }
        return out;
    }

    /** The run series lines of a scrape (metrics-service's own {@code sim2real_} series but its consumption counters). */
    private static Set<String> runSeries(ServiceProcess replica) {
        Set<String> lines = new TreeSet<>();
        replica.body("/q/metrics").lines()
                .filter(l -> l.startsWith("sim2real_") && !l.startsWith("sim2real_records_"))
                .forEach(lines::add);
        return lines;
    }

    /** Appends a scrape's series as OpenMetrics samples at {@code epochSeconds}, labelled with the replica. */
    private static void samples(Set<String> lines, String instance, long epochSeconds, Map<String, List<String>> byName) {
        for (String line : lines) {
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            String target = "instance=\"" + instance + "\",job=\"metrics-service\"";
            String series = brace >= 0 && brace < space
                    ? name + "{" + target + "," + line.substring(brace + 1, space)
                    : name + "{" + target + "}";
            byName.computeIfAbsent(name, n -> new ArrayList<>()).add(series + line.substring(space) + " " + epochSeconds);
        }
    }

    /** Writes the samples as one OpenMetrics file (families not interleaved) and imports them into {@code data}. */
    private static void importSamples(String promtool, Map<String, List<String>> byName, Path dir, String name) throws Exception {
        StringBuilder om = new StringBuilder();
        for (List<String> family : byName.values()) {
            // Each series' samples in time order: sort by the series, the time order within it is the append order.
            Map<String, List<String>> bySeries = new TreeMap<>();
            for (String s : family) {
                bySeries.computeIfAbsent(s.substring(0, s.lastIndexOf('}') + 1), x -> new ArrayList<>()).add(s);
            }
            bySeries.values().forEach(list -> list.forEach(s -> om.append(s).append('\n')));
        }
        om.append("# EOF\n");
        Path file = dir.resolve(name + ".om");
        Files.writeString(file, om);
        Process p = new ProcessBuilder(promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", file.toString(),
                dir.resolve(name).toString()).redirectErrorStream(true).redirectOutput(dir.resolve(name + "-promtool.log").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, p.exitValue(), "promtool: " + Files.readString(dir.resolve(name + "-promtool.log")));
    }

    /** Real Prometheus on a database, scraping nothing. */
    private static final class Prometheus implements AutoCloseable {
        final Process process;
        final int port;

        Prometheus(String binary, Path dir, String name) throws Exception {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path config = dir.resolve(name + ".yml");
            Files.writeString(config, "global:\n  evaluation_interval: 1m\n");
            process = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve(name),
                    "--storage.tsdb.retention.time=30d", "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve(name + "-prometheus.log").toFile()).start();
            ServiceProcess.await(() -> status("/-/ready") == 200, "Prometheus on " + name + " to be ready");
        }

        /** The HTTP status of a GET, 0 while nothing answers. */
        int status(String path) {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        /** Label set (without instance and job) to value, of an instant query at {@code time}. */
        Map<String, String> query(String promql, long time) throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/v1/query?time=" + time + "&query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("success", body.path("status").asText(), promql + ": " + r.body());
            Map<String, String> out = new TreeMap<>();
            for (JsonNode series : body.path("data").path("result")) {
                out.put(new TreeMap<>(JSON.convertValue(series.path("metric"), Map.class)).toString(),
                        series.path("value").get(1).asText());
            }
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String why = name + " is not installed: apt-get install -y --no-install-recommends prometheus (bin/test does)";
        String require = System.getenv("SIM2REAL_REQUIRE_TOOLS");
        if (System.getenv("CI") != null || (require != null && !require.isEmpty() && !require.equals("0"))) {
            throw new AssertionError(why);
        }
        abort(why);
        return null;
    }

    @Test
    void shouldGiveTheDashboardTheSameValuesWithTwoReplicasAsWithOne(@TempDir Path dir) throws Exception {
        String prometheusBinary = tool("prometheus");
        String promtool = tool("promtool");
        List<String> properties;
        // Sample times an hour back: within the databases' retention, clear of their heads.
        long t0 = System.currentTimeMillis() / 1000 - 3600;
        Map<String, List<String>> one = new LinkedHashMap<>();
        Map<String, List<String>> two = new LinkedHashMap<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            properties = List.of("kafka.bootstrap.servers=" + broker.bootstrapServers(), "sim2real.metrics.refresh-every=PT0.5S");
            Files.createDirectories(dir.resolve("a"));
            Files.createDirectories(dir.resolve("b"));
            try (ServiceProcess a = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir.resolve("a"), properties);
                 ServiceProcess b = new ServiceProcess(ServiceProcess.jarFromSystemProperty(), dir.resolve("b"), properties)) {
                a.start();
                long createdAtMs = System.currentTimeMillis();
                for (String run : DEFINED) {
                    producer.send(new ProducerRecord<>(Topics.RUNS, run,
                            Codecs.RUN_SPEC.encode(RunSeriesTest.run(run, 100_000, createdAtMs)))).get();
                }
                // B starts after the first records exist: it rebuilds them from the log, A read them live.
                for (ProducerRecord<String, byte[]> r : step(0)) {
                    producer.send(r).get();
                }
                b.start();

                for (int k = 0; k < STEPS; k++) {
                    if (k > 0) {
                        for (ProducerRecord<String, byte[]> r : step(k)) {
                            producer.send(r).get();
                        }
                    }
                    // Both replicas hold every record so far, labelled from its definition: the same run series.
                    int step = k;
                    List<Set<String>> seen = new ArrayList<>(List.of(Set.of(), Set.of()));
                    try {
                        ServiceProcess.await(() -> {
                            seen.set(0, runSeries(a));
                            seen.set(1, runSeries(b));
                            return seen.get(0).equals(seen.get(1)) && caughtUp(a, step) && caughtUp(b, step);
                        }, "both replicas to hold step " + k);
                    } catch (AssertionError e) {
                        Set<String> onlyA = new TreeSet<>(seen.get(0));
                        onlyA.removeAll(seen.get(1));
                        Set<String> onlyB = new TreeSet<>(seen.get(1));
                        onlyB.removeAll(seen.get(0));
                        throw new AssertionError(e.getMessage() + "; only in A: " + onlyA + "; only in B: " + onlyB);
                    }
                    assertFalse(seen.get(0).isEmpty());
                    long t = t0 + STEP_SECONDS * k;
                    samples(seen.get(0), "a", t, one);
                    samples(seen.get(0), "a", t, two);
                    samples(seen.get(1), "b", t, two);
                }
                // The history is the same whichever replica answers.
                for (String run : List.of(DEFINED.get(0), DEFINED.get(1), UNDEFINED)) {
                    assertEquals(JSON.readTree(a.body("/api/v1/history/" + run)), JSON.readTree(b.body("/api/v1/history/" + run)), run);
                }
                assertEquals(a.body("/api/v1/transitions"), b.body("/api/v1/transitions"));
            }
            importSamples(promtool, one, dir, "one");
            importSamples(promtool, two, dir, "two");
        }

        long end = t0 + STEP_SECONDS * (STEPS - 1);
        Set<String> exported = new TreeSet<>();
        Files.readAllLines(dir.resolve("one.om")).forEach(l -> {
            Matcher m = METRIC_NAME.matcher(l);
            if (m.lookingAt()) {
                exported.add(m.group());
            }
        });
        try (Prometheus oneReplica = new Prometheus(prometheusBinary, dir, "one");
             Prometheus twoReplicas = new Prometheus(prometheusBinary, dir, "two")) {
            int compared = 0;
            int nonEmpty = 0;
            for (String query : dashboardQueries()) {
                Set<String> names = new TreeSet<>();
                Matcher m = METRIC_NAME.matcher(query);
                while (m.find()) {
                    names.add(m.group());
                }
                if (names.isEmpty() || !exported.containsAll(names)) {
                    continue; // another service's series, or none of metrics-service's
                }
                String promql = concrete(query);
                Map<String, String> single = oneReplica.query(promql, end);
                assertEquals(single, twoReplicas.query(promql, end), "two replicas, one replica: " + promql);
                compared++;
                nonEmpty += single.isEmpty() ? 0 : 1;
                System.out.printf("%d series, equal: %s%n", single.size(), promql);
            }
            assertTrue(compared >= 8 && nonEmpty == compared, compared + " queries compared, " + nonEmpty + " with series");

            // The transitions rate is not zero, and summing it over the replicas (the dashboard's query before) doubles it.
            String rate = "rate(sim2real_transitions_total[1m])";
            Map<String, String> rateOne = oneReplica.query("max by (run, domain) (" + rate + ")", end);
            assertEquals(2 * (DEFINED.size() + 1), rateOne.size(), "sim and real for each of the three runs: " + rateOne);
            Map<String, String> summedOne = oneReplica.query("sum by (run, domain) (" + rate + ")", end);
            Map<String, String> summedTwo = twoReplicas.query("sum by (run, domain) (" + rate + ")", end);
            assertEquals(rateOne, summedOne);
            for (Map.Entry<String, String> e : summedOne.entrySet()) {
                double v = Double.parseDouble(e.getValue());
                assertTrue(v > 0, e.toString());
                assertEquals(2 * v, Double.parseDouble(summedTwo.get(e.getKey())), 1e-9 * v, "summed over two replicas: " + e.getKey());
            }
        }
    }

    /** Whether the replica's history holds every run's transitions up to step {@code k}. */
    private static boolean caughtUp(ServiceProcess replica, int k) {
        String body = replica.body("/api/v1/transitions");
        if (body.isEmpty()) {
            return false;
        }
        try {
            JsonNode counts = JSON.readTree(body);
            List<String> runs = new ArrayList<>(DEFINED);
            runs.add(UNDEFINED);
            for (int i = 0; i < runs.size(); i++) {
                long sim = 0;
                for (int j = 0; j <= k; j++) {
                    sim += 7 + 3 * j + 11 * i;
                }
                if (counts.path(runs.get(i)).path("sim").asLong() != sim) {
                    return false;
                }
            }
            return DEFINED.stream().allMatch(run -> !replica.body("/api/v1/runs/" + run).isEmpty());
        } catch (Exception e) {
            return false;
        }
    }
}

package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.sim2real.testing.ExportedMetrics;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules name only metrics (and labels) that the services really
 * export. The names come from the services' own scrapes: every service module's tests record what its running
 * application served on /q/metrics in target/exported-metrics.txt (test-support's ExportedMetricsRecorder), and
 * the reactor builds this module after them. promtool checks the rules and runs their unit tests.
 */
class DashboardAndAlertsTest {

    static final String DASHBOARD = "deploy/grafana/dashboards/sim2real.json";
    static final String ALERTS = "deploy/prometheus/alerts.yml";
    /** Labels Prometheus adds to every scraped series. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    /** Grafana's label_values(metric[{selector}], label). */
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    /** Every query of the dashboard (panel targets and template variables), by where it is. */
    static Map<String, String> dashboardQueries() {
        JsonNode d = Repo.json(DASHBOARD);
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode panel : d.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                out.put("panel '" + panel.path("title").asText() + "' " + t.path("refId").asText(), t.path("expr").asText());
            }
        }
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                out.put("variable $" + v.path("name").asText(), v.path("query").path("query").asText(v.path("query").asText()));
            }
        }
        return out;
    }

    static Map<String, String> ruleQueries() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : Repo.yaml(ALERTS).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.put("alert " + rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return out;
    }

    /** What the services exported in their tests: metric name to label names. */
    static Map<String, Set<String>> exported() {
        Map<String, Set<String>> all = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String service : Repo.SERVICES) {
            Path f = Repo.file(service + "/target/" + ExportedMetrics.FILE);
            if (!Files.exists(f)) {
                missing.add(f.toString());
                continue;
            }
            ExportedMetrics.read(f).forEach((name, labels) -> all.computeIfAbsent(name, k -> new TreeSet<>()).addAll(labels));
        }
        if (!missing.isEmpty()) {
            fail("no record of what these services export: " + missing + ". Their tests write it; run them first "
                    + "(mvn verify builds the service modules before this one).");
        }
        return all;
    }

    /** Kafka Exporter's metrics (k8s: Strimzi's kafkaExporter) as its source defines them: test resource kafka-exporter-metrics.txt. */
    static Map<String, Set<String>> kafkaExporter() {
        Map<String, Set<String>> out = new TreeMap<>();
        try (var in = DashboardAndAlertsTest.class.getResourceAsStream("/kafka-exporter-metrics.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.strip().split(" ", 2);
                out.put(parts[0], parts.length > 1 ? new TreeSet<>(List.of(parts[1].split(","))) : new TreeSet<>());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void shouldNameOnlyMetricsAndLabelsTheServicesExport() {
        // The dashboard may also show Kafka Exporter's consumer-group lag (k8s only); the alert rules, which compose's
        // Prometheus runs too, only what the services export.
        Map<String, Set<String>> services = exported();
        Map<String, Set<String>> withExporter = new TreeMap<>(services);
        kafkaExporter().forEach((k, v) -> assertTrue(withExporter.putIfAbsent(k, v) == null, k + " is exported twice"));
        Map<String, String> queries = new LinkedHashMap<>(dashboardQueries());
        queries.putAll(ruleQueries());
        assertTrue(queries.size() >= 15, "queries found: " + queries.size());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> q : queries.entrySet()) {
            Map<String, Set<String>> exported = q.getKey().startsWith("alert ") ? services : withExporter;
            Map<String, Set<String>> uses;
            Set<String> grouping;
            Matcher lv = LABEL_VALUES.matcher(q.getValue());
            if (lv.matches()) {
                // The selector's labels and the label whose values are listed must all exist.
                Map<String, Set<String>> selected = new LinkedHashMap<>();
                PromQl.parse(lv.group(1)).metrics().forEach((metric, labels) -> {
                    Set<String> all = new TreeSet<>(labels);
                    all.add(lv.group(2));
                    selected.put(metric, all);
                });
                uses = selected;
                grouping = Set.of();
            } else {
                PromQl.Uses u = PromQl.parse(q.getValue());
                uses = u.metrics();
                grouping = u.groupingLabels();
            }
            if (uses.isEmpty()) {
                problems.add(q.getKey() + ": no metric in '" + q.getValue() + "'");
            }
            Set<String> available = new TreeSet<>(TARGET_LABELS);
            uses.forEach((metric, labels) -> {
                Set<String> has = exported.get(metric);
                if (has == null) {
                    problems.add(q.getKey() + ": " + metric + " is not exported by any service");
                    return;
                }
                available.addAll(has);
                for (String label : labels) {
                    if (!has.contains(label) && !TARGET_LABELS.contains(label)) {
                        problems.add(q.getKey() + ": " + metric + " has no label '" + label + "' (it has " + has + ")");
                    }
                }
            });
            for (String label : grouping) {
                if (!available.contains(label)) {
                    problems.add(q.getKey() + ": grouping label '" + label + "' is on none of " + uses.keySet());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void shouldShowWhatTheIssueAsksFor() {
        JsonNode d = Repo.json(DASHBOARD);
        assertEquals("sim2real", d.path("uid").asText());
        Map<String, String> queries = dashboardQueries();
        String all = String.join("\n", queries.values());
        for (String metric : List.of("sim2real_gap", "sim2real_evaluation_return", "sim2real_policy_critic_loss",
                "sim2real_model_holdout_mse", "sim2real_env_transitions_published_total", "sim2real_policy_updates_total",
                "sim2real_model_rollouts_total", "kafka_consumer_fetch_manager_records_lag_max", "kafka_consumergroup_lag",
                "sim2real_records_dead_lettered_total", "sim2real_run_acting_policy_version")) {
            assertTrue(all.contains(metric), "the dashboard shows " + metric);
        }
        // The gap panel shows the probe's G with its floor, never the training model's drifting distance.
        Map<String, String> gapPanel = new TreeMap<>();
        queries.forEach((where, expr) -> {
            if (where.contains("'Gap G (probe) and its noise floor'")) {
                gapPanel.put(where, expr);
            }
        });
        assertTrue(gapPanel.values().stream().allMatch(e -> e.contains("metric=\"mapping_distance\"")), gapPanel.toString());
        assertTrue(gapPanel.values().stream().anyMatch(e -> e.contains("sim2real_gap_floor")), "the floor beside G");
        assertTrue(gapPanel.values().stream().anyMatch(e -> e.contains("by (run, perturbation, factor, pairing)")));
        assertTrue(all.contains("drift_alarm") && all.contains("counterfactual_discrepancy") && all.contains("classifier_kl"),
                "the drift alarm and the calibration metrics are shown");
        // Sim and real returns side by side: two panels on one row.
        JsonNode sim = panel(d, "Return in sim");
        JsonNode real = panel(d, "Return in real");
        assertEquals(sim.path("gridPos").path("y").asInt(), real.path("gridPos").path("y").asInt());
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode p : d.path("panels")) {
            assertTrue(ids.add(p.path("id").asInt()), "panel ids are unique");
            if (!p.path("type").asText().equals("row")) {
                assertEquals("${datasource}", p.path("datasource").path("uid").asText(), p.path("title").asText());
            }
        }
        assertEquals(Set.of("Sim2RealGapAboveFloor", "Sim2RealDynamicsDrift", "Sim2RealRunNoProgress", "Sim2RealDeadLettersGrowing"),
                new TreeSet<>(ruleQueries().keySet().stream().map(k -> k.substring("alert ".length())).toList()));
    }

    private static JsonNode panel(JsonNode d, String title) {
        for (JsonNode p : d.path("panels")) {
            if (p.path("title").asText().equals(title)) {
                return p;
            }
        }
        throw new AssertionError("no panel '" + title + "'");
    }

    @Test
    void shouldFindMetricsLabelsAndGroupingInAQuery() {
        PromQl.Uses u = PromQl.parse("max by (run, domain) (rate(a_total{run=~\"$run\", x!=\"by (z)\"}[$__rate_interval])) "
                + "- on (run) group_left() b_seconds offset 5m > 1e3 and time() - c");
        assertEquals(Map.of("a_total", Set.of("run", "x"), "b_seconds", Set.of(), "c", Set.of()), u.metrics());
        assertEquals(Set.of("run", "domain"), u.groupingLabels());
    }

    static String promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void promtoolShouldAcceptTheRulesAndTheirUnitTestsAndTheComposeConfig() throws Exception {
        String promtool = promtool();
        if (promtool == null) {
            DashboardSchemaTest.missingTool("promtool is not installed: apt-get install -y --no-install-recommends prometheus (bin/test does)");
        }
        Path dir = Repo.file("deploy/prometheus");
        assertTrue(run(dir, promtool, "check", "rules", "alerts.yml").contains("SUCCESS: 4 rules found"));
        assertTrue(run(dir, promtool, "test", "rules", "alerts.test.yml").contains("SUCCESS"));
        assertTrue(run(dir, promtool, "check", "config", "prometheus.yml").contains("SUCCESS"));
    }
}

package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.experiments.client.RunClient;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Table;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sim2real sweep}: a gap-only sweep through the running services. Each cell (perturbation kind x factor x
 * seed) is a run: its RunSpec goes to {@code sim2real.runs} through env-service's REST API, env-service collects
 * its sim and real data, model-service measures the gap; the results are read back from {@code sim2real.gap}.
 * {@code --action start} submits every cell, {@code resume} only those without results on Kafka, {@code stop}
 * deletes the sweep's runs, {@code collect} writes the report from what Kafka holds now.
 */
public final class GapSweep {

    static final Set<String> OPTIONS = Set.of("name", "action", "env-url", "bootstrap", "kinds", "factors", "seeds",
            "steps", "envs", "policy", "timeout-minutes", "token", "out");

    /** env-service's behaviour policies that need no policy snapshot (a gap-only run trains none). */
    static final List<String> POLICIES = List.of("random", "scripted");

    /** One cell of the sweep and its run. */
    public record Cell(String runId, String kind, double factor, long seed) {
    }

    private GapSweep() {
    }

    /** The cells of a sweep, with run ids that say what they are (so a resumed sweep finds its runs again). */
    public static List<Cell> cells(String name, List<String> kinds, List<Double> factors, int[] seeds) {
        List<Cell> out = new ArrayList<>();
        for (int seed : seeds) {
            for (String kind : kinds) {
                PerturbationKind.fromWire(kind).orElseThrow(() -> new IllegalArgumentException("unknown perturbation kind '" + kind + "'"));
                for (double f : factors) {
                    out.add(new Cell(String.format(Locale.ROOT, "%s-%s-%s-s%d", name, kind.replace('_', '-'),
                            String.valueOf(f).replace('.', 'p'), seed), kind, f, seed));
                }
            }
        }
        return out;
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        String name = args.sweepName("sweep", 61);
        String action = args.choice("action", "start", List.of("start", "resume", "stop", "collect"));
        String envUrl = url(args.text("env-url", "http://127.0.0.1:8081"));
        String bootstrap = bootstrap(args.text("bootstrap", "127.0.0.1:9092"));
        List<String> kinds = args.kinds("kinds", "gravity");
        List<Double> factors = args.factors("factors", "1.0,1.5,2.0", kinds);
        int[] seeds = args.integers("seeds", "1", 0, Integer.MAX_VALUE);
        int steps = args.integer("steps", 5000, 1, 10_000_000);
        int envs = args.integer("envs", 16, 1, 1024);
        String policy = args.choice("policy", "random", POLICIES);
        Duration timeout = Duration.ofMinutes(args.integer("timeout-minutes", 30, 1, 7 * 24 * 60));
        String token = args.text("token", System.getenv().getOrDefault("SIM2REAL_API_TOKEN", ""));
        Path outDir = Path.of(args.text("out", "reports/sweep-" + name));
        List<Cell> cells = cells(name, kinds, factors, seeds);
        RunClient rest = new RunClient(envUrl, token);

        switch (action) {
            case "stop" -> {
                for (Cell c : cells) {
                    rest.delete(c.runId());
                }
                out.printf("stopped sweep %s: %d runs deleted from sim2real.runs%n", name, cells.size());
                return null;
            }
            case "start", "resume" -> {
                cells.forEach(c -> RunClient.check(spec(c, steps, 0))); // every cell's RunSpec, before the first is sent
                Map<String, Map<GapMeasurement.Metric, GapMeasurement>> known = action.equals("resume")
                        ? readGap(bootstrap, cells, Duration.ofSeconds(5)) : Map.of();
                int submitted = 0;
                for (Cell c : cells) {
                    if (complete(known.get(c.runId()))) {
                        continue;
                    }
                    submit(rest, c, steps, envs, policy);
                    submitted++;
                }
                out.printf("sweep %s: %d of %d cells submitted (%s data: %d %s steps a domain, %d envs, seed = cell seed)%n",
                        name, submitted, cells.size(), action, steps, policy, envs);
                follow(bootstrap, cells, timeout, out);
            }
            case "collect" -> {
                // report only
            }
            default -> throw new IllegalArgumentException("--action must be start, resume, stop or collect, got '" + action + "'");
        }
        Map<String, Map<GapMeasurement.Metric, GapMeasurement>> results = readGap(bootstrap, cells, Duration.ofSeconds(5));
        return report(name, argv, cells, results, kinds, factors, steps, policy, envs, outDir, out);
    }

    /** An http(s) URL with a host, or a refusal naming --env-url. */
    static String url(String text) {
        try {
            java.net.URI uri = new java.net.URI(text);
            if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new java.net.URISyntaxException(text, "not http(s)://HOST[:PORT]");
            }
            return text;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--env-url must be an http(s)://HOST[:PORT] URL, got '" + text + "'");
        }
    }

    /** HOST:PORT[,HOST:PORT...], or a refusal naming --bootstrap. */
    static String bootstrap(String text) {
        for (String server : text.split(",")) {
            if (!server.trim().matches("[A-Za-z0-9._\\[\\]:-]+:\\d{1,5}") || Integer.parseInt(server.trim().replaceAll(".*:", "")) > 65535) {
                throw new IllegalArgumentException("--bootstrap must be HOST:PORT[,HOST:PORT...] (a port up to 65535), got '" + text + "'");
            }
        }
        return text;
    }

    /** The cell's gap-only run, checked and submitted, then its sim and real collections (the same seed: paired data). */
    private static void submit(RunClient rest, Cell c, int steps, int envs, String policy) {
        rest.submit(spec(c, steps, System.currentTimeMillis()));
        rest.collect(new RunClient.CollectionRequest(c.runId(), "sim", null, null, policy, (long) steps, envs, null, c.seed()));
        rest.collect(new RunClient.CollectionRequest(c.runId(), "real", Map.of(c.kind(), c.factor()), null, policy,
                (long) steps, envs, null, c.seed()));
    }

    /** A cell's RunSpec: gap-only, asynchronous, the cell's seed, {@code steps} a domain, its real physics. */
    static RunSpec spec(Cell c, int steps, long createdAtMs) {
        return new RunSpec(SchemaVersion.CURRENT, c.runId(), RunSpec.Method.GAP_ONLY, RunSpec.Mode.ASYNC, c.seed(), steps,
                new RunSpec.DomainSpec(c.kind() + "-" + c.factor(), Map.of(c.kind(), c.factor())),
                List.of(Domain.SIM, Domain.REAL), Map.of(), createdAtMs);
    }

    /** Waits until every cell has all its gap metrics, printing a progress line with an estimate of the time left. */
    private static void follow(String bootstrap, List<Cell> cells, Duration timeout, PrintStream out) {
        long start = System.nanoTime();
        int lastDone = -1;
        while (true) {
            Map<String, Map<GapMeasurement.Metric, GapMeasurement>> results = readGap(bootstrap, cells, Duration.ofSeconds(2));
            int done = 0;
            for (Cell c : cells) {
                done += complete(results.get(c.runId())) ? 1 : 0;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (done != lastDone) {
                out.println(progress(done, cells.size(), elapsed));
                lastDone = done;
            }
            if (done == cells.size()) {
                return;
            }
            if (elapsed > timeout.toSeconds()) {
                out.printf("timed out after %.0f s with %d of %d cells measured; `--action resume` goes on%n", elapsed, done, cells.size());
                return;
            }
            sleep(Duration.ofSeconds(3));
        }
    }

    static String progress(int done, int total, double elapsedSeconds) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        String eta = done == 0 ? "?" : minutes(elapsedSeconds / done * (total - done));
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " cells  elapsed "
                + minutes(elapsedSeconds) + "  left ~" + eta;
    }

    static String minutes(double seconds) {
        long s = Math.round(seconds);
        return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }

    static boolean complete(Map<GapMeasurement.Metric, GapMeasurement> metrics) {
        return metrics != null && metrics.containsKey(GapMeasurement.Metric.MAPPING_DISTANCE)
                && metrics.containsKey(GapMeasurement.Metric.LATENT_KL);
    }

    /**
     * The newest measurement of every metric of the sweep's runs on {@code sim2real.gap}: the whole topic is read
     * from the beginning without a consumer group (nothing is committed), for at most {@code idle} after the end.
     */
    public static Map<String, Map<GapMeasurement.Metric, GapMeasurement>> readGap(String bootstrap, List<Cell> cells, Duration idle) {
        Set<String> runs = new java.util.HashSet<>();
        cells.forEach(c -> runs.add(c.runId()));
        Map<String, Map<GapMeasurement.Metric, GapMeasurement>> out = new HashMap<>();
        TopicRecords.read(bootstrap, Topics.GAP, runs, idle, (key, value) -> {
            try {
                GapMeasurement g = Codecs.GAP_MEASUREMENT.decode(value, EnvSpec.HALF_CHEETAH);
                out.computeIfAbsent(g.runId(), k -> new EnumMap<>(GapMeasurement.Metric.class))
                        .merge(g.metric(), g, (a, b) -> b.modelVersion() >= a.modelVersion() ? b : a);
            } catch (InvalidRecordException e) {
                // model-service publishes only valid records; anything else is not ours to report.
            }
        });
        return out;
    }

    private static Path report(String name, String[] argv, List<Cell> cells,
                               Map<String, Map<GapMeasurement.Metric, GapMeasurement>> results, List<String> kinds,
                               List<Double> factors, int steps, String policy, int envs, Path outDir, PrintStream out)
            throws Exception {
        Map<GapMeasurement.Metric, List<GapTable.Value>> values = new EnumMap<>(GapMeasurement.Metric.class);
        Table all = new Table("All cells", List.of("run", "seed", "perturbation", "factor", "model version", "G", "KL",
                "KL ratio", "one-step error", "disagreement"));
        int measured = 0;
        for (Cell c : cells) {
            Map<GapMeasurement.Metric, GapMeasurement> m = results.getOrDefault(c.runId(), Map.of());
            for (GapMeasurement g : m.values()) {
                values.computeIfAbsent(g.metric(), k -> new ArrayList<>()).add(new GapTable.Value(c.kind(), c.factor(), g.value()));
            }
            measured += complete(m) ? 1 : 0;
            all.add(List.of(c.runId(), String.valueOf(c.seed()), c.kind(), String.valueOf(c.factor()),
                    m.isEmpty() ? "–" : String.valueOf(m.values().iterator().next().modelVersion()),
                    cell(m, GapMeasurement.Metric.MAPPING_DISTANCE), cell(m, GapMeasurement.Metric.LATENT_KL),
                    cell(m, GapMeasurement.Metric.LATENT_KL_RATIO), cell(m, GapMeasurement.Metric.ONE_STEP_ERROR),
                    cell(m, GapMeasurement.Metric.ENSEMBLE_DISAGREEMENT)));
        }
        ReportFolder report = new ReportFolder(outDir, "Gap sweep " + name + " (gap-only runs through the services)");
        report.configuration("command", "bin/sim2real sweep " + String.join(" ", argv))
                .configuration("cells", measured + " of " + cells.size() + " measured")
                .configuration("data", steps + " " + policy + " steps a domain per run, " + envs + " envs, env seed = cell seed")
                .configuration("model", "model-service's configuration (sim2real.model.*, sim2real.model.latent.*)");
        Map<String, GapMeasurement.Metric> tables = new LinkedHashMap<>();
        tables.put("mapping_distance", GapMeasurement.Metric.MAPPING_DISTANCE);
        tables.put("latent_kl", GapMeasurement.Metric.LATENT_KL);
        tables.put("latent_kl_ratio", GapMeasurement.Metric.LATENT_KL_RATIO);
        tables.put("one_step_error", GapMeasurement.Metric.ONE_STEP_ERROR);
        Table headline = null;
        for (Map.Entry<String, GapMeasurement.Metric> t : tables.entrySet()) {
            Table table = GapTable.byKindAndFactor(values.getOrDefault(t.getValue(), List.of()), kinds, factors,
                    t.getValue().wireName(), 4);
            report.table(t.getKey(), table, "");
            headline = headline == null ? table : headline;
        }
        report.table("cells", all, "Newest measurement of each run, read from sim2real.gap.");
        Path readme = report.write();
        out.printf("%n%s%nreport: %s%n", headline.toMarkdown(), readme);
        return readme;
    }

    private static String cell(Map<GapMeasurement.Metric, GapMeasurement> m, GapMeasurement.Metric metric) {
        GapMeasurement g = m.get(metric);
        return g == null ? "–" : String.format(Locale.ROOT, "%.4f", g.value());
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

package io.sim2real.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.experiments.client.RunClient;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.methods.MethodTraits;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sim2real train-sweep}: training runs through the running services, methods x perturbation kinds x
 * factors x seeds (the paper's Tables 2 and 3 shape). Each cell is a lockstep run: env-service first collects
 * the cell's offline "real" data (for the methods that train on it), then collects sim data with the run's newest
 * policy in lockstep with policy-service (model-service trains the method's model and publishes rollouts). When
 * a cell's sim collection is done and its policy has trained on every transition, the sweep asks env-service to
 * evaluate that final policy in sim and in the cell's real domain; the report reads those evaluations back from {@code sim2real.evaluations}.
 * {@code --action start | resume | stop | collect} as for {@code sweep}; resume re-submits the cells whose sim
 * collection is not done (env-service keeps collections across its restarts) and evaluates the finished ones
 * that have no final evaluation yet.
 */
public final class TrainSweep {

    static final Set<String> OPTIONS = Set.of("name", "action", "env-url", "bootstrap", "methods", "kinds", "factors",
            "seeds", "steps", "real-steps", "real-policy", "real-dataset", "initial-steps", "updates-per-step", "episodes",
            "timeout-minutes", "token", "out", "parameters");

    /** One cell and its run. */
    public record Cell(String runId, RunSpec.Method method, String kind, double factor, long seed) {

        List<Domain> trainingDomains() {
            return usesReal() ? List.of(Domain.SIM, Domain.REAL) : List.of(Domain.SIM);
        }

        /** Whether the cell's method trains on the real domain's data as well as sim's (its {@link MethodTraits}). */
        boolean usesReal() {
            return MethodTraits.of(method).usesRealData();
        }
    }

    /** The newest evaluation of a run in each domain, read from Kafka. */
    record Returns(EvaluationResult sim, EvaluationResult real) {
    }

    private TrainSweep() {
    }

    /** The cells, with run ids that say what they are, so a resumed sweep finds its runs again. */
    public static List<Cell> cells(String name, List<String> methods, List<String> kinds, List<Double> factors, int[] seeds) {
        List<Cell> out = new ArrayList<>();
        for (int seed : seeds) {
            for (String m : methods) {
                RunSpec.Method method = RunSpec.Method.fromWire(m);
                if (method == RunSpec.Method.GAP_ONLY) {
                    throw new IllegalArgumentException("gap-only trains no policy; use `sim2real sweep` for gap-only cells");
                }
                for (String kind : kinds) {
                    PerturbationKind.fromWire(kind).orElseThrow(() -> new IllegalArgumentException("unknown perturbation kind '" + kind + "'"));
                    for (double f : factors) {
                        out.add(new Cell(String.format(Locale.ROOT, "%s-%s-%s-%s-s%d", name, method.wireName(),
                                kind.replace('_', '-'), String.valueOf(f).replace('.', 'p'), seed), method, kind, f, seed));
                    }
                }
            }
        }
        return out;
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        String name = args.sweepName("train-sweep", 51);
        String action = args.text("action", "start");
        String bootstrap = args.text("bootstrap", "127.0.0.1:9092");
        List<String> methods = args.list("methods", "mbpo-sim-only,mbpo-mixed,latent-sim-init");
        List<String> kinds = args.list("kinds", "gravity");
        List<Double> factors = args.numbers("factors", "1.5");
        int[] seeds = args.integers("seeds", "1");
        String realDataset = args.text("real-dataset", "");
        if (!realDataset.isEmpty() && (args.has("real-steps") || args.has("real-policy"))) {
            throw new IllegalArgumentException("--real-dataset replays a stored dataset as the real data; it cannot go with"
                    + " --real-steps or --real-policy, which collect new data");
        }
        Settings settings = new Settings(args.integer("steps", 10000), args.integer("real-steps", 5000),
                args.text("real-policy", "random"), realDataset.isEmpty() ? null : realDataset,
                args.integer("initial-steps", 1000), Double.parseDouble(args.text("updates-per-step", "10")),
                args.integer("episodes", 5), parameters(args.text("parameters", "")));
        if (settings.steps() < 1 || settings.realSteps() < 0 || settings.initialSteps() < 1 || settings.initialSteps() > settings.steps()) {
            throw new IllegalArgumentException("need --steps >= 1, --real-steps >= 0 and 1 <= --initial-steps <= --steps");
        }
        Duration timeout = Duration.ofMinutes(args.integer("timeout-minutes", 600));
        String token = args.text("token", System.getenv().getOrDefault("SIM2REAL_API_TOKEN", ""));
        Path outDir = Path.of(args.text("out", "reports/train-sweep-" + name));
        List<Cell> cells = cells(name, methods, kinds, factors, seeds);
        RunClient env = new RunClient(GapSweep.url(args.text("env-url", "http://127.0.0.1:8081")), token);
        if (settings.realDataset() != null) {
            int transitions = datasetTransitions(env.datasets(), settings.realDataset(), cells);
            settings = settings.withRealSteps(transitions);
        }

        switch (action) {
            case "stop" -> {
                for (Cell c : cells) {
                    env.delete(c.runId());
                }
                out.printf("stopped sweep %s: %d runs deleted from sim2real.runs (their collections are cancelled)%n", name, cells.size());
                return null;
            }
            case "start", "resume" -> {
                for (Cell c : cells) {
                    RunClient.check(spec(c, settings, 0)); // every cell's RunSpec, before the first is sent
                }
                Map<String, String> states = simCollectionStates(env, cells);
                int submitted = 0;
                for (Cell c : cells) {
                    String state = states.get(c.runId());
                    boolean going = state != null && !state.equals("FAILED") && !state.equals("CANCELLED");
                    if (action.equals("resume") && going) {
                        continue;
                    }
                    submit(env, c, settings);
                    submitted++;
                }
                out.printf("train sweep %s: %d of %d cells submitted (%s); each: %d sim steps in lockstep (%d random first), "
                                + "G = %s, %d real steps (%s) for the methods that use them%n", name, submitted, cells.size(),
                        action, settings.steps(), settings.initialSteps(), settings.updatesPerStep(), settings.realSteps(),
                        settings.realSource());
                follow(env, bootstrap, cells, settings, timeout, out);
            }
            case "collect" -> {
                // report only
            }
            default -> throw new IllegalArgumentException("--action must be start, resume, stop or collect, got '" + action + "'");
        }
        return report(name, argv, cells, readEvaluations(bootstrap, cells), methods, kinds, factors, settings, outDir, out);
    }

    /** A cell's budgets; {@code realDataset} (or null) replaces collecting {@code realSteps} with {@code realPolicy}. */
    /**
     * {@code --parameters name=value,...}: RunSpec parameters every run of the sweep carries (e.g. realStartShare=0,
     * jointSteps=250), overriding the services' defaults; the services validate them on submission.
     */
    static Map<String, Double> parameters(String given) {
        return Args.namedNumbers("parameters", given);
    }

    record Settings(int steps, int realSteps, String realPolicy, String realDataset, int initialSteps,
                    double updatesPerStep, int episodes, Map<String, Double> parameters) {

        Settings withRealSteps(int transitions) {
            return new Settings(steps, transitions, realPolicy, realDataset, initialSteps, updatesPerStep, episodes, parameters);
        }

        /** How the real data come about, for messages and the report. */
        String realSource() {
            return realDataset != null ? "dataset " + realDataset : realPolicy + " policy, seed + 1000";
        }
    }

    /**
     * The number of transitions of the stored dataset {@code name}, from env-service's list; refuses a dataset that
     * is missing, not of the real domain, or collected under other physics than a cell that would train on it.
     */
    static int datasetTransitions(JsonNode datasets, String name, List<Cell> cells) {
        JsonNode header = null;
        for (JsonNode d : datasets) {
            if (name.equals(d.path("name").asText())) {
                header = d.path("header");
            }
        }
        if (header == null) {
            throw new IllegalArgumentException("env-service has no dataset '" + name + "' (GET /api/v1/datasets)");
        }
        if (!"real".equals(header.path("domain").asText())) {
            throw new IllegalArgumentException("dataset '" + name + "' is of domain " + header.path("domain").asText()
                    + "; the real data must come from the real domain");
        }
        Map<String, Double> physics = new java.util.TreeMap<>();
        header.path("physics").fields().forEachRemaining(f -> physics.put(f.getKey(), f.getValue().asDouble()));
        for (Cell c : cells) {
            if (c.usesReal() && !physics.equals(Map.of(c.kind(), c.factor()))) {
                throw new IllegalArgumentException("dataset '" + name + "' was collected under " + physics + ", but cell "
                        + c.runId() + " trains on {" + c.kind() + "=" + c.factor() + "}");
            }
        }
        return header.path("transitions").asInt();
    }

    /** A cell's lockstep RunSpec: its method, seed and real physics, the sweep's budget and parameters. */
    static RunSpec spec(Cell c, Settings s, long createdAtMs) {
        Map<String, Double> parameters = new LinkedHashMap<>();
        parameters.put("updatesPerStep", s.updatesPerStep());
        parameters.put("initialRandomSteps", (double) s.initialSteps());
        parameters.putAll(s.parameters());
        return new RunSpec(SchemaVersion.CURRENT, c.runId(), c.method(), RunSpec.Mode.LOCKSTEP, c.seed(), runEnvSteps(c, s),
                new RunSpec.DomainSpec(c.kind() + "-" + c.factor(), Map.of(c.kind(), c.factor())), c.trainingDomains(),
                parameters, createdAtMs);
    }

    private static void submit(RunClient env, Cell c, Settings s) {
        env.submit(spec(c, s, System.currentTimeMillis()));
        // Collections run one after another: the real data first, so the run's models see it from their first round.
        if (c.usesReal() && s.realDataset() != null) {
            // A replay is published before the call returns: the data are there before the sim collection starts.
            env.replay(s.realDataset(), c.runId(), 500);
        } else if (c.usesReal() && s.realSteps() > 0) {
            env.collect(new RunClient.CollectionRequest(c.runId(), "real", Map.of(c.kind(), c.factor()), null,
                    s.realPolicy(), (long) s.realSteps(), 10, null, c.seed() + 1000));
        }
        env.collect(new RunClient.CollectionRequest(c.runId(), "sim", null, null, "snapshot", (long) s.steps(), 1, null, c.seed()));
    }

    /** The state of each cell's newest sim collection on env-service (absent: none). */
    private static Map<String, String> simCollectionStates(RunClient env, List<Cell> cells) {
        Map<String, String> out = new HashMap<>();
        simCollections(env, cells).forEach((run, c) -> out.put(run, c.state()));
        return out;
    }

    private static Map<String, RunClient.Collection> simCollections(RunClient env, List<Cell> cells) {
        Set<String> runs = new HashSet<>();
        cells.forEach(c -> runs.add(c.runId()));
        Map<String, RunClient.Collection> out = new HashMap<>();
        for (RunClient.Collection c : env.collections()) {
            if (runs.contains(c.runId()) && "sim".equals(c.domain())) {
                out.put(c.runId(), c); // listed oldest first: the newest wins
            }
        }
        return out;
    }

    /**
     * Until every cell has a final evaluation: prints the sim steps taken over all cells (a bar, the time left),
     * and asks env-service to evaluate each cell's policy once its sim collection is done.
     */
    private static void follow(RunClient env, String bootstrap, List<Cell> cells, Settings s, Duration timeout,
                               PrintStream out) throws Exception {
        long start = System.nanoTime();
        Set<String> evaluated = new HashSet<>();
        Map<String, Long> doneSince = new HashMap<>();
        readReturns(bootstrap, cells).forEach((run, r) -> {
            if (r.sim() != null && r.sim().envStep() == finalMark(s)) {
                evaluated.add(run);
            }
        });
        long total = (long) s.steps() * cells.size();
        String lastLine = "";
        String latest = "";
        for (int poll = 0; evaluated.size() < cells.size(); poll++) {
            Map<String, RunClient.Collection> collections = simCollections(env, cells);
            long steps = 0;
            Cell collecting = null;
            for (Cell c : cells) {
                RunClient.Collection col = collections.get(c.runId());
                if (col == null) {
                    continue;
                }
                steps += col.stepsTaken() == null ? 0 : col.stepsTaken();
                String state = String.valueOf(col.state());
                if (state.equals("RUNNING") || state.startsWith("WAITING")) {
                    collecting = c;
                }
                if ((state.equals("FAILED") || state.equals("CANCELLED")) && evaluated.add(c.runId())) {
                    out.printf("cell %s: sim collection %s: %s (resume re-submits it)%n", c.runId(), state, col.error());
                } else if (state.equals("DONE") && !evaluated.contains(c.runId())
                        // A step whose physics went unstable is never published: after 5 minutes the newest policy will do.
                        && (trainedOnEverything(env, c, s) || System.nanoTime() - doneSince.computeIfAbsent(c.runId(),
                        k -> System.nanoTime()) > Duration.ofMinutes(5).toNanos())) {
                    evaluated.add(c.runId());
                    env.evaluate(new RunClient.EvaluationRequest(c.runId(), "snapshot", Map.of(c.kind(), c.factor()),
                            s.episodes(), 77_000 + c.seed(), finalMark(s)));
                    out.printf("cell %s: trained; final policy evaluated%n", c.runId());
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (collecting != null && poll % 6 == 0) {
                // Once a minute: the collecting cell's newest returns and gap, read back from Kafka.
                latest = latest(collecting, readEvaluations(bootstrap, List.of(collecting)),
                        readGap(bootstrap, collecting));
            }
            String line = bar(steps, total, evaluated.size(), cells.size(), elapsed)
                    + (collecting == null || latest.isEmpty() ? "" : "  | " + latest);
            if (!line.equals(lastLine)) {
                out.println(line);
                lastLine = line;
            }
            if (elapsed > timeout.toSeconds()) {
                out.printf("timed out; `--action resume` goes on%n");
                return;
            }
            GapSweep.sleep(Duration.ofSeconds(10));
        }
    }

    /** A run's transitions in its training domains: what its final policy must have trained on. */
    static long runEnvSteps(Cell c, Settings s) {
        return s.steps() + (c.usesReal() ? (long) s.realSteps() : 0L);
    }

    /**
     * Whether env-service holds a policy of the run trained on all its transitions: the learner publishes the last
     * one after the collection has ended, once it has paid the last chunk's updates.
     */
    private static boolean trainedOnEverything(RunClient env, Cell c, Settings s) {
        return env.policy(c.runId()).map(p -> p.path("envStep").asLong(-1) >= runEnvSteps(c, s)).orElse(false);
    }

    /** The envStep the sweep's final evaluations carry, to tell them from the periodic ones. */
    static long finalMark(Settings s) {
        return 1_000_000_000L + s.steps();
    }

    /** The newest gap measurements of a cell's run (latent methods publish them each round). */
    static List<GapMeasurement> readGap(String bootstrap, Cell c) {
        List<GapMeasurement> out = new ArrayList<>();
        TopicRecords.read(bootstrap, Topics.GAP, Set.of(c.runId()), Duration.ofSeconds(2), (key, value) -> {
            try {
                out.add(Codecs.GAP_MEASUREMENT.decode(value, EnvSpec.HALF_CHEETAH));
            } catch (InvalidRecordException e) {
                // model-service publishes only valid records.
            }
        });
        return out;
    }

    /** "method sN: return sim X / real Y at N steps, G Z": what the progress line shows of the cell being trained. */
    static String latest(Cell c, List<EvaluationResult> evaluations, List<GapMeasurement> gap) {
        Returns r = newest(evaluations).get(c.runId());
        StringBuilder b = new StringBuilder(c.method().wireName() + " s" + c.seed() + ":");
        if (r != null && r.sim() != null) {
            b.append(String.format(Locale.ROOT, " return sim %.0f", r.sim().meanReturn()));
            if (r.real() != null) {
                b.append(String.format(Locale.ROOT, " / real %.0f", r.real().meanReturn()));
            }
            b.append(" at ").append(r.sim().envStep()).append(" steps");
        } else {
            b.append(" not evaluated yet");
        }
        gap.stream().filter(g -> g.metric() == GapMeasurement.Metric.MAPPING_DISTANCE)
                .max(java.util.Comparator.comparingLong(GapMeasurement::modelVersion))
                .ifPresent(g -> b.append(String.format(Locale.ROOT, ", G %.3f (model v%d)", g.value(), g.modelVersion())));
        return b.toString();
    }

    static String bar(long steps, long total, int cellsDone, int cells, double elapsedSeconds) {
        int width = 30;
        int filled = total == 0 ? width : (int) Math.min(width, steps * width / total);
        String eta = steps == 0 ? "?" : GapSweep.minutes(elapsedSeconds / steps * Math.max(0, total - steps));
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + steps + "/" + total + " sim steps, " + cellsDone
                + "/" + cells + " cells done  elapsed " + GapSweep.minutes(elapsedSeconds) + "  left ~" + eta;
    }

    /** The newest evaluation of each cell's run in sim and in real (final evaluations win over periodic ones). */
    static Map<String, Returns> readReturns(String bootstrap, List<Cell> cells) {
        return newest(readEvaluations(bootstrap, cells));
    }

    /** Every evaluation of the cells' runs on sim2real.evaluations, periodic and final. */
    static List<EvaluationResult> readEvaluations(String bootstrap, List<Cell> cells) {
        Set<String> runs = new HashSet<>();
        cells.forEach(c -> runs.add(c.runId()));
        List<EvaluationResult> all = new ArrayList<>();
        TopicRecords.read(bootstrap, Topics.EVALUATIONS, runs, Duration.ofSeconds(5), (key, value) -> {
            try {
                all.add(Codecs.EVALUATION_RESULT.decode(value, EnvSpec.HALF_CHEETAH));
            } catch (InvalidRecordException e) {
                // env-service publishes only valid records.
            }
        });
        return all;
    }

    /** The newest evaluation of each run in each domain (the final one, once there is one). */
    static Map<String, Returns> newest(List<EvaluationResult> evaluations) {
        Map<String, EvaluationResult[]> newest = new HashMap<>();
        for (EvaluationResult e : evaluations) {
            EvaluationResult[] pair = newest.computeIfAbsent(e.runId(), k -> new EvaluationResult[2]);
            int d = e.domain().ordinal();
            if (pair[d] == null || e.envStep() >= pair[d].envStep()) {
                pair[d] = e;
            }
        }
        Map<String, Returns> out = new HashMap<>();
        newest.forEach((run, pair) -> out.put(run, new Returns(pair[Domain.SIM.ordinal()], pair[Domain.REAL.ordinal()])));
        return out;
    }

    /**
     * Learning curves in one domain: each cell's periodic evaluations (the final ones, at the marker step, left
     * out), one series per cell named by method and seed.
     */
    static LineChart curves(List<Cell> cells, List<EvaluationResult> evaluations, Domain domain, Settings s) {
        LineChart chart = new LineChart(domain.wireName() + " return during training", "env steps trained on (sim + real)",
                domain.wireName() + " return");
        Map<String, Cell> byRun = new HashMap<>();
        cells.forEach(c -> byRun.put(c.runId(), c));
        for (EvaluationResult e : evaluations) {
            Cell c = byRun.get(e.runId());
            if (c != null && e.domain() == domain && e.envStep() < finalMark(s)) {
                String series = String.format(Locale.ROOT, "%s %s %s s%d", c.method().wireName(), c.kind(), c.factor(), c.seed());
                chart.point(series, e.envStep(), e.meanReturn());
            }
        }
        return chart;
    }

    /**
     * Rows: methods; columns: kind x factor; cells: "sim / real / combined" returns, mean ± std over seeds, with
     * combined the mean of the two.
     */
    static Table returnsTable(List<Cell> cells, Map<String, Returns> returns, List<String> methods, List<String> kinds,
                              List<Double> factors) {
        List<String> header = new ArrayList<>();
        header.add("method");
        for (String k : kinds) {
            for (double f : factors) {
                header.add(k + " ×" + f + ": sim / real / combined");
            }
        }
        Table table = new Table("Return of the final policy (deterministic), sim / real / combined", header);
        for (String m : methods) {
            List<String> row = new ArrayList<>();
            row.add(m);
            for (String k : kinds) {
                for (double f : factors) {
                    List<Double> sim = new ArrayList<>();
                    List<Double> real = new ArrayList<>();
                    for (Cell c : cells) {
                        Returns r = returns.get(c.runId());
                        if (c.method().wireName().equals(m) && c.kind().equals(k) && c.factor() == f && r != null
                                && r.sim() != null && r.real() != null) {
                            sim.add(r.sim().meanReturn());
                            real.add(r.real().meanReturn());
                        }
                    }
                    row.add(sim.isEmpty() ? "–" : Stats.simRealCombined(sim, real));
                }
            }
            table.add(row);
        }
        return table;
    }

    private static Path report(String name, String[] argv, List<Cell> cells, List<EvaluationResult> evaluations,
                               List<String> methods, List<String> kinds, List<Double> factors, Settings s, Path outDir,
                               PrintStream out) throws Exception {
        Map<String, Returns> returns = newest(evaluations);
        Table all = new Table("All cells", List.of("run", "method", "seed", "perturbation", "factor", "policy version",
                "evaluated at", "sim return", "real return"));
        int finished = 0;
        for (Cell c : cells) {
            Returns r = returns.get(c.runId());
            boolean done = r != null && r.sim() != null && r.real() != null;
            finished += done && r.sim().envStep() == finalMark(s) ? 1 : 0;
            all.add(List.of(c.runId(), c.method().wireName(), String.valueOf(c.seed()), c.kind(), String.valueOf(c.factor()),
                    done ? String.valueOf(r.sim().policyVersion()) : "–",
                    done ? (r.sim().envStep() == finalMark(s) ? "end" : "env step " + r.sim().envStep()) : "–",
                    done ? String.format(Locale.ROOT, "%.1f", r.sim().meanReturn()) : "–",
                    done ? String.format(Locale.ROOT, "%.1f", r.real().meanReturn()) : "–"));
        }
        Table headline = returnsTable(cells, returns, methods, kinds, factors);
        ReportFolder report = new ReportFolder(outDir, "Training sweep " + name + " (lockstep runs through the services)");
        report.configuration("command", "bin/sim2real train-sweep " + String.join(" ", argv))
                .configuration("cells", finished + " of " + cells.size() + " trained and evaluated at the end")
                .configuration("budget", s.steps() + " sim steps per run in lockstep (" + s.initialSteps() + " random first), G = "
                        + s.updatesPerStep() + "; " + s.realSteps() + " real steps (" + s.realSource() + ") for " + java.util.Arrays.stream(RunSpec.Method.values())
                        .filter(m -> MethodTraits.of(m).usesRealData() && MethodTraits.of(m).trainsPolicy())
                        .map(RunSpec.Method::wireName).sorted().toList())
                .configuration("evaluation", s.episodes() + " deterministic episodes in sim and in the cell's real domain")
                .configuration("services", "models and SAC with the runs' effective parameters (the services' defaults"
                        + " where the sweep gives none)" + (s.parameters().isEmpty() ? "" : "; given: " + s.parameters()));
        report.table("returns", headline, "Combined = mean of the sim and real returns. A cell without its final "
                + "evaluation shows the newest periodic one (see the cells table).");
        report.table("cells", all, "Newest evaluations of each run, read from sim2real.evaluations.");
        report.chart("curve-sim", curves(cells, evaluations, Domain.SIM, s));
        report.chart("curve-real", curves(cells, evaluations, Domain.REAL, s));
        Path readme = report.write();
        out.printf("%n%s%nreport: %s%n", headline.toMarkdown(), readme);
        return readme;
    }
}

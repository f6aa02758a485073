package io.sim2real.experiments;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code sim2real evaluate}: trained policies evaluated in sim and in perturbed physics with the same episode seeds for
 * every policy, so that methods trained in separate runs compare on equal terms and with more episodes than a
 * training run's own final evaluation.
 * <ul>
 *   <li>{@code --policies NAME=FILE,...}: each policy under every kind and factor given: the paper's Table 1 shape
 *   and, per perturbation, its sim / real / combined return;</li>
 *   <li>{@code --runs DIR,...}: {@code sim2real train} run folders (or folders of them): each run in sim and in the
 *   real domain it trained on, runs that saw only the simulator in every run's real domain; the methods ×
 *   perturbations table of sim / real / combined returns (the shape of Tables 2 and 3), mean ± std over seeds.</li>
 * </ul>
 * Combined is the mean of the sim and real return.
 */
public final class EvaluateCommand {

    static final Set<String> OPTIONS = Set.of("policies", "runs", "last", "kinds", "factors", "episodes", "seed", "out");
    /** The first episode seed when none is given (RunSummary plays the same episodes). */
    static final int DEFAULT_SEED = 30_000;

    private EvaluateCommand() {
    }

    public static Path run(String[] argv, PrintStream out) throws IOException {
        Args args = new Args(argv, OPTIONS);
        if (args.has("policies") == args.has("runs")) {
            throw new IllegalArgumentException("needs either --policies NAME=FILE[,NAME=FILE...] (PolicySnapshot JSON files) "
                    + "or --runs DIR[,DIR...] (sim2real train run folders, or folders of them)");
        }
        int episodes = args.integer("episodes", 5, 1, 1000);
        long seed = args.integer("seed", DEFAULT_SEED, 0, Integer.MAX_VALUE);
        Path outDir = Path.of(args.text("out", ReportFolder.timestamped("evaluate")));
        ReportFolder report;
        if (args.has("policies")) {
            if (args.has("last")) {
                throw new IllegalArgumentException("--last is for --runs (a run folder's last saved policies)");
            }
            report = policies(args, episodes, seed, outDir, out);
        } else {
            if (args.has("kinds") || args.has("factors")) {
                throw new IllegalArgumentException("--kinds and --factors are for --policies; with --runs each run is "
                        + "evaluated in the real domain it trained on");
            }
            int last = args.integer("last", 1, 1, 1000);
            report = runs(TrainedRun.find(args.list("runs", "")), last, episodes, seed, outDir, out);
        }
        report.configuration("command", "bin/sim2real evaluate " + String.join(" ", argv)).configuration("evaluation",
                episodes + " episodes of each policy's mean action per physics, episode seeds " + seed + " to "
                        + (seed + episodes - 1) + " (the same for every policy and physics)");
        Path readme = report.write();
        out.printf("report: %s%n", readme);
        return readme;
    }

    private static ReportFolder policies(Args args, int episodes, long seed, Path outDir, PrintStream out) throws IOException {
        List<String> kinds = args.kinds("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.factors("factors", "1.05,1.5,2.0", kinds);
        Map<String, PolicySnapshot> policies = new LinkedHashMap<>();
        Args.namedTexts("policies", args.text("policies", "")).forEach((name, file) -> policies.put(name, PolicyFiles.read(Path.of(file), "--policies")));
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("--policies names no policy");
        }
        PolicyReturns.check(kinds, factors);

        List<String> transferHeader = new ArrayList<>(List.of("policy", "perturbation"));
        transferHeader.addAll(PolicyReturns.transferHeader(factors));
        Table transfer = new Table("Return under each perturbation", transferHeader);
        List<String> methodsHeader = new ArrayList<>(List.of("policy"));
        for (String k : kinds) {
            factors.forEach(f -> methodsHeader.add(k + " ×" + f + ": sim / real / combined"));
        }
        Table methods = new Table("Sim, real and combined return by perturbation", methodsHeader);
        LineChart chart = new LineChart("Return against the perturbation factor", "factor", "return");
        for (Map.Entry<String, PolicySnapshot> p : policies.entrySet()) {
            PolicyReturns.Transfer measured = PolicyReturns.Transfer.measure(p.getValue(), kinds, factors, episodes, seed);
            List<String> methodsRow = new ArrayList<>(List.of(p.getKey()));
            for (String kind : kinds) {
                List<String> row = new ArrayList<>(List.of(p.getKey(), kind));
                row.addAll(measured.row(kind));
                transfer.add(row);
                String series = p.getKey() + " " + kind;
                chart.point(series, PerturbationKind.fromWire(kind).orElseThrow().neutral(), Stats.mean(measured.sim()));
                measured.real().get(kind).forEach((f, real) -> {
                    chart.point(series, f, Stats.mean(real));
                    methodsRow.add(Stats.simRealCombined(measured.sim(), real));
                });
            }
            methods.add(methodsRow);
            out.printf("evaluated %s%n", p.getKey());
        }
        ReportFolder report = new ReportFolder(outDir, "Saved policies in sim and under perturbations");
        report.configuration("policies", args.text("policies", ""));
        report.table("transfer", transfer, "Mean ± std over " + episodes + " episodes; sim = the unperturbed simulator.");
        report.table("methods", methods, "Mean ± std over " + episodes + " episodes; combined = the mean of an episode's sim "
                + "and real return (same episode seed).");
        report.chart("return_vs_factor", chart);
        out.printf("%n%s%n%s%n", transfer.toMarkdown(), methods.toMarkdown());
        return report;
    }

    /** One run's returns per episode in sim and in one real domain. */
    private record Evaluated(TrainedRun run, String cell, List<Double> sim, List<Double> real) {
    }

    private static ReportFolder runs(List<TrainedRun> runs, int last, int episodes, long seed, Path outDir, PrintStream out)
            throws IOException {
        // Every check before any evaluation: policies readable, domains valid, seeds of a row distinct, budgets equal.
        Map<TrainedRun, List<PolicySnapshot>> policies = new LinkedHashMap<>();
        runs.forEach(r -> policies.put(r, r.lastPolicies(last)));
        Map<String, DomainPhysics> cells = realDomains(runs);
        checkRows(runs);

        Table perRun = new Table("Each run in sim and in its real domain", List.of("method", "seed", "env steps", "real data",
                "real domain", "sim", "real", "run"));
        List<Evaluated> evaluated = new ArrayList<>();
        for (TrainedRun r : runs) {
            List<Double> sim = returns(policies.get(r), DomainPhysics.neutral(), episodes, seed);
            for (Map.Entry<String, DomainPhysics> cell : cells.entrySet()) {
                if (r.simOnly() || cell.getKey().equals(r.cell())) {
                    List<Double> real = returns(policies.get(r), cell.getValue(), episodes, seed);
                    evaluated.add(new Evaluated(r, cell.getKey(), sim, real));
                    perRun.add(List.of(r.label(), String.valueOf(r.seed()), String.valueOf(r.envSteps()),
                            r.simOnly() ? "–" : r.realBehaviour(), cell.getKey(), Stats.format(sim, 1), Stats.format(real, 1),
                            r.dir().toString()));
                }
            }
            out.printf("evaluated %s (%s, seed %d)%n", r.dir(), r.method(), r.seed());
        }
        List<String> header = new ArrayList<>(List.of("method"));
        cells.keySet().forEach(c -> header.add(c + ": sim / real / combined"));
        Table methods = new Table("Sim, real and combined return by method and perturbation", header);
        LineChart chart = new LineChart("Real return of each method by perturbation factor", "factor", "return in the real domain");
        for (String label : new TreeSet<>(runs.stream().map(TrainedRun::label).toList())) {
            List<String> row = new ArrayList<>(List.of(label));
            for (Map.Entry<String, DomainPhysics> cell : cells.entrySet()) {
                List<Evaluated> seeds = evaluated.stream().filter(e -> e.run().label().equals(label) && e.cell().equals(cell.getKey())).toList();
                row.add(seeds.isEmpty() ? "–" : cellText(seeds));
                Map<String, Double> changed = cell.getValue().changed();
                if (!seeds.isEmpty() && changed.size() == 1) {
                    Map.Entry<String, Double> kf = changed.entrySet().iterator().next();
                    chart.point(label + " " + kf.getKey(), kf.getValue(), Stats.mean(seeds.stream().map(e -> Stats.mean(e.real())).toList()));
                }
            }
            methods.add(row);
        }
        ReportFolder report = new ReportFolder(outDir, "Trained runs in sim and in their real domains");
        report.configuration("runs", runs.size() + " runs: " + String.join(", ", runs.stream().map(r -> r.dir().toString()).toList()));
        String perSeed = last == 1 ? episodes + " episodes of its final policy" : episodes + " episodes of each of its last "
                + last + " evaluated policies";
        report.configuration("policies of a run", last == 1 ? "the final policy" : "the last " + last + " evaluated policies "
                + "(policies/step-*.json), each for the same episodes");
        report.table("methods", methods, "Mean ± std over seeds (each seed: the mean over " + perSeed + "); where a method and "
                + "perturbation have a single seed, ± is the std over that seed's " + perSeed + ", marked ¹. "
                + "Combined = the mean of the sim and real return. Runs that trained on the simulator alone (mbpo, sac) are "
                + "evaluated in every real domain.");
        report.table("runs", perRun, "Mean ± std over " + perSeed + ".");
        report.chart("real_return_vs_factor", chart);
        out.printf("%n%s%n", methods.toMarkdown());
        return report;
    }

    /** The real domains the runs trained on, by name, in kind and factor order. */
    private static Map<String, DomainPhysics> realDomains(List<TrainedRun> runs) {
        Map<String, DomainPhysics> cells = new TreeMap<>(CELL_ORDER);
        for (TrainedRun r : runs) {
            if (!r.simOnly()) {
                try {
                    cells.put(r.cell(), DomainPhysics.of(r.realPhysics()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--runs: " + r.dir() + " has an invalid real domain: " + e.getMessage(), e);
                }
            }
        }
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("--runs: every run trained on the simulator alone; give runs with real data, "
                    + "or evaluate these with --policies and --kinds/--factors");
        }
        return cells;
    }

    /** The runs of one table row (method, data and domain) must differ only by seed, each seed once. */
    private static void checkRows(List<TrainedRun> runs) {
        Map<String, List<TrainedRun>> rows = new TreeMap<>();
        runs.forEach(r -> rows.computeIfAbsent(r.label() + (r.simOnly() ? "" : " @ " + r.cell()), k -> new ArrayList<>()).add(r));
        rows.forEach((row, group) -> {
            Set<Long> seeds = new HashSet<>();
            group.forEach(r -> {
                if (!seeds.add(r.seed())) {
                    throw new IllegalArgumentException("--runs: two runs of " + row + " with seed " + r.seed() + " (one is " + r.dir() + ")");
                }
            });
            if (group.stream().map(TrainedRun::envSteps).distinct().count() > 1) {
                throw new IllegalArgumentException("--runs: the runs of " + row + " have different budgets (env steps "
                        + group.stream().map(TrainedRun::envSteps).distinct().toList() + "); evaluate them separately");
            }
        });
    }

    /** The returns of every policy for the same episodes, one after another. */
    private static List<Double> returns(List<PolicySnapshot> policies, DomainPhysics physics, int episodes, long seed) {
        List<Double> out = new ArrayList<>();
        policies.forEach(p -> out.addAll(PolicyReturns.evaluate(p, physics, episodes, seed)));
        return out;
    }

    /** Domains by kind, then by factor as a number ("gravity ×2.0" before "gravity ×10.0"). */
    private static final Comparator<String> CELL_ORDER = Comparator.comparing((String c) -> c.replaceAll(" ×.*", ""))
            .thenComparingDouble(c -> c.contains(" ×") ? Double.parseDouble(c.substring(c.indexOf(" ×") + 2)) : 0)
            .thenComparing(Comparator.naturalOrder());

    /** "sim / real / combined" over seeds, or over the episodes of a single seed (marked ¹). */
    private static String cellText(List<Evaluated> seeds) {
        if (seeds.size() == 1) {
            return Stats.simRealCombined(seeds.get(0).sim(), seeds.get(0).real()) + " ¹";
        }
        return Stats.simRealCombined(seeds.stream().map(e -> Stats.mean(e.sim())).toList(),
                seeds.stream().map(e -> Stats.mean(e.real())).toList());
    }
}

package io.sim2real.experiments;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Combined is the mean of the sim and real return, as train-sweep reports it.
 */
public final class EvaluateCommand {

    static final Set<String> OPTIONS = Set.of("policies", "runs", "kinds", "factors", "episodes", "seed", "out");

    private EvaluateCommand() {
    }

    public static Path run(String[] argv, PrintStream out) throws IOException {
        Args args = new Args(argv, OPTIONS);
        if (args.has("policies") == args.has("runs")) {
            throw new IllegalArgumentException("needs either --policies NAME=FILE[,NAME=FILE...] (PolicySnapshot JSON files) "
                    + "or --runs DIR[,DIR...] (sim2real train run folders, or folders of them)");
        }
        int episodes = args.integer("episodes", 5);
        long seed = args.integer("seed", 30_000);
        if (episodes < 1) {
            throw new IllegalArgumentException("--episodes must be at least 1, got " + episodes);
        }
        Path outDir = Path.of(args.text("out", "reports/evaluate-" + java.time.LocalDateTime.now().withNano(0).toString()
                .replace(":", "")));
        String episodesText = episodes + " episodes of each policy's mean action per physics, episode seeds " + seed + " to "
                + (seed + episodes - 1) + " (the same for every policy and physics)";
        ReportFolder report;
        if (args.has("policies")) {
            report = policies(args, episodes, seed, outDir, out);
        } else {
            if (args.has("kinds") || args.has("factors")) {
                throw new IllegalArgumentException("--kinds and --factors are for --policies; with --runs each run is "
                        + "evaluated in the real domain it trained on");
            }
            report = runs(TrainedRun.find(args.list("runs", "")), episodes, seed, outDir, out);
        }
        report.configuration("command", "bin/sim2real evaluate " + String.join(" ", argv)).configuration("evaluation", episodesText);
        Path readme = report.write();
        out.printf("report: %s%n", readme);
        return readme;
    }

    private static ReportFolder policies(Args args, int episodes, long seed, Path outDir, PrintStream out) throws IOException {
        Map<String, PolicySnapshot> policies = new LinkedHashMap<>();
        Args.namedTexts("policies", args.text("policies", "")).forEach((name, file) -> policies.put(name, load(Path.of(file))));
        List<String> kinds = args.list("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.numbers("factors", "1.05,1.5,2.0");
        if (policies.isEmpty() || kinds.isEmpty() || factors.isEmpty()) {
            throw new IllegalArgumentException("needs at least one policy, one kind and one factor");
        }
        kinds.forEach(k -> PolicyReturns.perturbed(k, 1.0));

        List<String> transferHeader = new ArrayList<>(List.of("policy", "perturbation", "×1.0"));
        factors.forEach(f -> transferHeader.add("×" + f));
        Table transfer = new Table("Return under each perturbation", transferHeader);
        List<String> methodsHeader = new ArrayList<>(List.of("policy"));
        for (String k : kinds) {
            factors.forEach(f -> methodsHeader.add(k + " ×" + f + ": sim / real / combined"));
        }
        Table methods = new Table("Sim, real and combined return by perturbation", methodsHeader);
        LineChart chart = new LineChart("Return against the perturbation factor", "factor", "return");
        for (Map.Entry<String, PolicySnapshot> p : policies.entrySet()) {
            List<Double> sim = PolicyReturns.evaluate(p.getValue(), DomainPhysics.neutral(), episodes, seed);
            List<String> methodsRow = new ArrayList<>(List.of(p.getKey()));
            for (String kind : kinds) {
                List<String> row = new ArrayList<>(List.of(p.getKey(), kind, Stats.format(sim, 1)));
                chart.point(p.getKey() + " " + kind, 1.0, Stats.mean(sim));
                for (double f : factors) {
                    List<Double> real = PolicyReturns.evaluate(p.getValue(), PolicyReturns.perturbed(kind, f), episodes, seed);
                    row.add(Stats.format(real, 1));
                    chart.point(p.getKey() + " " + kind, f, Stats.mean(real));
                    methodsRow.add(Stats.format(sim, 0) + " / " + Stats.format(real, 0) + " / " + Stats.format(combined(sim, real), 0));
                }
                transfer.add(row);
            }
            methods.add(methodsRow);
            out.printf("evaluated %s%n", p.getKey());
        }
        ReportFolder report = new ReportFolder(outDir, "Saved policies in sim and under perturbations");
        report.configuration("policies", args.text("policies", ""));
        report.table("transfer", transfer, "Mean ± std over " + episodes + " episodes.");
        report.table("methods", methods, "Mean ± std over " + episodes + " episodes; combined = the mean of an episode's sim "
                + "and real return (same episode seed).");
        report.chart("return_vs_factor", chart);
        out.printf("%n%s%n%s%n", transfer.toMarkdown(), methods.toMarkdown());
        return report;
    }

    /** One evaluated run in one real domain: its mean returns over the episodes. */
    private record Evaluated(TrainedRun run, String cell, List<Double> sim, List<Double> real) {
    }

    private static ReportFolder runs(List<TrainedRun> runs, int episodes, long seed, Path outDir, PrintStream out) throws IOException {
        Map<String, Map<String, Double>> cells = new TreeMap<>();
        runs.stream().filter(r -> !r.simOnly()).forEach(r -> cells.put(r.cell(), r.realPhysics()));
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("--runs: every run trained on the simulator alone; "
                    + "give runs with real data, or evaluate these with --policies and --kinds/--factors");
        }
        Table perRun = new Table("Each run in sim and in its real domain", List.of("method", "seed", "env steps", "real data",
                "real domain", "sim", "real", "run"));
        List<Evaluated> evaluated = new ArrayList<>();
        for (TrainedRun r : runs) {
            PolicySnapshot policy = r.policy();
            List<Double> sim = PolicyReturns.evaluate(policy, DomainPhysics.neutral(), episodes, seed);
            for (Map.Entry<String, Map<String, Double>> cell : cells.entrySet()) {
                if (!r.simOnly() && !cell.getKey().equals(r.cell())) {
                    continue;
                }
                List<Double> real = PolicyReturns.evaluate(policy, DomainPhysics.of(cell.getValue()), episodes, seed);
                evaluated.add(new Evaluated(r, cell.getKey(), sim, real));
                perRun.add(List.of(r.label(), String.valueOf(r.seed()), String.valueOf(r.envSteps()),
                        r.simOnly() ? "–" : r.realBehaviour(), cell.getKey(), Stats.format(sim, 1), Stats.format(real, 1),
                        r.dir().toString()));
            }
            out.printf("evaluated %s (%s, seed %d)%n", r.dir(), r.method(), r.seed());
        }
        Set<String> methodNames = new TreeSet<>(runs.stream().map(TrainedRun::label).toList());
        List<String> header = new ArrayList<>(List.of("method"));
        cells.keySet().forEach(c -> header.add(c + ": sim / real / combined"));
        Table methods = new Table("Sim, real and combined return by method and perturbation", header);
        LineChart chart = new LineChart("Real return of each method by perturbation factor", "factor", "return in the real domain");
        for (String method : methodNames) {
            List<String> row = new ArrayList<>(List.of(method));
            for (Map.Entry<String, Map<String, Double>> cell : cells.entrySet()) {
                List<Evaluated> seeds = evaluated.stream().filter(e -> e.run().label().equals(method) && e.cell().equals(cell.getKey())).toList();
                row.add(seeds.isEmpty() ? "–" : cellText(seeds));
                if (!seeds.isEmpty() && cell.getValue().size() == 1) {
                    Map.Entry<String, Double> kf = cell.getValue().entrySet().iterator().next();
                    chart.point(method + " " + kf.getKey(), kf.getValue(), Stats.mean(seeds.stream().map(e -> Stats.mean(e.real())).toList()));
                }
            }
            methods.add(row);
        }
        ReportFolder report = new ReportFolder(outDir, "Trained runs in sim and in their real domains");
        report.configuration("runs", runs.size() + " runs: " + String.join(", ", runs.stream().map(r -> r.dir().toString()).toList()));
        report.table("methods", methods, "Mean ± std over seeds (each seed: the mean over its episodes); where a method and "
                + "perturbation have a single seed, ± is the std over that seed's " + episodes + " episodes, marked ¹. "
                + "Combined = the mean of the sim and real return. Runs that trained on the simulator alone (mbpo, sac) are "
                + "evaluated in every real domain.");
        report.table("runs", perRun, "Mean ± std over " + episodes + " episodes.");
        report.chart("real_return_vs_factor", chart);
        out.printf("%n%s%n", methods.toMarkdown());
        return report;
    }

    /** "sim / real / combined" over seeds, or over the episodes of a single seed (marked ¹). */
    private static String cellText(List<Evaluated> seeds) {
        if (seeds.size() == 1) {
            Evaluated e = seeds.get(0);
            return Stats.format(e.sim(), 0) + " / " + Stats.format(e.real(), 0) + " / " + Stats.format(combined(e.sim(), e.real()), 0) + " ¹";
        }
        List<Double> sim = seeds.stream().map(e -> Stats.mean(e.sim())).toList();
        List<Double> real = seeds.stream().map(e -> Stats.mean(e.real())).toList();
        return Stats.format(sim, 0) + " / " + Stats.format(real, 0) + " / " + Stats.format(combined(sim, real), 0);
    }

    private static List<Double> combined(List<Double> sim, List<Double> real) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < sim.size(); i++) {
            out.add((sim.get(i) + real.get(i)) / 2);
        }
        return out;
    }

    private static PolicySnapshot load(Path file) {
        try {
            return Codecs.POLICY_SNAPSHOT.decode(Files.readAllBytes(file), EnvSpec.HALF_CHEETAH);
        } catch (IOException e) {
            throw new IllegalArgumentException("--policies: cannot read " + file + ": " + e);
        } catch (InvalidRecordException | RuntimeException e) {
            throw new IllegalArgumentException("--policies: " + file + " is not a valid policy snapshot: " + e.getMessage(), e);
        }
    }
}

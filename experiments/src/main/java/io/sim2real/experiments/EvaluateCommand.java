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

/**
 * {@code sim2real evaluate}: saved policies (train's policy.json, or any PolicySnapshot) evaluated in sim and under
 * each perturbation kind and factor, with the same episodes for every policy. Writes the paper's Table 1 shape (a
 * policy's return against the factor) and, per perturbation, each policy's sim / real / combined return (the shape of
 * Tables 2 and 3, combined = the mean of the two), as markdown, CSV and a PNG plot. More episodes than a training
 * run's final evaluation, and the same for every method, so methods trained in separate runs compare fairly.
 */
public final class EvaluateCommand {

    static final Set<String> OPTIONS = Set.of("policies", "kinds", "factors", "episodes", "seed", "out");

    private EvaluateCommand() {
    }

    public static Path run(String[] argv, PrintStream out) throws IOException {
        Args args = new Args(argv, OPTIONS);
        if (!args.has("policies")) {
            throw new IllegalArgumentException("needs --policies NAME=FILE[,NAME=FILE...] (PolicySnapshot JSON files, e.g. train's policy.json)");
        }
        Map<String, PolicySnapshot> policies = new LinkedHashMap<>();
        Args.namedTexts("policies", args.text("policies", "")).forEach((name, file) -> policies.put(name, load(Path.of(file))));
        List<String> kinds = args.list("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.numbers("factors", "1.05,1.5,2.0");
        int episodes = args.integer("episodes", 5);
        long seed = args.integer("seed", 30_000);
        if (episodes < 1 || kinds.isEmpty() || factors.isEmpty()) {
            throw new IllegalArgumentException("needs --episodes >= 1, at least one kind and one factor");
        }
        kinds.forEach(k -> PolicyReturns.perturbed(k, 1.0));
        Path outDir = Path.of(args.text("out", "reports/evaluate-" + java.time.LocalDateTime.now().withNano(0).toString()
                .replace(":", "")));

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
                    List<Double> combined = new ArrayList<>();
                    for (int i = 0; i < episodes; i++) {
                        combined.add((sim.get(i) + real.get(i)) / 2);
                    }
                    methodsRow.add(Stats.format(sim, 0) + " / " + Stats.format(real, 0) + " / " + Stats.format(combined, 0));
                }
                transfer.add(row);
            }
            methods.add(methodsRow);
            out.printf("evaluated %s%n", p.getKey());
        }
        ReportFolder report = new ReportFolder(outDir, "Saved policies in sim and under perturbations");
        report.configuration("command", "bin/sim2real evaluate " + String.join(" ", argv))
                .configuration("policies", args.text("policies", ""))
                .configuration("evaluation", episodes + " episodes of each policy's mean action per physics, episode seeds "
                        + seed + " to " + (seed + episodes - 1) + " (the same for every policy and physics)");
        report.table("transfer", transfer, "Mean ± std over " + episodes + " episodes.");
        report.table("methods", methods, "Mean ± std over " + episodes + " episodes; combined = the mean of an episode's sim "
                + "and real return (same episode seed).");
        report.chart("return_vs_factor", chart);
        Path readme = report.write();
        out.printf("%n%s%n%s%nreport: %s%n", transfer.toMarkdown(), methods.toMarkdown(), readme);
        return readme;
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

package io.sim2real.experiments;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.latent.GapAnalysis;
import io.sim2real.nn.latent.LatentConfig;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code sim2real gap-table}: gap-only measurements for perturbation kinds x factors x seeds, in-process on MuJoCo
 * (the paper's Tables 4-6 shape): per seed, one simulator dataset and one sim-trained ensemble; per cell, a real
 * dataset in the perturbed physics and a latent model trained jointly on both. Writes a report folder.
 */
public final class GapTable {

    static final Set<String> OPTIONS = Set.of("kinds", "factors", "seeds", "rows", "envs", "behaviour", "paired", "init",
            "members", "elites", "hidden", "max-epochs", "latent-hidden", "joint-steps", "batch", "train-sim-autoencoder", "out");

    /** Fewest and most transitions a domain: enough for a hold-out split and a batch; two domains within -Xmx4g. */
    static final int MIN_ROWS = 100;
    static final int MAX_ROWS = 1_000_000;

    /** One measured cell. */
    public record Cell(long seed, String kind, double factor, GapAnalysis.Report report) {
    }

    /** One number of one cell, for the tables (cells may come from this process or from Kafka). */
    public record Value(String kind, double factor, double value) {
    }

    private GapTable() {
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        List<String> kinds = args.kinds("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.factors("factors", "1.0,1.05,1.5,2.0", kinds);
        int[] seeds = args.integers("seeds", "1", 0, Integer.MAX_VALUE);
        int rows = args.integer("rows", 10000, MIN_ROWS, MAX_ROWS);
        int envs = args.integer("envs", 16, 1, 1024);
        DataPolicy behaviour = args.behaviour("behaviour", "noisy-gait");
        boolean paired = args.bool("paired", true);
        LatentModel.Init init = LatentModel.Init.valueOf(args.choice("init", "sim",
                java.util.Arrays.stream(LatentModel.Init.values()).map(i -> i.name().toLowerCase(Locale.ROOT)).toList()).toUpperCase(Locale.ROOT));
        int members = args.integer("members", 5, 1, 100);
        int elites = args.integer("elites", Math.min(3, members), 1, members);
        EnsembleConfig ensembleBase = EnsembleConfig.mbpo(0).withSize(members, elites, args.integers("hidden", "200,200,200", 1, 4096))
                .withEpochs(args.integer("max-epochs", 100, 1, 100_000));
        int jointSteps = args.integer("joint-steps", 600, 1, 10_000_000);
        boolean trainSimAutoencoder = args.bool("train-sim-autoencoder", LatentConfig.defaults(0).trainSimAutoencoder());
        int[] latentHidden = args.integers("latent-hidden", "200,200", 1, 4096);
        int batch = args.integer("batch", 256, 1, 65_536);
        Path outDir = Path.of(args.text("out", ReportFolder.timestamped("gap-table")));

        out.printf("gap table: %s x factors %s x seeds %s; %d transitions a domain (%s, %d envs, %s seeds), init %s%n",
                kinds, factors, java.util.Arrays.toString(seeds), rows, behaviour.wireName(), envs,
                paired ? "paired" : "independent", init.name().toLowerCase(Locale.ROOT));
        long start = System.nanoTime();
        int total = seeds.length * kinds.size() * factors.size();
        List<Cell> cells = new ArrayList<>();
        for (int seed : seeds) {
            Transitions sim = DomainData.collect(DomainPhysics.neutral(), behaviour, rows, envs, seed);
            EnsembleConfig ensemble = ensembleBase.withSeed(seed);
            DynamicsModel simModel = new DynamicsModel(17, 6, ensemble);
            DynamicsModel.TrainingReport simReport = simModel.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
            double simMse = simReport.eliteHoldoutMse();
            out.printf("seed %d: sim ensemble trained in %d epochs (%.0f s), hold-out MSE %.4f%n", seed, simReport.epochs(),
                    simReport.seconds(), simMse);
            for (String kind : kinds) {
                for (double factor : factors) {
                    DomainPhysics physics = DomainPhysics.neutral().with(PerturbationKind.fromWire(kind).orElseThrow(), factor);
                    Transitions real = DomainData.collect(physics, behaviour, rows, envs, paired ? seed : seed + 1000L);
                    LatentConfig latent = LatentConfig.defaults(seed).withHidden(latentHidden).withBatchSize(batch)
                            .withSimAutoencoderTrained(trainSimAutoencoder);
                    GapAnalysis.Report report = GapAnalysis.run(sim, real,
                            new GapAnalysis.Settings(init, ensemble, latent, jointSteps), simModel, simMse);
                    cells.add(new Cell(seed, kind, factor, report));
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    out.printf("[%2d/%d] seed %d %-12s x%-5s G %8.4f  KL %7.3f (ratio %6.2f)  one-step %.4f  %5.1f s  ETA %s%n",
                            cells.size(), total, seed, kind, factor, report.measures().mappingDistance(),
                            report.measures().latentKl(), report.measures().klRatio(), report.measures().oneStepError(),
                            report.seconds(), eta(elapsed, cells.size(), total));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ReportFolder report = new ReportFolder(outDir, "Gap table: mapping distance and latent KL by perturbation and factor");
        report.configuration("command", "bin/sim2real gap-table " + String.join(" ", argv))
                .configuration("seeds", java.util.Arrays.toString(seeds))
                .configuration("data", rows + " transitions a domain, behaviour " + behaviour.wireName() + ", " + envs
                        + " parallel episodes, " + (paired ? "real data with the sim data's seed (same starts and action noise)"
                        : "real data with seed + 1000"))
                .configuration("sim ensemble", members + " members, " + ensembleBase.elites() + " elites, hidden "
                        + java.util.Arrays.toString(ensembleBase.hidden()) + ", at most " + ensembleBase.maxEpochs() + " epochs")
                .configuration("latent model", "init " + init.name().toLowerCase(Locale.ROOT) + ", residual hidden "
                        + java.util.Arrays.toString(latentHidden) + ", " + jointSteps + " joint steps of " + batch + " + " + batch
                        + ", loss weights 1/1/1, sim encoder and decoder " + (trainSimAutoencoder ? "trained" : "kept the identity"))
                .configuration("wall time", String.format(Locale.ROOT, "%.0f s on %d cores", seconds,
                        Runtime.getRuntime().availableProcessors()));
        report.table("mapping_distance", byKindAndFactor(cells, kinds, factors, "Mapping distance G", c -> c.measures().mappingDistance(), 4),
                "G = mean over real observations of |m(p_real(o)) - p_real(o)|_2, in observation units.");
        report.table("latent_kl", byKindAndFactor(cells, kinds, factors, "Latent KL (real || sim)", c -> c.measures().latentKl(), 3),
                "KL divergence between Gaussian fits of p_real(o_real) and p_sim(o_sim).");
        report.table("latent_kl_ratio", byKindAndFactor(cells, kinds, factors, "Cross-domain KL / within-domain KL",
                c -> c.measures().klRatio(), 2), "Within-domain KL: between random halves of one domain's latent cloud.");
        report.table("one_step_error", byKindAndFactor(cells, kinds, factors, "One-step error of the sim-trained ensemble on real data",
                c -> c.measures().oneStepError(), 4), "Mean squared error in standardised units.");
        report.table("cells", cellTable(cells), "Every cell, every seed.");
        report.chart("gap_vs_factor", chart(cells, "Mapping distance G against factor", "G", c -> c.measures().mappingDistance()));
        report.chart("kl_vs_factor", chart(cells, "Latent KL against factor", "KL(real || sim)", c -> c.measures().latentKl()));
        Path readme = report.write();
        out.printf("done in %.0f s%n%n%s%nreport: %s%n", seconds,
                byKindAndFactor(cells, kinds, factors, "G", c -> c.measures().mappingDistance(), 4).toMarkdown(), readme);
        return readme;
    }

    private static String eta(double elapsed, int done, int total) {
        long left = Math.round(elapsed / done * (total - done));
        return left / 60 + "m" + String.format(Locale.ROOT, "%02d", left % 60) + "s";
    }

    static Table byKindAndFactor(List<Cell> cells, List<String> kinds, List<Double> factors, String title,
                                 ToDoubleFunction<GapAnalysis.Report> value, int decimals) {
        List<Value> values = new ArrayList<>();
        for (Cell c : cells) {
            values.add(new Value(c.kind(), c.factor(), value.applyAsDouble(c.report())));
        }
        return byKindAndFactor(values, kinds, factors, title, decimals);
    }

    /** Rows: perturbation kinds; columns: factors; cells: mean ± std over the values of that kind and factor. */
    public static Table byKindAndFactor(List<Value> values, List<String> kinds, List<Double> factors, String title, int decimals) {
        List<String> header = new ArrayList<>();
        header.add("perturbation");
        for (double f : factors) {
            header.add("×" + f);
        }
        Table table = new Table(title, header);
        for (String kind : kinds) {
            List<String> row = new ArrayList<>();
            row.add(kind);
            for (double f : factors) {
                List<Double> here = new ArrayList<>();
                for (Value v : values) {
                    if (v.kind().equals(kind) && v.factor() == f) {
                        here.add(v.value());
                    }
                }
                row.add(here.isEmpty() ? "–" : Stats.format(here, decimals));
            }
            table.add(row);
        }
        return table;
    }

    private static Table cellTable(List<Cell> cells) {
        Table t = new Table("All cells", List.of("seed", "perturbation", "factor", "G", "KL", "within KL", "KL ratio",
                "one-step error", "disagreement", "loss start", "loss end", "seconds"));
        for (Cell c : cells) {
            GapAnalysis.Measures m = c.report().measures();
            t.add(List.of(String.valueOf(c.seed()), c.kind(), String.valueOf(c.factor()), f(m.mappingDistance(), 4),
                    f(m.latentKl(), 4), f(m.withinKl(), 4), f(m.klRatio(), 3), f(m.oneStepError(), 4), f(m.disagreement(), 5),
                    f(c.report().firstLosses().total(), 3), f(c.report().lastLosses().total(), 3), f(c.report().seconds(), 1)));
        }
        return t;
    }

    private static LineChart chart(List<Cell> cells, String title, String yLabel, ToDoubleFunction<GapAnalysis.Report> value) {
        Map<String, Map<Double, List<Double>>> grouped = new LinkedHashMap<>();
        for (Cell c : cells) {
            grouped.computeIfAbsent(c.kind(), k -> new LinkedHashMap<>()).computeIfAbsent(c.factor(), f -> new ArrayList<>())
                    .add(value.applyAsDouble(c.report()));
        }
        LineChart chart = new LineChart(title, "factor", yLabel);
        grouped.forEach((kind, byFactor) -> byFactor.forEach((f, v) -> chart.point(kind, f, Stats.mean(v))));
        return chart;
    }

    private static String f(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}

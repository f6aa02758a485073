package io.sim2real.experiments;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.messages.GapMeasurement.Pairing;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.Numbers;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.nn.calibration.DomainClassifiers;
import io.sim2real.nn.calibration.DriftDetector;
import io.sim2real.nn.calibration.RankCorrelation;
import io.sim2real.nn.calibration.TransitionRows;
import io.sim2real.nn.latent.GapProbe;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.ScriptedGait;
import io.sim2real.physics.halfcheetah.StepResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code sim2real gap-probe}: the gap probe ({@link GapProbe}) measured continuously beside an emulated live real
 * stream, in-process on MuJoCo (METHOD.md, "Measuring the gap while training"). Two modes:
 * <ul>
 *   <li>cells (the default): for each perturbation cell, a sim stream in the nominal physics and a real stream in the
 *   cell's physics, collected by the same behaviour policy; every {@code --every} new real transitions, the probe on
 *   the newest window with counterfactual pairs (the nominal simulator put in each real state, stepped with the same
 *   action) and unpaired (against the newest sim window), beside the counterfactual discrepancy and DARC's
 *   classifiers; then G's stability at fixed physics, its ordering by factor, the agreement of the two pairings, and
 *   the rank correlation of G and each calibration metric with the return a fixed sim-trained policy loses;</li>
 *   <li>{@code --drift kind=from:to@step,...}: a real stream whose physics change at a given real transition; the
 *   CUSUM detector on the per-transition counterfactual discrepancy and on the probe's G per round, their delays,
 *   and their false alarms over long streams of fixed physics.</li>
 * </ul>
 */
public final class GapProbeCommand {

    static final Set<String> OPTIONS = Set.of("cells", "behaviour", "every", "window", "rounds", "probe-seeds", "joint-steps",
            "envs", "seed", "policy", "episodes", "eval-seed", "drift", "drift-rounds", "stationary-steps",
            "stationary-rounds", "out");

    /** Most real transitions between probe rounds, and in a probe's window. */
    static final int MAX_STEPS = 1_000_000;

    static final String DEFAULT_CELLS = "gravity=1.0,gravity=1.05,gravity=1.5,gravity=2.0,torso_length=2.0,thigh_length=2.0";

    /** One perturbation: a kind at a value, every other kind neutral. */
    record Cell(PerturbationKind kind, double factor) {
        DomainPhysics physics() {
            return DomainPhysics.neutral().with(kind, factor);
        }

        boolean neutral() {
            return factor == kind.neutral();
        }

        String label() {
            return kind.wireName() + " ×" + factor;
        }
    }

    /** One probe round of one cell: both pairings and the calibration metrics on the same real window. */
    record Round(Cell cell, int round, long realTransitions, GapProbe.Result counterfactual, GapProbe.Result unpaired,
                 double discrepancy, DomainClassifiers.Report cfClassifier, DomainClassifiers.Report unpairedClassifier) {
        GapProbe.Result of(Pairing p) {
            return p == Pairing.COUNTERFACTUAL ? counterfactual : unpaired;
        }
    }

    /** A drift scenario: the real physics of {@code kind} change from {@code from} to {@code to} at real transition {@code at}. */
    record Drift(PerturbationKind kind, double from, double to, long at) {
        String label() {
            return kind.wireName() + " " + from + "→" + to + " @" + at;
        }
    }

    /** What the fixed policy is and its returns per physics. */
    private interface FixedPolicy {
        String describe();

        List<Double> returns(DomainPhysics physics, int episodes, long seed);
    }

    /** Everything an invocation asks for, checked before any work. */
    private record Settings(List<Cell> cells, DataPolicy behaviour, int every, int window, int rounds, int probeSeeds,
                            int jointSteps, int envs, long seed, FixedPolicy policy, int episodes, long evalSeed,
                            List<Drift> drifts, int driftRounds, int stationarySteps, int stationaryRounds, Path out) {
        GapProbe probe() {
            return new GapProbe(GapProbe.Config.defaults().withSeeds(probeSeeds).withJointSteps(jointSteps)
                    .withMaxRows(Math.max(window, 4)));
        }

        String probeText() {
            GapProbe.Config c = probe().config();
            return c.seeds() + " seeds (" + c.seed() + ".." + (c.seed() + c.seeds() - 1) + "), ensemble " + c.members() + " members ("
                    + c.elites() + " elites) " + Arrays.toString(c.ensembleHidden()) + " at most " + c.ensembleEpochs()
                    + " epochs, latent hidden " + Arrays.toString(c.latentHidden()) + ", " + c.jointSteps() + " joint steps of "
                    + c.batchSize() + " + " + c.batchSize() + ", newest " + c.maxRows() + " rows, HalfCheetah's fixed units";
        }
    }

    private GapProbeCommand() {
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Settings s = settings(new Args(argv, OPTIONS));
        return s.drifts().isEmpty() ? cells(s, argv, out) : drifts(s, argv, out);
    }

    // ---------------------------------------------------------------------------------------------- options

    private static Settings settings(Args args) {
        List<Cell> cells = parseCells(args.text("cells", DEFAULT_CELLS));
        DataPolicy behaviour = args.behaviour("behaviour", "random");
        int every = args.integer("every", 2000, 50, MAX_STEPS);
        int window = args.integer("window", every, 50, MAX_STEPS);
        int rounds = args.integer("rounds", 5, 2, 10_000);
        int probeSeeds = args.integer("probe-seeds", 3, 1, 100);
        int jointSteps = args.integer("joint-steps", GapProbe.Config.defaults().jointSteps(), 1, 10_000_000);
        int envs = args.integer("envs", 16, 1, 1024);
        long seed = args.integer("seed", 1, 0, Integer.MAX_VALUE);
        int episodes = args.integer("episodes", 5, 1, 1000);
        long evalSeed = args.integer("eval-seed", 30_000, 0, Integer.MAX_VALUE);
        FixedPolicy policy = args.has("policy") ? snapshotPolicy(args.text("policy", "")) : GAIT;
        List<Drift> drifts = args.has("drift") ? parseDrifts(args.text("drift", ""), every) : List.of();
        int driftRounds = args.has("drift-rounds") ? args.integer("drift-rounds", 0, 1, 10_000) : -1;
        int stationarySteps = args.integer("stationary-steps", 72_000, 0, 100 * MAX_STEPS);
        int stationaryRounds = args.integer("stationary-rounds", 12, 0, 10_000);
        if (!drifts.isEmpty()) {
            long latest = drifts.stream().mapToLong(Drift::at).max().orElseThrow();
            int needed = (int) ((latest + every - 1) / every) + 1;
            if (driftRounds == -1) {
                driftRounds = needed + 3;
            } else if (driftRounds < needed) {
                throw new IllegalArgumentException("--drift-rounds must reach past the latest change (at " + latest + " with --every "
                        + every + " that is at least " + needed + " rounds), got " + driftRounds);
            }
            if (stationarySteps > 0 && stationarySteps < DriftDetector.Config.forDiscrepancies().referenceLength() * 2) {
                throw new IllegalArgumentException("--stationary-steps must be 0 or at least "
                        + DriftDetector.Config.forDiscrepancies().referenceLength() * 2 + " (twice the detector's reference), got "
                        + stationarySteps);
            }
        } else {
            for (String option : List.of("drift-rounds", "stationary-steps", "stationary-rounds")) {
                if (args.has(option)) {
                    throw new IllegalArgumentException("--" + option + " is for --drift");
                }
            }
        }
        if (drifts.isEmpty() && cells.isEmpty()) {
            throw new IllegalArgumentException("--cells names no cell");
        }
        Path out = Path.of(args.text("out", ReportFolder.timestamped(drifts.isEmpty() ? "gap-probe" : "gap-probe-drift")));
        return new Settings(cells, behaviour, every, window, rounds, probeSeeds, jointSteps, envs, seed, policy, episodes, evalSeed,
                drifts, driftRounds, stationarySteps, stationaryRounds, out);
    }

    /** The kinds whose observation is the whole state, so that the simulator can be put in it. */
    private static PerturbationKind pairableKind(String option, String name) {
        PerturbationKind kind = PerturbationKind.fromWire(name).orElseThrow(() -> new IllegalArgumentException("--" + option
                + ": unknown perturbation kind '" + name + "'; known: " + String.join(", ", pairableKinds())));
        if (!pairableKinds().contains(kind.wireName())) {
            throw new IllegalArgumentException("--" + option + ": " + name + " cannot be paired counterfactually (the "
                    + "observation is not the whole state); valid kinds: " + String.join(", ", pairableKinds()));
        }
        return kind;
    }

    private static List<String> pairableKinds() {
        return Arrays.stream(PerturbationKind.values())
                .filter(k -> k != PerturbationKind.OBSERVATION_NOISE && k != PerturbationKind.ACTION_DELAY)
                .map(PerturbationKind::wireName).toList();
    }

    private static double value(String option, PerturbationKind kind, String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + ": the value of " + kind.wireName() + " is not a number: '" + text + "'");
        }
        try {
            DomainPhysics.neutral().with(kind, v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + option + ": " + e.getMessage(), e);
        }
        return v;
    }

    /** "gravity=1.0,gravity=1.5,thigh_length=2.0": a kind may appear with several values, a cell once. */
    static List<Cell> parseCells(String text) {
        List<Cell> cells = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException("--cells takes kind=factor pairs separated by commas (e.g. " + DEFAULT_CELLS
                        + "), got '" + part + "'");
            }
            PerturbationKind kind = pairableKind("cells", kv[0].trim());
            Cell cell = new Cell(kind, value("cells", kind, kv[1].trim()));
            if (cells.contains(cell)) {
                throw new IllegalArgumentException("--cells names " + cell.label() + " twice");
            }
            cells.add(cell);
        }
        return cells;
    }

    /** "gravity=1.0:1.5@6000,body_mass=1.0:1.3@6000". */
    static List<Drift> parseDrifts(String text, int every) {
        List<Drift> drifts = new ArrayList<>();
        int minAt = Math.max(2 * every, DriftDetector.Config.forDiscrepancies().referenceLength());
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([a-z_]+)=([^:@]+):([^:@]+)@(\\d+)\\s*").matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("--drift takes kind=from:to@step separated by commas (e.g. gravity=1.0:1.5@6000), got '"
                        + part + "'");
            }
            PerturbationKind kind = pairableKind("drift", m.group(1));
            double from = value("drift", kind, m.group(2));
            double to = value("drift", kind, m.group(3));
            long at;
            try {
                at = Long.parseLong(m.group(4));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--drift: the step of '" + part + "' is too large");
            }
            if (from == to) {
                throw new IllegalArgumentException("--drift: '" + part + "' changes nothing (from = to)");
            }
            if (at < minAt) {
                throw new IllegalArgumentException("--drift: the change of '" + part + "' must come at step " + minAt
                        + " or later (two probe rounds of --every and the per-transition detector's reference of "
                        + DriftDetector.Config.forDiscrepancies().referenceLength() + " transitions before it), got " + at);
            }
            drifts.add(new Drift(kind, from, to, at));
        }
        if (drifts.isEmpty()) {
            throw new IllegalArgumentException("--drift names no change");
        }
        return drifts;
    }

    // ---------------------------------------------------------------------------------------------- the fixed policy

    /** The scripted bounding gait, open loop: the fixed policy when no --policy is given. */
    private static final FixedPolicy GAIT = new FixedPolicy() {
        @Override
        public String describe() {
            return "the scripted gait (ScriptedGait, open loop; tuned in the nominal simulator)";
        }

        @Override
        public List<Double> returns(DomainPhysics physics, int episodes, long seed) {
            long[] seeds = new long[episodes];
            Arrays.setAll(seeds, i -> seed + i);
            double[] returns = new double[episodes];
            try (HalfCheetahEnv env = new HalfCheetahEnv(physics, seeds, 1)) {
                env.reset();
                for (int t = 0; t < HalfCheetahEnv.MAX_EPISODE_STEPS; t++) {
                    double[][] actions = new double[episodes][];
                    for (int i = 0; i < episodes; i++) {
                        actions[i] = ScriptedGait.action(t);
                    }
                    StepResult s = env.step(actions);
                    for (int i = 0; i < episodes; i++) {
                        returns[i] += s.rew()[i];
                    }
                }
            }
            return Arrays.stream(returns).boxed().toList();
        }
    };

    private static FixedPolicy snapshotPolicy(String file) {
        PolicySnapshot snapshot = PolicyFiles.read(Path.of(file), "--policy");
        return new FixedPolicy() {
            @Override
            public String describe() {
                return "policy " + file + " (v" + snapshot.version() + ", env step " + snapshot.envStep() + ", mean action)";
            }

            @Override
            public List<Double> returns(DomainPhysics physics, int episodes, long seed) {
                return PolicyReturns.evaluate(snapshot, physics, episodes, seed);
            }
        };
    }

    // ---------------------------------------------------------------------------------------------- cells

    private static Path cells(Settings s, String[] argv, PrintStream out) throws Exception {
        GapProbe probe = s.probe();
        out.printf("gap probe: %d cells x %d rounds, a probe every %d real transitions on the newest %d (%s, %d envs); probe %s%n",
                s.cells().size(), s.rounds(), s.every(), s.window(), s.behaviour().wireName(), s.envs(), s.probeText());
        long start = System.nanoTime();
        List<Round> rounds = new ArrayList<>();
        int total = s.cells().size() * s.rounds();
        for (Cell cell : s.cells()) {
            try (LiveStream sim = new LiveStream(DomainPhysics.neutral(), s.behaviour(), s.envs(), s.seed());
                 LiveStream real = new LiveStream(cell.physics(), s.behaviour(), s.envs(), s.seed() + 1000);
                 CounterfactualSim nominal = new CounterfactualSim()) {
                Transitions simWindow = null;
                Transitions realWindow = null;
                for (int r = 1; r <= s.rounds(); r++) {
                    simWindow = newest(simWindow, sim.next(s.every()), s.window());
                    realWindow = newest(realWindow, real.next(s.every()), s.window());
                    CounterfactualSim.Pairs pairs = nominal.pair(realWindow);
                    GapProbe.Result cf = probe.measure(pairs.sim(), pairs.real(), Pairing.COUNTERFACTUAL);
                    GapProbe.Result unpaired = probe.measure(simWindow, realWindow, Pairing.UNPAIRED);
                    double discrepancy = CounterfactualDiscrepancy.measure(pairs.real().obs(), pairs.real().nextObs(),
                            pairs.sim().nextObs()).mean();
                    DomainClassifiers.Config classifiers = DomainClassifiers.Config.defaults(s.seed() + r);
                    DomainClassifiers.Report cfClassifier = DomainClassifiers.train(TransitionRows.of(pairs.real()),
                            TransitionRows.of(pairs.sim()), classifiers).report();
                    DomainClassifiers.Report unpairedClassifier = DomainClassifiers.train(TransitionRows.of(realWindow),
                            TransitionRows.of(simWindow), classifiers).report();
                    rounds.add(new Round(cell, r, real.transitions(), cf, unpaired, discrepancy, cfClassifier, unpairedClassifier));
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    out.printf(Locale.ROOT, "[%2d/%d] %-18s round %d (%6d real)  G cf %.4f ± %.4f (floor %.4f)  unpaired %.4f ± %.4f "
                                    + "(floor %.4f)  disc %.3g  KL %.3f AUC %.3f  cpu %.1f+%.1f s  ETA %s%n",
                            rounds.size(), total, cell.label(), r, real.transitions(), cf.g(), cf.spread(), cf.floor(), unpaired.g(),
                            unpaired.spread(), unpaired.floor(), discrepancy, cfClassifier.klNats(), cfClassifier.auc(),
                            cf.cpuSeconds(), unpaired.cpuSeconds(), eta(elapsed, rounds.size(), total));
                }
            }
        }
        out.printf("returns of the fixed policy: %s, %d episodes per physics%n", s.policy().describe(), s.episodes());
        List<Double> simReturns = s.policy().returns(DomainPhysics.neutral(), s.episodes(), s.evalSeed());
        Map<Cell, List<Double>> cellReturns = new LinkedHashMap<>();
        for (Cell cell : s.cells()) {
            cellReturns.put(cell, s.policy().returns(cell.physics(), s.episodes(), s.evalSeed()));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        ReportFolder report = new ReportFolder(s.out(), "Gap probe beside an emulated live real stream");
        configuration(report, s, argv, seconds)
                .configuration("cells", String.join(", ", s.cells().stream().map(Cell::label).toList()))
                .configuration("streams", "per cell: a sim stream (nominal physics, seed " + s.seed() + ") and a real stream (the cell's "
                        + "physics, seed " + (s.seed() + 1000) + "), " + s.envs() + " parallel episodes each, behaviour "
                        + s.behaviour().wireName() + ", never reset between rounds; a probe round every " + s.every()
                        + " real transitions on the newest " + s.window() + " of each, " + s.rounds() + " rounds")
                .configuration("calibration", "counterfactual discrepancy (mean over the window's pairs, in units of the variance "
                        + "of the simulator's change); DARC classifiers (2 x 64, 20 epochs, 20% held out, seed " + s.seed()
                        + " + round) on counterfactual pairs and on the unpaired windows")
                .configuration("fixed policy", s.policy().describe() + ", " + s.episodes() + " episodes per physics, episode seeds "
                        + s.evalSeed() + " to " + (s.evalSeed() + s.episodes() - 1) + " in sim and in every cell");

        Table gap = gapTable(rounds, s.cells());
        report.table("gap", gap, "Per cell and pairing: G and its floor, mean over rounds; ± is the standard deviation over probe "
                + "seeds, averaged over rounds. G/floor in noise units: (G − floor) / hypot(spread, floor spread). Rounds > floor + 3σ: "
                + "how many rounds' G exceeded its own floor by 3 combined standard deviations.");
        Table stability = stabilityTable(rounds, s.cells());
        report.table("stability", stability, "Round-to-round change of G at fixed physics: the largest |G_r − G_(r−1)| over "
                + "consecutive rounds against max(10% of G, floor) (G and floor: the cell's means over rounds). The issue's check is "
                + "the neutral cell's.");
        Table ordering = orderingTable(rounds, s.cells());
        report.table("ordering", ordering, "Per kind, G by factor (the neutral cell is every kind's ×1.0): whether ×1.5 and ×2.0 "
                + "exceed floor + 3σ (σ = hypot of the mean spreads of G and floor) and whether G increases with the factor.");
        Table agreement = agreementTable(rounds, s.cells());
        report.table("pairing_agreement", agreement, "Spearman rank correlation over the cells of the two pairings' G (mean over rounds).");
        Table returns = returnsTable(rounds, s.cells(), simReturns, cellReturns);
        report.table("returns", returns, "The fixed policy's return (mean ± std over episodes) in sim and in each cell's physics, with "
                + "the same episode seeds; loss = sim − cell (mean). Beside it the gap measures of the cell, means over rounds.");
        Table calibration = calibrationTable(rounds, s.cells(), simReturns, cellReturns);
        report.table("calibration", calibration, "Spearman rank correlation over the cells of each measure with the fixed policy's "
                + "return loss (sim − cell), and with the size of the change in either direction (a gap measure has no sign); n/a "
                + "where either side is constant.");
        Table cpu = cpuTable(rounds);
        report.table("cpu", cpu, "CPU seconds of the probing thread per measurement (" + s.probeSeeds() + " seeds, each G and floor), "
                + "and wall seconds; the machine was shared, so wall time is longer than CPU time.");
        report.table("rounds", roundsTable(rounds), "Every round of every cell.");
        report.chart("gap_vs_factor", chart(rounds, s.cells()));
        java.nio.file.Path readme = report.write();
        out.printf("done in %.0f s%n%n%s%n%s%n%s%n%s%n%s%n%s%nreport: %s%n", seconds, gap.toMarkdown(), stability.toMarkdown(),
                ordering.toMarkdown(), agreement.toMarkdown(), calibration.toMarkdown(), cpu.toMarkdown(), readme);
        return readme;
    }

    private static ReportFolder configuration(ReportFolder report, Settings s, String[] argv, double seconds) {
        return report.configuration("command", "bin/sim2real gap-probe " + String.join(" ", argv))
                .configuration("probe", s.probeText())
                .configuration("wall time", String.format(Locale.ROOT, "%.0f s on %d cores (shared with other work)", seconds,
                        Runtime.getRuntime().availableProcessors()));
    }

    /** The newest {@code window} rows of {@code kept} followed by {@code fresh}. */
    static Transitions newest(Transitions kept, Transitions fresh, int window) {
        Transitions all = kept == null ? fresh : kept.concat(fresh);
        int n = all.size();
        if (n <= window) {
            return all;
        }
        return new Transitions(Arrays.copyOfRange(all.obs(), n - window, n), Arrays.copyOfRange(all.act(), n - window, n),
                Arrays.copyOfRange(all.rew(), n - window, n), Arrays.copyOfRange(all.nextObs(), n - window, n));
    }

    private static List<Round> of(List<Round> rounds, Cell cell) {
        return rounds.stream().filter(r -> r.cell().equals(cell)).toList();
    }

    private static double mean(List<Round> rounds, ToDoubleFunction<Round> f) {
        return rounds.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static List<Double> values(List<Round> rounds, ToDoubleFunction<Round> f) {
        return rounds.stream().map(r -> f.applyAsDouble(r)).toList();
    }

    /** A cell's pairing summarised over rounds. */
    private record Summary(double g, double spread, double floor, double floorSpread, double roundStd, int above3) {
        double sigma() {
            return Math.hypot(spread, floorSpread);
        }

        boolean exceeds(double sigmas) {
            return g > floor + sigmas * sigma();
        }
    }

    private static Summary summary(List<Round> rounds, Pairing p) {
        return new Summary(mean(rounds, r -> r.of(p).g()), mean(rounds, r -> r.of(p).spread()), mean(rounds, r -> r.of(p).floor()),
                mean(rounds, r -> r.of(p).floorSpread()), Stats.std(values(rounds, r -> r.of(p).g())),
                (int) rounds.stream().filter(r -> r.of(p).exceedsFloor(3)).count());
    }

    private static Table gapTable(List<Round> rounds, List<Cell> cells) {
        Table t = new Table("G and its noise floor per cell and pairing", List.of("cell", "pairing", "G ± spread", "floor ± spread",
                "(G − floor) / σ", "rounds > floor + 3σ", "std of G over rounds"));
        for (Cell cell : cells) {
            for (Pairing p : Pairing.values()) {
                Summary m = summary(of(rounds, cell), p);
                t.add(List.of(cell.label(), p.wireName(), pm(m.g(), m.spread(), 4), pm(m.floor(), m.floorSpread(), 4),
                        f((m.g() - m.floor()) / m.sigma(), 1), m.above3() + "/" + of(rounds, cell).size(), f(m.roundStd(), 4)));
            }
        }
        return t;
    }

    private static Table stabilityTable(List<Round> rounds, List<Cell> cells) {
        Table t = new Table("Round-to-round change of G at fixed physics", List.of("cell", "pairing", "G per round",
                "largest |ΔG|", "max(10% G, floor)", "holds"));
        for (Cell cell : cells) {
            List<Round> here = of(rounds, cell);
            for (Pairing p : Pairing.values()) {
                List<Double> g = values(here, r -> r.of(p).g());
                double largest = 0;
                for (int i = 1; i < g.size(); i++) {
                    largest = Math.max(largest, Math.abs(g.get(i) - g.get(i - 1)));
                }
                Summary m = summary(here, p);
                double bound = Math.max(0.1 * m.g(), m.floor());
                t.add(List.of(cell.label() + (cell.neutral() ? " (fixed physics, the issue's check)" : ""), p.wireName(),
                        String.join(", ", g.stream().map(v -> f(v, 4)).toList()), f(largest, 4), f(bound, 4),
                        largest <= bound ? "yes" : "no"));
            }
        }
        return t;
    }

    private static Table orderingTable(List<Round> rounds, List<Cell> cells) {
        Table t = new Table("Ordering by factor", List.of("kind", "pairing", "G by factor (floor + 3σ)", "×1.5 > floor + 3σ",
                "×2.0 > floor + 3σ", "increases with the factor"));
        Cell neutral = cells.stream().filter(Cell::neutral).findFirst().orElse(null);
        List<PerturbationKind> kinds = cells.stream().filter(c -> !c.neutral()).map(Cell::kind).distinct().toList();
        for (PerturbationKind kind : kinds) {
            List<Cell> series = new ArrayList<>();
            if (neutral != null) {
                series.add(neutral);
            }
            cells.stream().filter(c -> c.kind() == kind && !c.neutral()).sorted(java.util.Comparator.comparingDouble(Cell::factor))
                    .forEach(series::add);
            for (Pairing p : Pairing.values()) {
                List<String> parts = new ArrayList<>();
                List<Double> g = new ArrayList<>();
                for (Cell c : series) {
                    Summary m = summary(of(rounds, c), p);
                    g.add(m.g());
                    parts.add("×" + (c.neutral() ? kind.neutral() : c.factor()) + ": " + f(m.g(), 4) + " (" + f(m.floor() + 3 * m.sigma(), 4) + ")");
                }
                boolean increasing = true;
                for (int i = 1; i < g.size(); i++) {
                    increasing &= g.get(i) > g.get(i - 1);
                }
                t.add(List.of(kind.wireName(), p.wireName(), String.join(", ", parts), exceeds(rounds, series, 1.5, p),
                        exceeds(rounds, series, 2.0, p), series.size() < 2 ? "–" : increasing ? "yes" : "no"));
            }
        }
        return t;
    }

    private static String exceeds(List<Round> rounds, List<Cell> series, double factor, Pairing p) {
        for (Cell c : series) {
            if (!c.neutral() && c.factor() == factor) {
                Summary m = summary(of(rounds, c), p);
                return (m.exceeds(3) ? "yes" : "no") + " (" + f((m.g() - m.floor()) / m.sigma(), 1) + " σ)";
            }
        }
        return "–";
    }

    private static double[] perCell(List<Round> rounds, List<Cell> cells, ToDoubleFunction<Round> f) {
        return cells.stream().mapToDouble(c -> mean(of(rounds, c), f)).toArray();
    }

    private static String rho(double[] x, double[] y) {
        if (x.length < 2) {
            return "n/a";
        }
        double r = RankCorrelation.spearman(x, y);
        return Double.isNaN(r) ? "n/a" : f(r, 3);
    }

    private static Table agreementTable(List<Round> rounds, List<Cell> cells) {
        double[] cf = perCell(rounds, cells, r -> r.counterfactual().g());
        double[] unpaired = perCell(rounds, cells, r -> r.unpaired().g());
        Table t = new Table("Do the two pairings rank the cells the same?", List.of("cells", "counterfactual ranks",
                "unpaired ranks", "Spearman ρ"));
        t.add(List.of(String.valueOf(cells.size()), ranks(cf), ranks(unpaired), rho(cf, unpaired)));
        return t;
    }

    private static String ranks(double[] v) {
        return String.join(" ", Arrays.stream(RankCorrelation.averageRanks(v)).mapToObj(Numbers::count).toList());
    }

    /** The measures calibrated against the return loss, by name. */
    private static Map<String, ToDoubleFunction<Round>> measures() {
        Map<String, ToDoubleFunction<Round>> m = new LinkedHashMap<>();
        m.put("G counterfactual", r -> r.counterfactual().g());
        m.put("G unpaired", r -> r.unpaired().g());
        m.put("counterfactual discrepancy", Round::discrepancy);
        m.put("classifier KL, counterfactual (nats)", r -> r.cfClassifier().klNats());
        m.put("classifier AUC, counterfactual", r -> r.cfClassifier().auc());
        m.put("classifier KL, unpaired (nats)", r -> r.unpairedClassifier().klNats());
        m.put("classifier AUC, unpaired", r -> r.unpairedClassifier().auc());
        return m;
    }

    private static double[] losses(List<Cell> cells, List<Double> sim, Map<Cell, List<Double>> real) {
        return cells.stream().mapToDouble(c -> Stats.mean(sim) - Stats.mean(real.get(c))).toArray();
    }

    private static Table returnsTable(List<Round> rounds, List<Cell> cells, List<Double> sim, Map<Cell, List<Double>> real) {
        List<String> header = new ArrayList<>(List.of("cell", "return in sim", "return in the cell", "loss"));
        header.addAll(measures().keySet());
        Table t = new Table("Return loss of the fixed policy and the gap measures per cell", header);
        double[] loss = losses(cells, sim, real);
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            List<String> row = new ArrayList<>(List.of(c.label(), Stats.format(sim, 1), Stats.format(real.get(c), 1), f(loss[i], 1)));
            measures().values().forEach(m -> row.add(f(mean(of(rounds, c), m), 4)));
            t.add(row);
        }
        return t;
    }

    private static Table calibrationTable(List<Round> rounds, List<Cell> cells, List<Double> sim, Map<Cell, List<Double>> real) {
        double[] loss = losses(cells, sim, real);
        double[] change = Arrays.stream(loss).map(Math::abs).toArray();
        Table t = new Table("Rank correlation with the return loss", List.of("measure", "Spearman ρ with the return loss",
                "Spearman ρ with |return change|"));
        measures().forEach((name, m) -> t.add(List.of(name, rho(perCell(rounds, cells, m), loss), rho(perCell(rounds, cells, m), change))));
        return t;
    }

    private static Table cpuTable(List<Round> rounds) {
        Table t = new Table("CPU per probe measurement", List.of("pairing", "measurements", "real rows", "CPU s (mean ± std)",
                "CPU s (max)", "wall s (mean)"));
        for (Pairing p : Pairing.values()) {
            List<Double> cpu = values(rounds, r -> r.of(p).cpuSeconds());
            t.add(List.of(p.wireName(), String.valueOf(rounds.size()), f(mean(rounds, r -> r.of(p).rows()), 0), Stats.format(cpu, 2),
                    f(cpu.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), 2),
                    f(mean(rounds, r -> r.of(p).wallSeconds()), 2)));
        }
        return t;
    }

    private static Table roundsTable(List<Round> rounds) {
        Table t = new Table("Every round", List.of("cell", "round", "real transitions", "G cf", "spread cf", "floor cf",
                "floor spread cf", "G unpaired", "spread unpaired", "floor unpaired", "floor spread unpaired", "discrepancy",
                "KL cf", "AUC cf", "KL unpaired", "AUC unpaired", "CPU s cf", "CPU s unpaired"));
        for (Round r : rounds) {
            GapProbe.Result c = r.counterfactual();
            GapProbe.Result u = r.unpaired();
            t.add(List.of(r.cell().label(), String.valueOf(r.round()), String.valueOf(r.realTransitions()), f(c.g(), 5), f(c.spread(), 5),
                    f(c.floor(), 5), f(c.floorSpread(), 5), f(u.g(), 5), f(u.spread(), 5), f(u.floor(), 5), f(u.floorSpread(), 5),
                    String.format(Locale.ROOT, "%.4g", r.discrepancy()), f(r.cfClassifier().klNats(), 4), f(r.cfClassifier().auc(), 4),
                    f(r.unpairedClassifier().klNats(), 4), f(r.unpairedClassifier().auc(), 4), f(c.cpuSeconds(), 2), f(u.cpuSeconds(), 2)));
        }
        return t;
    }

    private static LineChart chart(List<Round> rounds, List<Cell> cells) {
        LineChart chart = new LineChart("Gap probe G and its noise floor against the factor", "factor", "G (probe units)");
        Cell neutral = cells.stream().filter(Cell::neutral).findFirst().orElse(null);
        for (Cell c : cells) {
            List<PerturbationKind> kinds = c.neutral()
                    ? cells.stream().filter(x -> !x.neutral()).map(Cell::kind).distinct().toList() : List.of(c.kind());
            for (PerturbationKind kind : kinds) {
                double x = c.neutral() ? kind.neutral() : c.factor();
                for (Pairing p : Pairing.values()) {
                    Summary m = summary(of(rounds, c), p);
                    chart.point(kind.wireName() + " G " + p.wireName(), x, m.g());
                    chart.point(kind.wireName() + " floor " + p.wireName(), x, m.floor());
                }
            }
        }
        if (neutral == null && cells.isEmpty()) {
            chart.point("none", 0, 0);
        }
        return chart;
    }

    // ---------------------------------------------------------------------------------------------- drift

    /** One probe round of a drift stream. */
    private record DriftRound(int round, long realTransitions, boolean afterChange, GapProbe.Result g, double discrepancy) {
    }

    /** What the detectors said on one drift stream. */
    private record DriftResult(Drift drift, List<DriftRound> rounds, long changeIndex, long transitionAlarm,
                               int transitionFalseAlarms, int seriesReference, double seriesScale, int seriesAlarmRound,
                               int seriesFalseAlarms) {
    }

    /** Alarms over a stream of fixed physics. */
    private record Stationary(String physics, long transitions, int transitionAlarms, int rounds, int seriesReference,
                              int seriesAlarms, List<Double> g) {
    }

    private static Path drifts(Settings s, String[] argv, PrintStream out) throws Exception {
        GapProbe probe = s.probe();
        out.printf("gap probe drift: %d changes, %d rounds each of %d real transitions (%s, %d envs); probe %s%n",
                s.drifts().size(), s.driftRounds(), s.every(), s.behaviour().wireName(), s.envs(), s.probeText());
        long start = System.nanoTime();
        List<DriftResult> results = new ArrayList<>();
        List<Stationary> stationary = new ArrayList<>();
        for (Drift drift : s.drifts()) {
            results.add(drift(s, probe, drift, out));
            if (s.stationarySteps() > 0 || s.stationaryRounds() > 0) {
                for (double v : new double[] {drift.from(), drift.to()}) {
                    DomainPhysics physics = DomainPhysics.neutral().with(drift.kind(), v);
                    if (stationary.stream().noneMatch(x -> x.physics().equals(physics.toString()))) {
                        stationary.add(stationary(s, probe, physics, out));
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ReportFolder report = new ReportFolder(s.out(), "Gap probe and drift detectors on a real stream whose physics change");
        DriftDetector.Config perTransition = DriftDetector.Config.forDiscrepancies();
        configuration(report, s, argv, seconds)
                .configuration("streams", "a real stream of " + s.envs() + " parallel episodes (seed " + (s.seed() + 1000) + "), behaviour "
                        + s.behaviour().wireName() + ", episodes continuing across the change from the states they are in; "
                        + s.driftRounds() + " probe rounds of " + s.every() + " transitions (counterfactual pairing, each round's "
                        + "own window)")
                .configuration("per-transition detector", "DriftDetector.Config.forDiscrepancies(): reference "
                        + perTransition.referenceLength() + " transitions, blocks of " + perTransition.blockSize() + ", log(x + "
                        + perTransition.floor() + "), k = " + perTransition.k() + ", h = " + perTransition.h() + ", σ ≥ "
                        + perTransition.minScale() + "; fed the counterfactual discrepancy of every transition in stream order, "
                        + "its variances fixed from the first window's simulated changes; rearmed after each false alarm")
                .configuration("G series detector", "DriftDetector.Config.forSeries(rounds before the change, σ ≥ the mean "
                        + "seed spread of those rounds' G): k = 1, h = 6")
                .configuration("stationary streams", s.stationarySteps() + " transitions per physics for the per-transition "
                        + "detector (72,000 = one hour of a 20 Hz robot), " + s.stationaryRounds() + " probe rounds for the G series");
        Table delays = new Table("Detection delay after a change of the physics", List.of("change", "per-transition alarm at",
                "delay (transitions)", "false alarms before the change", "G per round (cf; * after the change)",
                "G series reference (rounds, σ)", "G alarm round", "delay (probe rounds)", "delay (transitions, to the end of the alarm round)"));
        for (DriftResult r : results) {
            int firstAfter = r.rounds().stream().filter(DriftRound::afterChange).mapToInt(DriftRound::round).min().orElse(-1);
            long alarmEnd = r.seriesAlarmRound() < 0 ? -1 : r.rounds().get(r.seriesAlarmRound() - 1).realTransitions();
            delays.add(List.of(r.drift().label(), r.transitionAlarm() < 0 ? "none" : String.valueOf(r.transitionAlarm()),
                    r.transitionAlarm() < 0 ? "not detected" : String.valueOf(r.transitionAlarm() - r.changeIndex()),
                    String.valueOf(r.transitionFalseAlarms()),
                    String.join(", ", r.rounds().stream().map(x -> f(x.g().g(), 4) + (x.afterChange() ? "*" : "")).toList()),
                    r.seriesReference() + ", " + f(r.seriesScale(), 4),
                    r.seriesAlarmRound() < 0 ? "none" : String.valueOf(r.seriesAlarmRound()),
                    r.seriesAlarmRound() < 0 ? "not detected" : String.valueOf(r.seriesAlarmRound() - firstAfter + 1),
                    alarmEnd < 0 ? "not detected" : String.valueOf(alarmEnd - r.drift().at())));
        }
        report.table("drift", delays, "Per-transition: the index of the discrepancy that raised the first alarm after the change "
                + "minus the index of the first changed transition. G series: the round whose G raised the alarm, counting the first "
                + "round with changed data as 1; false alarms before the change, if any, are rearmed and counted.");
        Table fa = new Table("False alarms on streams of fixed physics", List.of("physics", "transitions", "per-transition alarms",
                "per hour at 20 Hz", "probe rounds", "G series reference", "G series alarms", "G per round (cf)"));
        for (Stationary st : stationary) {
            fa.add(List.of(st.physics(), String.valueOf(st.transitions()), String.valueOf(st.transitionAlarms()),
                    st.transitions() == 0 ? "–" : f(st.transitionAlarms() * 72_000.0 / st.transitions(), 2),
                    String.valueOf(st.rounds()), String.valueOf(st.seriesReference()), st.rounds() == 0 ? "–" : String.valueOf(st.seriesAlarms()),
                    String.join(", ", st.g().stream().map(v -> f(v, 4)).toList())));
        }
        report.table("false_alarms", fa, "Each detector rearmed after every alarm (reference kept); the G series detector's reference "
                + "is the stream's first rounds, as many as before the change in the drift runs.");
        Table rounds = new Table("Every drift round", List.of("change", "round", "real transitions", "after the change", "G cf",
                "spread", "floor", "floor spread", "discrepancy", "CPU s"));
        for (DriftResult r : results) {
            for (DriftRound x : r.rounds()) {
                rounds.add(List.of(r.drift().label(), String.valueOf(x.round()), String.valueOf(x.realTransitions()),
                        x.afterChange() ? "yes" : "no", f(x.g().g(), 5), f(x.g().spread(), 5), f(x.g().floor(), 5),
                        f(x.g().floorSpread(), 5), String.format(Locale.ROOT, "%.4g", x.discrepancy()), f(x.g().cpuSeconds(), 2)));
            }
        }
        report.table("drift_rounds", rounds, "");
        LineChart chart = new LineChart("G per probe round across the change", "real transitions", "G (probe units)");
        for (DriftResult r : results) {
            r.rounds().forEach(x -> chart.point(r.drift().label() + " G", x.realTransitions(), x.g().g()));
            r.rounds().forEach(x -> chart.point(r.drift().label() + " floor", x.realTransitions(), x.g().floor()));
        }
        report.chart("gap_across_change", chart);
        Path readme = report.write();
        out.printf("done in %.0f s%n%n%s%n%s%nreport: %s%n", seconds, delays.toMarkdown(), fa.toMarkdown(), readme);
        return readme;
    }

    private static DriftResult drift(Settings s, GapProbe probe, Drift drift, PrintStream out) {
        DriftDetector detector = new DriftDetector(DriftDetector.Config.forDiscrepancies());
        List<DriftRound> rounds = new ArrayList<>();
        long changeIndex = -1;
        long alarm = -1;
        int falseAlarms = 0;
        CounterfactualDiscrepancy units = null;
        try (LiveStream real = new LiveStream(DomainPhysics.neutral().with(drift.kind(), drift.from()), s.behaviour(), s.envs(),
                s.seed() + 1000); CounterfactualSim nominal = new CounterfactualSim()) {
            boolean switched = false;
            for (int r = 1; r <= s.driftRounds(); r++) {
                long before = real.transitions();
                List<Transitions> parts = new ArrayList<>();
                if (before < drift.at() && before + s.every() > drift.at()) {
                    parts.add(real.next((int) (drift.at() - before)));
                    real.switchTo(DomainPhysics.neutral().with(drift.kind(), drift.to()));
                    switched = true;
                    parts.add(real.next((int) (before + s.every() - drift.at())));
                } else {
                    parts.add(real.next(s.every()));
                }
                boolean after = false;
                CounterfactualSim.Pairs pairs = null;
                List<Double> discrepancies = new ArrayList<>();
                for (int k = 0; k < parts.size(); k++) {
                    boolean changed = switched && (parts.size() == 1 || k == 1);
                    CounterfactualSim.Pairs part = nominal.pair(parts.get(k));
                    if (units == null) {
                        units = CounterfactualDiscrepancy.fromChanges(part.sim().obs(), part.sim().nextObs());
                    }
                    if (changed && changeIndex < 0) {
                        changeIndex = detector.observed();
                    }
                    after |= changed;
                    for (double d : units.measure(part.real().nextObs(), part.sim().nextObs()).perRow()) {
                        discrepancies.add(d);
                        if (detector.observe(d) && alarm < 0) {
                            if (changeIndex < 0) {
                                falseAlarms++;
                                detector.rearm();
                            } else {
                                alarm = detector.alarmAt();
                            }
                        }
                    }
                    pairs = pairs == null ? part : new CounterfactualSim.Pairs(pairs.real().concat(part.real()),
                            pairs.sim().concat(part.sim()));
                }
                if (!switched && real.transitions() == drift.at()) {
                    real.switchTo(DomainPhysics.neutral().with(drift.kind(), drift.to()));
                    switched = true;
                }
                double[] d = discrepancies.stream().mapToDouble(Double::doubleValue).toArray();
                GapProbe.Result g = probe.measure(pairs.sim(), pairs.real(), Pairing.COUNTERFACTUAL);
                double mean = Arrays.stream(d).average().orElse(Double.NaN);
                rounds.add(new DriftRound(r, real.transitions(), after, g, mean));
                out.printf(Locale.ROOT, "%s round %d (%6d real%s)  G cf %.4f ± %.4f (floor %.4f)  disc %.3g  per-transition alarm %s  cpu %.1f s%n",
                        drift.label(), r, real.transitions(), after ? ", changed" : "", g.g(), g.spread(), g.floor(), mean,
                        alarm < 0 ? "none" : "at " + alarm, g.cpuSeconds());
            }
        }
        int reference = (int) (drift.at() / s.every());
        List<DriftRound> referenceRounds = rounds.subList(0, reference);
        double scale = Math.max(1e-9, referenceRounds.stream().mapToDouble(x -> x.g().spread()).average().orElse(0));
        DriftDetector series = new DriftDetector(DriftDetector.Config.forSeries(reference, scale));
        int seriesAlarm = -1;
        int seriesFalse = 0;
        for (DriftRound x : rounds) {
            if (series.observe(x.g().g()) && seriesAlarm < 0) {
                if (x.afterChange()) {
                    seriesAlarm = x.round();
                } else {
                    seriesFalse++;
                    series.rearm();
                }
            }
        }
        return new DriftResult(drift, rounds, changeIndex, alarm, falseAlarms, reference, scale, seriesAlarm, seriesFalse);
    }

    private static Stationary stationary(Settings s, GapProbe probe, DomainPhysics physics, PrintStream out) {
        DriftDetector detector = new DriftDetector(DriftDetector.Config.forDiscrepancies());
        int alarms = 0;
        List<Double> g = new ArrayList<>();
        List<Double> spreads = new ArrayList<>();
        long steps = Math.max(s.stationarySteps(), (long) s.stationaryRounds() * s.every());
        CounterfactualDiscrepancy units = null;
        try (LiveStream real = new LiveStream(physics, s.behaviour(), s.envs(), s.seed() + 2000);
             CounterfactualSim nominal = new CounterfactualSim()) {
            int round = 0;
            while (real.transitions() < steps) {
                CounterfactualSim.Pairs pairs = nominal.pair(real.next(s.every()));
                if (units == null) {
                    units = CounterfactualDiscrepancy.fromChanges(pairs.sim().obs(), pairs.sim().nextObs());
                }
                if (real.transitions() <= s.stationarySteps()) {
                    for (double d : units.measure(pairs.real().nextObs(), pairs.sim().nextObs()).perRow()) {
                        if (detector.observe(d)) {
                            alarms++;
                            detector.rearm();
                        }
                    }
                }
                if (round < s.stationaryRounds()) {
                    GapProbe.Result r = probe.measure(pairs.sim(), pairs.real(), Pairing.COUNTERFACTUAL);
                    g.add(r.g());
                    spreads.add(r.spread());
                    out.printf(Locale.ROOT, "stationary %s round %d: G cf %.4f ± %.4f (floor %.4f)  cpu %.1f s%n", physics, round + 1,
                            r.g(), r.spread(), r.floor(), r.cpuSeconds());
                }
                round++;
            }
        }
        long transitions = Math.min(steps, s.stationarySteps());
        out.printf("stationary %s: %d per-transition alarms over %d transitions%n", physics, alarms, transitions);
        int reference = Math.max(2, (int) (s.drifts().get(0).at() / s.every()));
        int seriesAlarms = 0;
        if (g.size() > reference) {
            double scale = Math.max(1e-9, Stats.mean(spreads.subList(0, reference)));
            DriftDetector series = new DriftDetector(DriftDetector.Config.forSeries(reference, scale));
            for (double v : g) {
                if (series.observe(v)) {
                    seriesAlarms++;
                    series.rearm();
                }
            }
        }
        return new Stationary(physics.toString(), transitions, alarms, g.size(), reference, seriesAlarms, g);
    }

    // ---------------------------------------------------------------------------------------------- formatting

    private static String eta(double elapsed, int done, int total) {
        long left = Math.round(elapsed / done * (total - done));
        return left / 60 + "m" + String.format(Locale.ROOT, "%02d", left % 60) + "s";
    }

    private static String pm(double mean, double spread, int decimals) {
        return f(mean, decimals) + " ± " + f(spread, decimals);
    }

    private static String f(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}

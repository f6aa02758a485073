package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import io.sim2real.replay.TransitionStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code sim2real train}: MBPO (or SAC alone) on HalfCheetah in one process, in lockstep: every environment step
 * is followed by its G policy updates, the model is retrained every {@code model-every} steps and branched
 * rollouts of length 1 (HalfCheetah's schedule) refill the model buffer. The nn core is the services' own; this
 * is the reproducible reference of the loop they run asynchronously over Kafka. Evaluates the deterministic
 * policy in sim every {@code eval-every} steps, and at the end in sim and under each perturbation (the paper's
 * Table 1 shape); saves the policy as a PolicySnapshot (JSON) that env-service and the services accept.
 */
public final class MbpoTraining {

    static final Set<String> OPTIONS = Set.of("method", "env-steps", "updates-per-step", "initial-steps", "model-every",
            "rollouts-per-step", "real-ratio", "eval-every", "eval-episodes", "seed", "members", "elites", "hidden",
            "max-epochs", "factors", "kinds", "out");

    private MbpoTraining() {
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        String method = args.text("method", "mbpo");
        if (!method.equals("mbpo") && !method.equals("sac")) {
            throw new IllegalArgumentException("--method must be mbpo or sac, got '" + method + "'");
        }
        boolean useModel = method.equals("mbpo");
        int envSteps = args.integer("env-steps", 30000);
        int g = args.integer("updates-per-step", 20);
        int initial = args.integer("initial-steps", 5000);
        int modelEvery = args.integer("model-every", 250);
        int rolloutsPerStep = args.integer("rollouts-per-step", 400);
        double realRatio = Double.parseDouble(args.text("real-ratio", "0.05"));
        int evalEvery = args.integer("eval-every", 2500);
        int evalEpisodes = args.integer("eval-episodes", 3);
        long seed = args.integer("seed", 1);
        int members = args.integer("members", 7);
        EnsembleConfig ensemble = EnsembleConfig.mbpo(seed).withSize(members, args.integer("elites", Math.min(5, members)),
                args.integers("hidden", "200,200,200,200")).withEpochs(args.integer("max-epochs", 1000));
        List<String> kinds = args.list("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.numbers("factors", "1.5,2.0");
        Path outDir = Path.of(args.text("out", "reports/train-" + method + "-" + java.time.LocalDateTime.now().withNano(0)
                .toString().replace(":", "")));
        if (initial < 1 || initial > envSteps || g < 0 || modelEvery < 1) {
            throw new IllegalArgumentException("need 1 <= --initial-steps <= --env-steps, --updates-per-step >= 0, --model-every >= 1");
        }
        Files.createDirectories(outDir);

        out.printf("train %s: %d env steps (%d random first), G = %d updates per step, seed %d%s%n", method, envSteps, initial,
                g, seed, useModel ? String.format(Locale.ROOT, ", model every %d steps, %d rollouts per step, real ratio %.2f",
                        modelEvery, rolloutsPerStep, realRatio) : "");
        SplittableRandom random = new SplittableRandom(seed);
        SacConfig sacConfig = SacConfig.standard(17, 6, seed);
        Sac sac = new Sac(sacConfig);
        DynamicsModel model = useModel ? new DynamicsModel(17, 6, ensemble) : null;
        TransitionStore envData = new TransitionStore(envSteps);
        TransitionStore modelData = new TransitionStore(Math.max(1, rolloutsPerStep * modelEvery));
        Table curve = new Table("Learning curve (deterministic policy, sim)", List.of("env step", "return", "episodes",
                "updates", "model hold-out MSE", "minutes"));
        LineChart curveChart = new LineChart("Return against environment steps", "env steps", "return");
        long start = System.nanoTime();
        long updates = 0;
        double holdout = Double.NaN;
        ActorRunner behaviour = null;
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), 1, 1, seed)) {
            double[][] obs = env.reset();
            for (int t = 1; t <= envSteps; t++) {
                double[][] act;
                if (t <= initial) {
                    act = new double[][] {Behaviour.RANDOM.action(t, random)};
                } else {
                    if (behaviour == null || t % 50 == 0) {
                        behaviour = new ActorRunner(snapshot(sac, updates));
                    }
                    act = behaviour.act(obs, false, random);
                }
                StepResult s = env.step(act);
                if (!s.unstable()[0]) {
                    envData.add(new TransitionBatch(SchemaVersion.CURRENT, "train", Domain.SIM, "train", updates,
                            s.episodeIds(), s.stepIndices(), s.obs(), s.act(), s.rew(), s.nextObs(), new boolean[1], s.truncated()));
                }
                obs = env.observations();
                if (t >= initial) {
                    if (useModel && (t == initial || t % modelEvery == 0)) {
                        holdout = modelRound(model, envData, modelData, sac, updates, rolloutsPerStep * modelEvery, random);
                    }
                    for (int u = 0; u < g; u++) {
                        TransitionStore.Sample batch = batch(envData, useModel ? modelData : null, realRatio,
                                sacConfig.batchSize(), random);
                        sac.update(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done(), sacConfig.batchSize());
                        updates++;
                    }
                }
                if (t % evalEvery == 0 || t == envSteps) {
                    PolicySnapshot now = snapshot(sac, updates);
                    List<Double> returns = evaluate(now, DomainPhysics.neutral(), evalEpisodes, 10_000 + t);
                    // Every evaluated policy is kept: behaviour policies of known quality for datasets (medium = about a
                    // third of the final return).
                    Files.createDirectories(outDir.resolve("policies"));
                    Files.write(outDir.resolve("policies").resolve("step-" + t + ".json"), Codecs.POLICY_SNAPSHOT.encode(now));
                    double minutes = (System.nanoTime() - start) / 6e10;
                    curve.add(List.of(String.valueOf(t), Stats.format(returns, 1), String.valueOf(returns.size()),
                            String.valueOf(updates), String.format(Locale.ROOT, "%.4f", holdout),
                            String.format(Locale.ROOT, "%.1f", minutes)));
                    curveChart.point(method, t, Stats.mean(returns));
                    Files.writeString(outDir.resolve("learning_curve.csv"), curve.toCsv());
                    out.printf("step %6d  return %s  updates %d  alpha %.3f  model MSE %.4f  %.1f min%n", t,
                            Stats.format(returns, 1), updates, sac.alpha(), holdout, minutes);
                }
            }
        }
        PolicySnapshot policy = snapshot(sac, updates);
        Files.write(outDir.resolve("policy.json"), Codecs.POLICY_SNAPSHOT.encode(policy));

        List<String> header = new ArrayList<>(List.of("perturbation"));
        header.add("×1.0");
        for (double f : factors) {
            header.add("×" + f);
        }
        Table transfer = new Table("Return of the sim-trained policy under each perturbation", header);
        for (String kind : kinds) {
            List<String> row = new ArrayList<>(List.of(kind));
            row.add(Stats.format(evaluate(policy, DomainPhysics.neutral(), evalEpisodes, 20_000), 1));
            for (double f : factors) {
                DomainPhysics physics = DomainPhysics.neutral().with(PerturbationKind.fromWire(kind).orElseThrow(), f);
                row.add(Stats.format(evaluate(policy, physics, evalEpisodes, 20_000), 1));
            }
            transfer.add(row);
        }
        double minutes = (System.nanoTime() - start) / 6e10;
        ReportFolder report = new ReportFolder(outDir, "Training: " + method + " on HalfCheetah, in-process lockstep");
        report.configuration("command", "bin/sim2real train " + String.join(" ", argv))
                .configuration("seed", seed)
                .configuration("budget", envSteps + " env steps, " + initial + " random first, G = " + g + ", " + updates + " SAC updates")
                .configuration("SAC", "256-256, lr 3e-4, gamma 0.99, tau 0.005, batch 256, target entropy -6")
                .configuration("model", useModel ? members + " members, hidden " + java.util.Arrays.toString(ensemble.hidden())
                        + ", retrained every " + modelEvery + " steps, " + rolloutsPerStep + " rollouts of length 1 per step, real ratio "
                        + realRatio : "none (SAC)")
                .configuration("evaluation", evalEpisodes + " episodes of the deterministic policy, seeds from 10000 + step; final table seeds 20000+")
                .configuration("wall time", String.format(Locale.ROOT, "%.1f min on %d cores", minutes,
                        Runtime.getRuntime().availableProcessors()));
        report.table("learning_curve", curve, "");
        report.chart("learning_curve", curveChart);
        report.table("transfer", transfer, "Mean ± std over " + evalEpisodes + " episodes of the final policy (its mean action).");
        report.text("The final policy: `policy.json`; the policy of every evaluation: `policies/step-<env step>.json` "
                + "(PolicySnapshots, as on sim2real.policies).\n");
        Path readme = report.write();
        out.printf("done in %.1f min%n%n%s%nreport: %s%n", minutes, transfer.toMarkdown(), readme);
        return readme;
    }

    private static PolicySnapshot snapshot(Sac sac, long version) {
        return PolicySnapshots.toSnapshot(sac.actor(), 17, new int[] {256, 256}, "train", version, 0);
    }

    /** Retrains the model on every env transition, then refills the model buffer with length-1 rollouts. */
    private static double modelRound(DynamicsModel model, TransitionStore envData, TransitionStore modelData, Sac sac,
                                     long version, int rollouts, SplittableRandom random) {
        TransitionStore.Snapshot data = envData.snapshot();
        DynamicsModel.TrainingReport report = model.train(data.obs(), data.act(), data.rew(), data.nextObs(), data.size());
        double[][] starts = envData.sampleObservations(rollouts, random);
        double[][] act = new ActorRunner(snapshot(sac, version)).act(starts, false, random);
        double[][] next = new double[rollouts][];
        double[] rew = new double[rollouts];
        model.step(starts, act, rollouts, false, random, next, rew);
        int kept = 0;
        int[] rows = new int[rollouts];
        for (int i = 0; i < rollouts; i++) {
            if (finite(next[i]) && Double.isFinite(rew[i])) {
                rows[kept++] = i;
            }
        }
        double[][] o = new double[kept][];
        double[][] a = new double[kept][];
        double[] r = new double[kept];
        double[][] o2 = new double[kept][];
        for (int k = 0; k < kept; k++) {
            o[k] = starts[rows[k]];
            a[k] = act[rows[k]];
            r[k] = rew[rows[k]];
            o2[k] = next[rows[k]];
        }
        modelData.add(new RolloutBatch(SchemaVersion.CURRENT, "train", version, version, false, Domain.SIM, o, a, r, o2,
                new boolean[kept]));
        return report.eliteHoldoutMse();
    }

    private static boolean finite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private static TransitionStore.Sample batch(TransitionStore env, TransitionStore model, double realRatio, int size,
                                                SplittableRandom random) {
        if (model == null || model.size() == 0) {
            return env.sample(size, random);
        }
        int fromEnv = (int) Math.round(size * realRatio);
        return env.sample(fromEnv, random).concat(model.sample(size - fromEnv, random));
    }

    /** Whole episodes of the policy's mean action; one env per episode, seeds from {@code seed}. */
    static List<Double> evaluate(PolicySnapshot policy, DomainPhysics physics, int episodes, long seed) {
        ActorRunner runner = new ActorRunner(policy);
        long[] seeds = new long[episodes];
        for (int i = 0; i < episodes; i++) {
            seeds[i] = seed + i;
        }
        double[] returns = new double[episodes];
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, seeds, 1)) {
            double[][] obs = env.reset();
            for (int t = 0; t < HalfCheetahEnv.MAX_EPISODE_STEPS; t++) {
                StepResult s = env.step(runner.act(obs, true, null));
                for (int i = 0; i < episodes; i++) {
                    returns[i] += s.rew()[i];
                }
                obs = env.observations();
            }
        }
        List<Double> out = new ArrayList<>();
        for (double r : returns) {
            out.add(r);
        }
        return out;
    }
}

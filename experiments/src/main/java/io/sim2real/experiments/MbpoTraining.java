package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.datasets.Dataset;
import io.sim2real.datasets.DatasetException;
import io.sim2real.datasets.DatasetReader;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.nn.latent.LatentConfig;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.nn.latent.Transitions;
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
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code sim2real train}: MBPO (or SAC alone), or a method that also trains on an offline real dataset (mbpo-mixed,
 * latent-sim-init, latent-real-init), on HalfCheetah in one process, in lockstep: every environment step is
 * followed by its G policy updates, a model round runs every {@code model-every} steps and branched rollouts of
 * length 1 (HalfCheetah's schedule) refill the model buffer. The nn core and the model rounds are the services'
 * own; this is the reproducible reference of the loop they run asynchronously over Kafka. After each round the
 * model is checked against MuJoCo from rollout start states of each domain (its rollout fidelity), which tells a
 * model that predicts badly from a method that fails for other reasons. Evaluates the deterministic policy in sim
 * (and the real physics) every
 * {@code eval-every} steps, and at the end in sim and under each perturbation (the paper's Table 1 shape); saves
 * the policy as a PolicySnapshot (JSON) that env-service and the services accept.
 */
public final class MbpoTraining {

    static final Set<String> OPTIONS = Set.of("method", "env-steps", "updates-per-step", "initial-steps", "model-every",
            "rollouts-per-step", "real-ratio", "eval-every", "eval-episodes", "seed", "members", "elites", "hidden",
            "max-epochs", "factors", "kinds", "out", "real-dataset", "joint-steps", "real-starts", "latent-rollouts", "train-sim-autoencoder");
    private static final Set<String> METHODS = Set.of("mbpo", "sac", "mbpo-mixed", "latent-sim-init", "latent-real-init");
    /** Rollout start states per domain and round at which the model is checked against MuJoCo. */
    private static final int FIDELITY_STATES = 500;

    private MbpoTraining() {
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        String method = args.text("method", "mbpo");
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("--method must be one of " + new java.util.TreeSet<>(METHODS) + ", got '" + method + "'");
        }
        boolean usesReal = !method.equals("mbpo") && !method.equals("sac");
        if (usesReal != args.has("real-dataset")) {
            throw new IllegalArgumentException(usesReal ? "--method " + method + " needs --real-dataset FILE (a .s2rds dataset of the real domain)"
                    : "--real-dataset is only for methods that train on real data (mbpo-mixed, latent-*)");
        }
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
        int jointSteps = args.integer("joint-steps", modelEvery);
        double realStarts = Double.parseDouble(args.text("real-starts", "0.5"));
        // As model-service trains the latent methods: the sim encoder and decoder kept the identity (docs/RESULTS.md).
        boolean trainSimAutoencoder = args.bool("train-sim-autoencoder", false);
        String latentRollouts = args.text("latent-rollouts", "sampled");
        if (!latentRollouts.equals("sampled") && !latentRollouts.equals("mean")) {
            throw new IllegalArgumentException("--latent-rollouts must be sampled or mean, got '" + latentRollouts + "'");
        }
        EnsembleConfig ensemble = EnsembleConfig.mbpo(seed).withSize(members, args.integer("elites", Math.min(5, members)),
                args.integers("hidden", "200,200,200,200")).withEpochs(args.integer("max-epochs", 1000));
        List<String> kinds = args.list("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.numbers("factors", "1.5,2.0");
        PolicyReturns.check(kinds, factors); // refused now, not after the training
        Path outDir = Path.of(args.text("out", ReportFolder.timestamped("train-" + method)));
        if (initial < 1 || initial > envSteps || g < 0 || modelEvery < 1 || jointSteps < 0 || !(realStarts >= 0 && realStarts <= 1)) {
            throw new IllegalArgumentException("need 1 <= --initial-steps <= --env-steps, --updates-per-step >= 0, --model-every >= 1, "
                    + "--joint-steps >= 0, 0 <= --real-starts <= 1");
        }
        Dataset realDataset = usesReal ? realDataset(Path.of(args.text("real-dataset", ""))) : null;
        DomainPhysics realPhysics = usesReal ? DomainPhysics.of(realDataset.header().physics()) : null;
        ModelRounds rounds = switch (method) {
            case "mbpo" -> new ModelRounds.Ensemble(ensemble, false);
            case "mbpo-mixed" -> new ModelRounds.Ensemble(ensemble, true);
            case "latent-sim-init", "latent-real-init" -> new ModelRounds.Latent(method.equals("latent-sim-init")
                    ? LatentModel.Init.SIM : LatentModel.Init.REAL, ensemble, LatentConfig.defaults(seed)
                    .withSimAutoencoderTrained(trainSimAutoencoder), jointSteps, realStarts,
                    latentRollouts.equals("sampled"));
            default -> null;
        };
        Files.createDirectories(outDir);

        out.printf("train %s: %d env steps (%d random first), G = %d updates per step, seed %d%s%s%n", method, envSteps, initial,
                g, seed, rounds != null ? String.format(Locale.ROOT, ", model every %d steps, %d rollouts per step, real ratio %.2f",
                        modelEvery, rolloutsPerStep, realRatio) : "",
                usesReal ? ", real data: " + realDataset + " " + realPhysics : "");
        SplittableRandom random = new SplittableRandom(seed);
        SacConfig sacConfig = SacConfig.standard(17, 6, seed);
        Sac sac = new Sac(sacConfig);
        TransitionStore simData = new TransitionStore(envSteps);
        TransitionStore realData = new TransitionStore(Math.max(1, usesReal ? realDataset.size() : 1));
        // SAC's environment share: every training domain's transitions, as policy-service keeps them.
        TransitionStore envData = new TransitionStore(envSteps + (usesReal ? realDataset.size() : 0));
        if (usesReal) {
            for (TransitionBatch b : realDataset.toBatches("train", "real-dataset", 1000)) {
                realData.add(b);
                envData.add(b);
            }
        }
        TransitionStore modelData = new TransitionStore(Math.max(1, rolloutsPerStep * modelEvery));
        Table curve = new Table("Learning curve (deterministic policy)", List.of("env step", "return sim",
                "return real", "episodes", "updates", "fidelity sim", "fidelity real", "sampled sim", "sampled real", "last model round", "minutes"));
        LineChart curveChart = new LineChart("Return against environment steps", "env steps", "return");
        long start = System.nanoTime();
        long updates = 0;
        double[] fidelity = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        String lastRound = "none";
        ActorRunner behaviour = null;
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), 1, 1, seed);
             HalfCheetahEnv simTruth = new HalfCheetahEnv(DomainPhysics.neutral(), FIDELITY_STATES, 1, seed);
             HalfCheetahEnv realTruth = usesReal ? new HalfCheetahEnv(realPhysics, FIDELITY_STATES, 1, seed) : null) {
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
                    TransitionBatch b = new TransitionBatch(SchemaVersion.CURRENT, "train", Domain.SIM, "train", updates,
                            s.episodeIds(), s.stepIndices(), s.obs(), s.act(), s.rew(), s.nextObs(), new boolean[1], s.truncated());
                    simData.add(b);
                    envData.add(b);
                }
                obs = env.observations();
                if (t >= initial) {
                    if (rounds != null && (t == initial || t % modelEvery == 0)) {
                        Transitions sim = transitions(simData.snapshot());
                        Transitions real = transitions(realData.snapshot());
                        lastRound = rounds.train(sim, usesReal ? real : empty(), random);
                        ActorRunner current = new ActorRunner(snapshot(sac, updates));
                        double[] sim2 = rollFidelity(rounds, Domain.SIM, simData, simTruth, current, random);
                        double[] real2 = realTruth == null ? new double[] {Double.NaN, Double.NaN}
                                : rollFidelity(rounds, Domain.REAL, realData, realTruth, current, random);
                        fidelity = new double[] {sim2[0], real2[0], sim2[1], real2[1]};
                        rounds.rollouts(simData, realData, current, rolloutsPerStep * modelEvery, updates, random, modelData);
                    }
                    for (int u = 0; u < g; u++) {
                        TransitionStore.Sample batch = batch(envData, rounds != null ? modelData : null, realRatio,
                                sacConfig.batchSize(), random);
                        sac.update(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done(), sacConfig.batchSize());
                        updates++;
                    }
                }
                if (t % evalEvery == 0 || t == envSteps) {
                    PolicySnapshot now = snapshot(sac, updates);
                    List<Double> returns = PolicyReturns.evaluate(now, DomainPhysics.neutral(), evalEpisodes, 10_000 + t);
                    List<Double> realReturns = usesReal ? PolicyReturns.evaluate(now, realPhysics, evalEpisodes, 10_000 + t) : List.of();
                    // Every evaluated policy is kept: behaviour policies of known quality for datasets (medium = about a
                    // third of the final return).
                    Files.createDirectories(outDir.resolve("policies"));
                    Files.write(outDir.resolve("policies").resolve("step-" + t + ".json"), Codecs.POLICY_SNAPSHOT.encode(now));
                    double minutes = (System.nanoTime() - start) / 6e10;
                    curve.add(List.of(String.valueOf(t), Stats.format(returns, 1), usesReal ? Stats.format(realReturns, 1) : "–",
                            String.valueOf(returns.size()), String.valueOf(updates), format(fidelity[0]), format(fidelity[1]),
                            format(fidelity[2]), format(fidelity[3]), lastRound, String.format(Locale.ROOT, "%.1f", minutes)));
                    curveChart.point("sim", t, Stats.mean(returns));
                    if (usesReal) {
                        curveChart.point("real", t, Stats.mean(realReturns));
                    }
                    Files.writeString(outDir.resolve("learning_curve.csv"), curve.toCsv());
                    out.printf("step %6d  return sim %s%s  updates %d  alpha %.3f  fidelity sim %s real %s (sampled %s / %s)  [%s]  %.1f min%n", t,
                            Stats.format(returns, 1), usesReal ? " real " + Stats.format(realReturns, 1) : "", updates, sac.alpha(),
                            format(fidelity[0]), format(fidelity[1]), format(fidelity[2]), format(fidelity[3]), lastRound, minutes);
                }
            }
        }
        PolicySnapshot policy = snapshot(sac, updates);
        Files.write(outDir.resolve("policy.json"), Codecs.POLICY_SNAPSHOT.encode(policy));

        PolicyReturns.Transfer measured = PolicyReturns.Transfer.measure(policy, kinds, factors, evalEpisodes, 20_000);
        List<String> header = new ArrayList<>(List.of("perturbation"));
        header.addAll(PolicyReturns.transferHeader(factors));
        Table transfer = new Table("Return of the trained policy under each perturbation", header);
        for (String kind : kinds) {
            List<String> row = new ArrayList<>(List.of(kind));
            row.addAll(measured.row(kind));
            transfer.add(row);
        }
        double minutes = (System.nanoTime() - start) / 6e10;
        ReportFolder report = new ReportFolder(outDir, "Training: " + method + " on HalfCheetah, in-process lockstep");
        report.configuration("command", "bin/sim2real train " + String.join(" ", argv))
                .configuration("seed", seed)
                .configuration("budget", envSteps + " env steps, " + initial + " random first, G = " + g + ", " + updates + " SAC updates")
                .configuration("SAC", "256-256, lr 3e-4, gamma 0.99, tau 0.005, batch 256, target entropy -6")
                .configuration("model", rounds != null ? members + " members, hidden " + java.util.Arrays.toString(ensemble.hidden())
                        + ", a round every " + modelEvery + " steps" + (rounds instanceof ModelRounds.Latent ? " (" + jointSteps
                        + " joint steps of the latent model, " + realStarts + " of the rollouts from real states, "
                        + latentRollouts + " predictions, sim encoder and decoder "
                        + (trainSimAutoencoder ? "trained" : "kept the identity") + ")" : "") + ", " + rolloutsPerStep + " rollouts of length 1 per step, real ratio "
                        + realRatio : "none (SAC)")
                .configuration("real data", usesReal ? realDataset + ", physics " + realPhysics.changed() : "none")
                .configuration("fidelity", "rollout fidelity after each round: from " + FIDELITY_STATES + " start states of "
                        + "each domain's data, drawn as rollouts draw them, with the policy's sampled actions, the squared error "
                        + "of the model's mean prediction against MuJoCo stepped in that domain, divided by the variance of each "
                        + "dimension's change (0 perfect, 1 = no better than the mean change), averaged over the 17 observation "
                        + "dimensions and the reward; 'sampled': the same for predictions sampled as rollouts sample them")
                .configuration("evaluation", evalEpisodes + " episodes of the deterministic policy, seeds from 10000 + step; final table seeds 20000+")
                .configuration("wall time", String.format(Locale.ROOT, "%.1f min on %d cores", minutes,
                        Runtime.getRuntime().availableProcessors()));
        report.table("learning_curve", curve, "");
        report.chart("learning_curve", curveChart);
        report.table("transfer", transfer, "Mean ± std over " + evalEpisodes + " episodes of the final policy (its mean action).");
        report.text("The final policy: `policy.json`; the policy of every evaluation: `policies/step-<env step>.json` "
                + "(PolicySnapshots, as on sim2real.policies).\n");
        Path readme = report.write();
        // Written last: its presence marks a finished run (bin/paper-sweep resumes by it, evaluate --runs reads it).
        new TrainedRun(outDir, method, seed, envSteps, usesReal ? realPhysics.changed() : Map.of(),
                usesReal ? realDataset.header().behaviour() : "", usesReal ? realDataset.header().bodySha256() : "",
                "bin/sim2real train " + String.join(" ", argv)).write();
        out.printf("done in %.1f min%n%n%s%nreport: %s%n", minutes, transfer.toMarkdown(), readme);
        return readme;
    }

    private static Dataset realDataset(Path file) {
        Dataset d;
        try {
            d = DatasetReader.read(file, EnvSpec.HALF_CHEETAH);
        } catch (DatasetException e) {
            throw new IllegalArgumentException("--real-dataset " + file + ": " + e.getMessage(), e);
        }
        if (d.header().domain() != Domain.REAL) {
            throw new IllegalArgumentException("--real-dataset " + file + " is a dataset of the " + d.header().domain().wireName()
                    + " domain, not of the real one");
        }
        return d;
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static Transitions transitions(TransitionStore.Snapshot s) {
        return new Transitions(s.obs(), s.act(), s.rew(), s.nextObs());
    }

    private static Transitions empty() {
        return new Transitions(new double[0][], new double[0][], new double[0], new double[0][]);
    }

    /**
     * The rollout fidelity of the round's model in domain d: from FIDELITY_STATES start states drawn as rollouts draw
     * them, with the policy's sampled actions, the model's mean and sampled predictions against MuJoCo stepped in
     * that domain.
     */
    private static double[] rollFidelity(ModelRounds rounds, Domain d, TransitionStore starts, HalfCheetahEnv truth,
                                         ActorRunner policy, SplittableRandom random) {
        double[][] obs = starts.sampleObservations(FIDELITY_STATES, random);
        truth.setStates(obs);
        StepResult s = truth.step(policy.act(obs, false, random));
        Transitions t = new Transitions(s.obs(), s.act(), s.rew(), s.nextObs());
        return new double[] {rounds.fidelity(d, t, false, random), rounds.fidelity(d, t, true, random)};
    }

    private static PolicySnapshot snapshot(Sac sac, long version) {
        return PolicySnapshots.toSnapshot(sac.actor(), 17, new int[] {256, 256}, "train", version, 0);
    }

    private static TransitionStore.Sample batch(TransitionStore env, TransitionStore model, double realRatio, int size,
                                                SplittableRandom random) {
        if (model == null || model.size() == 0) {
            return env.sample(size, random);
        }
        int fromEnv = (int) Math.round(size * realRatio);
        return env.sample(fromEnv, random).concat(model.sample(size - fromEnv, random));
    }
}

package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.datasets.Dataset;
import io.sim2real.datasets.DatasetException;
import io.sim2real.datasets.DatasetReader;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.ReportFolder;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.Sac;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.training.acting.SnapshotPolicy;
import io.sim2real.training.evaluation.Evaluator;
import io.sim2real.training.lockstep.InProcessLockstep;
import io.sim2real.training.model.ModelNetworks;
import io.sim2real.training.model.ModelRounds;
import io.sim2real.training.model.RoundData;
import io.sim2real.training.model.RoundReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * {@code sim2real train}: one run of a training method (sac, mbpo, mbpo-sim-only, and with an offline real dataset
 * mbpo-mixed, latent-sim-init, latent-real-init, latent-random-init) on HalfCheetah in one process, in lockstep. The
 * run is a RunSpec built from the options, resolved with the product's defaults exactly as the services resolve a
 * submitted one ({@link RunSettings}) and written as {@code runspec.json}; every setting below comes from it. The run is
 * the services' lockstep schedule run by their own classes ({@link InProcessLockstep}: env-service's acting,
 * model-service's rounds, policy-service's learner). The real dataset is the run's real source
 * ({@code realDomain.source}, its name, SHA-256 and size), wholly the run's before its first update and round (its rows
 * count towards the ensemble's threshold: {@code modelMinTransitions} is {@code --initial-steps} plus them;
 * {@code latentMinTransitions} is the smaller of {@code --initial-steps} and them), while chunks, rounds and SAC's owed
 * updates count the run's own sim steps. The behaviour policy is the newest one at the start of each chunk of
 * {@code lockstepChunk} steps after the {@code initialRandomSteps} random ones. After each round the model is checked
 * against MuJoCo from rollout start states of each domain (its rollout fidelity), which tells a model that predicts
 * badly from a method that fails for other reasons. Evaluates the deterministic policy in sim (and the real physics)
 * every {@code eval-every} steps, and at the end in sim and under each perturbation (the paper's Table 1 shape); saves
 * the policy as a PolicySnapshot (JSON) that env-service and the services accept.
 *
 * <p>Random streams ({@link RunSeeds}): SAC's weights and noise from {@code SAC}, the batches' rows from
 * {@code BATCHES}, the environment and its actions from {@code COLLECTION}, each round's model and rollouts as
 * {@link ModelRounds} says; the fidelity check draws from its own stream, split from the round's rollout seed, and
 * changes none of them.
 */
public final class MbpoTraining {

    static final Set<String> OPTIONS = Set.of("method", "env-steps", "updates-per-step", "initial-steps", "model-every",
            "rollouts-per-step", "real-ratio", "eval-every", "eval-episodes", "seed", "members", "elites", "hidden",
            "max-epochs", "factors", "kinds", "out", "real-dataset", "joint-steps", "real-starts", "latent-rollouts",
            "train-sim-autoencoder", "lockstep-chunk", "model-lag", "lambda-anchor", "summary-last", "summary-episodes");
    /**
     * The default lockstep chunk: the behaviour policy is renewed every this many steps (as before RunSpecs defined the
     * run; {@code --initial-steps} must be a multiple of it). {@code bin/train-services} uses 250.
     */
    static final int LOCKSTEP_CHUNK = 50;
    /** Rollout start states per domain and round at which the model is checked against MuJoCo. */
    private static final int FIDELITY_STATES = 500;
    /** The option each run parameter comes from, for messages. */
    private static final Map<RunParameter, String> OPTION_OF = Map.ofEntries(
            Map.entry(RunParameter.UPDATES_PER_STEP, "updates-per-step"), Map.entry(RunParameter.REAL_RATIO, "real-ratio"),
            Map.entry(RunParameter.LEARNER_MIN_TRANSITIONS, "initial-steps"),
            Map.entry(RunParameter.TRAIN_EVERY, "model-every"), Map.entry(RunParameter.MODEL_MIN_TRANSITIONS, "initial-steps"),
            Map.entry(RunParameter.MAX_EPOCHS, "max-epochs"), Map.entry(RunParameter.ROLLOUTS_PER_ROUND, "rollouts-per-step"),
            Map.entry(RunParameter.LATENT_TRAIN_EVERY, "model-every"),
            Map.entry(RunParameter.LATENT_MIN_TRANSITIONS, "initial-steps"), Map.entry(RunParameter.JOINT_STEPS, "joint-steps"),
            Map.entry(RunParameter.REAL_START_SHARE, "real-starts"), Map.entry(RunParameter.LAMBDA_ANCHOR, "lambda-anchor"),
            Map.entry(RunParameter.TRAIN_SIM_AUTOENCODER, "train-sim-autoencoder"),
            Map.entry(RunParameter.INITIAL_RANDOM_STEPS, "initial-steps"),
            Map.entry(RunParameter.LOCKSTEP_CHUNK, "lockstep-chunk"), Map.entry(RunParameter.MODEL_LAG, "model-lag"));

    private MbpoTraining() {
    }

    /** What the options define: the run's settings, its real data, and what is not a run setting. */
    record Definition(RunSettings settings, Dataset realDataset, ModelNetworks networks, boolean sampledLatentRollouts,
                      int evalEvery, int evalEpisodes, List<String> kinds, List<Double> factors, Path out, int summaryLast,
                      int summaryEpisodes) {

        /**
         * The settings that make the run a variant of its method, for tables that compare methods (empty for a run without
         * real data): the real-start share, and for the latent methods the anchor and whether rollouts step with sampled
         * or mean predictions (an ensemble's always sample).
         */
        String variant() {
            if (!settings.traits().usesRealData()) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            parts.add("real starts " + plain(settings.number(RunParameter.REAL_START_SHARE)));
            if (settings.traits().model() == MethodTraits.Model.LATENT) {
                parts.add("anchor " + plain(settings.number(RunParameter.LAMBDA_ANCHOR)));
                parts.add(sampledLatentRollouts ? "sampled" : "mean");
            }
            return String.join(" · ", parts);
        }
    }

    /**
     * The run the options define, resolved as the services resolve a submitted RunSpec.
     *
     * @throws IllegalArgumentException naming the option of a value that is no run
     */
    static Definition define(Args args) {
        RunSpec.Method method = method(args.text("method", "mbpo"));
        MethodTraits traits = MethodTraits.of(method);
        boolean usesReal = traits.usesRealData();
        if (usesReal != args.has("real-dataset")) {
            throw new IllegalArgumentException(usesReal ? "--method " + method.wireName()
                    + " needs --real-dataset FILE (a .s2rds dataset of the real domain)"
                    : "--real-dataset is only for methods that train on real data (mbpo-mixed, latent-*)");
        }
        int envSteps = args.integer("env-steps", 30000, 1, Integer.MAX_VALUE);
        int initial = args.integer("initial-steps", 5000, 1, Integer.MAX_VALUE);
        if (initial > envSteps) {
            throw new IllegalArgumentException("need 1 <= --initial-steps <= --env-steps, got --initial-steps " + initial
                    + " and --env-steps " + envSteps);
        }
        int modelEvery = args.integer("model-every", 250, 1, Integer.MAX_VALUE);
        int rolloutsPerStep = args.integer("rollouts-per-step", 400, 1, Integer.MAX_VALUE);
        String latentRollouts = args.text("latent-rollouts", "sampled");
        if (!latentRollouts.equals("sampled") && !latentRollouts.equals("mean")) {
            throw new IllegalArgumentException("--latent-rollouts must be sampled or mean, got '" + latentRollouts + "'");
        }
        // As model-service trains the latent methods: the sim encoder and decoder kept the identity (docs/RESULTS.md).
        boolean trainSimAutoencoder = args.bool("train-sim-autoencoder", false);
        int members = args.integer("members", 7, 1, 1000);
        ModelNetworks networks = new ModelNetworks(members, args.integer("elites", Math.min(5, members), 1, members),
                args.integers("hidden", "200,200,200,200"), 1, new int[] {200, 200}, 256, 1e-3);
        List<String> kinds = args.list("kinds", "gravity,torso_length,thigh_length");
        List<Double> factors = args.numbers("factors", "1.5,2.0");
        PolicyReturns.check(kinds, factors); // refused now, not after the training
        Dataset realDataset = usesReal ? realDataset(Path.of(args.text("real-dataset", ""))) : null;
        int realRows = usesReal ? realDataset.size() : 0;

        Map<RunParameter, Double> given = new LinkedHashMap<>();
        given.put(RunParameter.UPDATES_PER_STEP, args.number("updates-per-step", 20, 0, 1000));
        given.put(RunParameter.REAL_RATIO, args.number("real-ratio", 0.05, 0, 1));
        given.put(RunParameter.LEARNER_MIN_TRANSITIONS, (double) initial);
        given.put(RunParameter.TRAIN_EVERY, (double) modelEvery);
        given.put(RunParameter.MODEL_MIN_TRANSITIONS, (double) Math.max(2, initial + realRows));
        given.put(RunParameter.MAX_EPOCHS, (double) args.integer("max-epochs", 1000, 1, Integer.MAX_VALUE));
        given.put(RunParameter.ROLLOUTS_PER_ROUND, (double) rolloutsPerStep * modelEvery);
        given.put(RunParameter.LATENT_TRAIN_EVERY, (double) modelEvery);
        given.put(RunParameter.LATENT_MIN_TRANSITIONS, (double) Math.max(2, Math.min(initial, realRows)));
        given.put(RunParameter.JOINT_STEPS, (double) args.integer("joint-steps", modelEvery, 0, Integer.MAX_VALUE));
        // Given only when asked for: the catalogue holds the defaults (one home), and the options below mean something
        // only to some methods, so asking for them elsewhere is refused rather than ignored.
        if (args.has("real-starts")) {
            if (!usesReal) {
                throw new IllegalArgumentException("--real-starts is only for methods that train on real data (mbpo-mixed, "
                        + "latent-*): a run on sim alone starts every rollout there");
            }
            given.put(RunParameter.REAL_START_SHARE, args.number("real-starts", 0, 0, 1));
        }
        if (args.has("lambda-anchor")) {
            if (!RunParameter.LAMBDA_ANCHOR.appliesTo(method, RunSpec.Mode.LOCKSTEP)) {
                throw new IllegalArgumentException("--lambda-anchor is only for the latent methods (latent-*), not "
                        + method.wireName());
            }
            given.put(RunParameter.LAMBDA_ANCHOR, args.number("lambda-anchor", 0, 0, 1e6));
        }
        given.put(RunParameter.TRAIN_SIM_AUTOENCODER, trainSimAutoencoder ? 1.0 : 0.0);
        given.put(RunParameter.LOCKSTEP_CHUNK, (double) args.integer("lockstep-chunk", LOCKSTEP_CHUNK, 1, Integer.MAX_VALUE));
        if (args.has("model-lag")) {
            given.put(RunParameter.MODEL_LAG, (double) args.integer("model-lag", 0, 0, 1));
        }
        given.put(RunParameter.INITIAL_RANDOM_STEPS, (double) initial);
        Map<String, Double> parameters = new LinkedHashMap<>();
        for (Map.Entry<RunParameter, Double> e : given.entrySet()) {
            // Options that mean nothing to the method (a model's options for sac, say) are not part of its run.
            if (e.getKey().appliesTo(method, RunSpec.Mode.LOCKSTEP)) {
                parameters.put(e.getKey().wireName(), e.getValue());
            }
        }
        RunSpec.DomainSpec realDomain = usesReal
                ? new RunSpec.DomainSpec("real-dataset", DomainPhysics.of(realDataset.header().physics()).changed(), null,
                        RunSpec.RealSource.dataset(datasetName(Path.of(args.text("real-dataset", ""))),
                                realDataset.header().bodySha256(), realDataset.size()))
                : new RunSpec.DomainSpec("sim", Map.of());
        // A list that answers contains(null) (RunSpec.validate asks; List.of throws).
        List<Domain> domains = Arrays.asList(usesReal ? new Domain[] {Domain.SIM, Domain.REAL} : new Domain[] {Domain.SIM});
        RunSpec spec = new RunSpec(SchemaVersion.CURRENT, "train-" + method.wireName(), method, RunSpec.Mode.LOCKSTEP,
                args.integer("seed", 1), envSteps, realDomain, domains, parameters, System.currentTimeMillis());
        RunSettings settings;
        try {
            spec.validate(EnvSpec.HALF_CHEETAH);
            settings = RunSettings.resolve(spec, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
        } catch (InvalidRecordException e) {
            throw new IllegalArgumentException(optionsOf(e.getMessage()) + e.getMessage(), e);
        }
        return new Definition(settings, realDataset, networks, latentRollouts.equals("sampled"),
                args.integer("eval-every", 2500, 1, Integer.MAX_VALUE), args.integer("eval-episodes", 3, 1, Integer.MAX_VALUE),
                kinds, factors, Path.of(args.text("out", ReportFolder.timestamped("train-" + method.wireName()))),
                args.integer("summary-last", 3, 1, 1000), args.integer("summary-episodes", 0, 0, 1000));
    }

    private static RunSpec.Method method(String name) {
        List<String> valid = new ArrayList<>();
        for (RunSpec.Method m : RunSpec.Method.values()) {
            if (MethodTraits.of(m).trainsPolicy()) {
                valid.add(m.wireName());
            }
        }
        if (!valid.contains(name)) {
            throw new IllegalArgumentException("--method must be one of " + new TreeSet<>(valid) + ", got '" + name + "'");
        }
        return RunSpec.Method.fromWire(name);
    }

    /** "--initial-steps, --model-every: " for the parameters a RunSpec refusal names. */
    private static String optionsOf(String message) {
        Set<String> options = new TreeSet<>();
        for (Map.Entry<RunParameter, String> e : OPTION_OF.entrySet()) {
            if (message.contains("parameters." + e.getKey().wireName())) {
                options.add("--" + e.getValue());
            }
        }
        return options.isEmpty() ? "" : String.join(", ", options) + ": ";
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Definition def = define(new Args(argv, OPTIONS));
        RunSettings settings = def.settings();
        RunSpec run = settings.spec();
        MethodTraits traits = settings.traits();
        RunSeeds seeds = settings.seeds();
        String method = run.method().wireName();
        boolean usesReal = traits.usesRealData();
        Dataset realDataset = def.realDataset();
        DomainPhysics realPhysics = usesReal ? DomainPhysics.of(realDataset.header().physics()) : null;
        int envSteps = Math.toIntExact(run.envSteps());
        int initial = settings.integer(RunParameter.INITIAL_RANDOM_STEPS);
        int chunk = settings.integer(RunParameter.LOCKSTEP_CHUNK);
        double realRatio = traits.rollsOut() ? settings.number(RunParameter.REAL_RATIO) : 1;
        Path outDir = def.out();
        Files.createDirectories(outDir);
        // The run's whole definition, as the services would publish it (POST /api/v1/runs takes it as it is).
        Files.write(outDir.resolve("runspec.json"), Codecs.RUN_SPEC.encode(run));

        out.printf("train %s: %s%s%n", method, settings, usesReal ? ", real data: " + realDataset + " " + realPhysics : "");
        int rolloutsPerRound = traits.rollsOut() ? settings.integer(RunParameter.ROLLOUTS_PER_ROUND) : 1;
        Table curve = new Table("Learning curve (deterministic policy)", List.of("env step", "return sim",
                "return real", "episodes", "updates", "fidelity sim", "fidelity real", "sampled sim", "sampled real", "last model round", "minutes"));
        LineChart curveChart = new LineChart("Return against environment steps", "env steps", "return");
        long start = System.nanoTime();
        long envSeed = seeds.of(RunSeeds.Stream.COLLECTION, 0);
        Recorder recorder = new Recorder(def, usesReal, realPhysics, outDir, curve, curveChart, start, out);
        // The services' lockstep schedule with their own classes (one domain, or sim and the real dataset).
        settings.lockstepSchedule().orElseThrow(() -> new IllegalStateException("run " + run.runId() + " has no lockstep "
                + "schedule"));
        List<TransitionBatch> dataset = usesReal ? realDataset.toBatches(run.runId(), "real-dataset", 1000) : List.of();
        long[] lastEval = {-1};
        long[] paid = {0};
        long[] rounds = {0};
        String[] roundSummary = {"none"};
        double[][] fidelity = {{Double.NaN, Double.NaN, Double.NaN, Double.NaN}};
        List<double[]> fidelityByRound = new ArrayList<>();
        RoundReport[] lastReport = {null};
        double[] lastReturns = {Double.NaN, Double.NaN, -1};
        PolicySnapshot[] finalPolicy = {null};
        try (HalfCheetahEnv simTruth = new HalfCheetahEnv(DomainPhysics.neutral(), FIDELITY_STATES, 1, envSeed);
             HalfCheetahEnv realTruth = usesReal ? new HalfCheetahEnv(realPhysics, FIDELITY_STATES, 1, envSeed) : null) {
            InProcessLockstep.Result result = InProcessLockstep.run(settings, EnvSpec.HALF_CHEETAH, new InProcessLockstep.Setup(
                    new int[] {256, 256}, 256, 1_000_000, 1, chunk, envSeed, 1, def.networks(), covers -> 1, 5000,
                    def.sampledLatentRollouts()), dataset, new InProcessLockstep.Listener() {
                        @Override
                        public void onSnapshot(PolicySnapshot snapshot, long updates, Sac learner) {
                            paid[0] = updates;
                            // env-service's periodic evaluation rule, so the curve is the services' curve.
                            if (Evaluator.periodicDue(lastEval[0], snapshot.envStep(), def.evalEvery())) {
                                lastEval[0] = snapshot.envStep();
                                double[] returns = recorder.record(snapshot.envStep(), snapshot, updates, learner.alpha(), fidelity[0],
                                        roundSummary[0]);
                                lastReturns[0] = returns[0];
                                lastReturns[1] = returns[1];
                                lastReturns[2] = snapshot.envStep();
                            }
                        }

                        @Override
                        public void onRound(long round, RoundReport report, RoundData data, ModelRounds model,
                                            Optional<PolicySnapshot> policy) {
                            rounds[0] = round;
                            roundSummary[0] = report.summary();
                            // The round's model against MuJoCo, from its own start states, with the policy its rollouts
                            // act with; its own random stream, split from the round's rollout seed, changes nothing else.
                            SplittableRandom check = new SplittableRandom(seeds.of(RunSeeds.Stream.ROLLOUTS, round)).split();
                            Optional<ActorRunner> acting = policy.map(ActorRunner::new);
                            double[] sim = rollFidelity(model, Domain.SIM, data.sim(), simTruth, acting, check);
                            double[] real = realTruth == null ? new double[] {Double.NaN, Double.NaN}
                                    : rollFidelity(model, Domain.REAL, data.real(), realTruth, acting, check);
                            fidelity[0] = new double[] {sim[0], real[0], sim[1], real[1]};
                            fidelityByRound.add(fidelity[0]);
                            lastReport[0] = report;
                        }
                    });
            finalPolicy[0] = result.snapshots().get(result.snapshots().size() - 1);
        }
        long updates = paid[0];
        long round = rounds[0];
        PolicySnapshot policy = finalPolicy[0];
        Files.write(outDir.resolve("policy.json"), Codecs.POLICY_SNAPSHOT.encode(policy));

        List<String> kinds = def.kinds();
        List<Double> factors = def.factors();
        int evalEpisodes = def.evalEpisodes();
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
        ModelNetworks n = def.networks();
        ReportFolder report = new ReportFolder(outDir, "Training: " + method + " on HalfCheetah, in-process lockstep");
        report.configuration("command", "bin/sim2real train " + String.join(" ", argv))
                .configuration("run", "`runspec.json`: the RunSpec with every setting of the run (" + settings.spec().parameters()
                        + "), resolved as the services resolve a submitted one")
                .configuration("seed", run.seed())
                .configuration("budget", envSteps + " env steps, " + initial + " random first, G = "
                        + RunParameter.UPDATES_PER_STEP.wireName() + " " + settings.number(RunParameter.UPDATES_PER_STEP) + ", "
                        + updates + " SAC updates, the behaviour policy renewed every " + chunk + " steps")
                .configuration("SAC", "256-256, lr 3e-4, gamma 0.99, tau 0.005, batch 256, target entropy -6")
                .configuration("model", rounds == null ? "none (SAC)" : n.members() + " members (" + n.elites() + " elites), hidden "
                        + Arrays.toString(n.hidden()) + ", " + round + " rounds" + (traits.model() == MethodTraits.Model.LATENT
                        ? " (latent model: " + settings.integer(RunParameter.JOINT_STEPS) + " joint steps a round, anchor weight "
                        + plain(settings.number(RunParameter.LAMBDA_ANCHOR)) + ", "
                        + (def.sampledLatentRollouts() ? "sampled" : "mean") + " predictions, sim encoder and decoder "
                        + (settings.flag(RunParameter.TRAIN_SIM_AUTOENCODER) ? "trained" : "kept the identity") + ")" : "")
                        + (usesReal ? ", " + plain(settings.number(RunParameter.REAL_START_SHARE))
                        + " of the rollouts from real states" : "")
                        + (traits.rollsOut() ? ", " + rolloutsPerRound + " rollouts of length 1 a round, real ratio " + realRatio : ""))
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
        TrainedRun finished = new TrainedRun(outDir, method, run.seed(), envSteps, usesReal ? realPhysics.changed() : Map.of(),
                usesReal ? realDataset.header().behaviour() : "", usesReal ? realDataset.header().bodySha256() : "",
                "bin/sim2real train " + String.join(" ", argv), def.variant());
        RunSummary.write(outDir.resolve(RunSummary.FILE), finished, def, settings, updates, round, fidelityByRound,
                lastReport[0], lastReturns, minutes, out);
        // Written last: its presence marks a finished run (bin/paper-sweep resumes by it, evaluate --runs reads it).
        finished.write();
        out.printf("done in %.1f min%n%n%s%nreport: %s%n", minutes, transfer.toMarkdown(), readme);
        return readme;
    }

    /** The dataset's name as env-service would store it: the file's name without its extension, in the allowed set. */
    static String datasetName(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.s2rds$", "").replaceAll("[^A-Za-z0-9._-]", "-");
        name = name.isEmpty() || !Character.isLetterOrDigit(name.charAt(0)) ? "d" + name : name;
        return name.length() > 100 ? name.substring(0, 100) : name;
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

    /** A number as the catalogue writes it: 0, 0.5, 1000. */
    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * The rollout fidelity of the round's model in domain d: from FIDELITY_STATES start states drawn uniformly with
     * replacement from the round's data of that domain (as rollouts draw them), with the policy's sampled actions
     * (uniform random ones without a policy, as rollouts act), the model's mean and sampled predictions against MuJoCo
     * stepped in that domain.
     */
    private static double[] rollFidelity(ModelRounds rounds, Domain d, Transitions starts, HalfCheetahEnv truth,
                                         Optional<ActorRunner> policy, SplittableRandom random) {
        if (starts.size() == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[][] obs = new double[FIDELITY_STATES][];
        for (int i = 0; i < obs.length; i++) {
            obs[i] = starts.obs()[random.nextInt(starts.size())];
        }
        truth.setStates(obs);
        double[][] act;
        if (policy.isPresent()) {
            act = policy.get().act(obs, false, random);
        } else {
            act = new double[obs.length][6];
            for (double[] a : act) {
                for (int j = 0; j < a.length; j++) {
                    a[j] = random.nextDouble(-1, 1);
                }
            }
        }
        StepResult s = truth.step(act);
        Transitions t = new Transitions(s.obs(), s.act(), s.rew(), s.nextObs());
        return new double[] {fidelity(rounds::predict, d, t, false, random), fidelity(rounds::predict, d, t, true, random)};
    }

    /** One model step in observation space for start states of domain d: its mean, or sampled as rollouts sample. */
    interface Prediction {
        void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng, double[][] next,
                     double[] rew);
    }

    /**
     * Normalised one-step error on transitions of domain d: the mean over dimensions of the squared error of the
     * predicted next observation (and reward), each divided by the variance of that dimension's change in the
     * data. 0 is perfect; 1 is no better than predicting the mean change. Sampled predictions add the model's
     * own noise, as rollouts see it.
     */
    static double fidelity(Prediction model, Domain d, Transitions t, boolean sampled, SplittableRandom rng) {
        int n = t.size();
        if (n < 2) {
            return Double.NaN;
        }
        double[][] next = new double[n][];
        double[] rew = new double[n];
        model.predict(d, t.obs(), t.act(), sampled, rng, next, rew);
        int dims = t.obs()[0].length;
        double total = 0;
        for (int j = 0; j <= dims; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += change(t, i, j) / n;
            }
            double variance = 0;
            double error = 0;
            for (int i = 0; i < n; i++) {
                double c = change(t, i, j);
                variance += (c - mean) * (c - mean) / n;
                double predicted = j < dims ? next[i][j] - t.obs()[i][j] : rew[i];
                error += (predicted - c) * (predicted - c) / n;
            }
            total += error / Math.max(variance, 1e-12);
        }
        return total / (dims + 1);
    }

    private static double change(Transitions t, int i, int j) {
        int dims = t.obs()[i].length;
        return j < dims ? t.nextObs()[i][j] - t.obs()[i][j] : t.rew()[i];
    }

    /** Evaluates a policy of the run and adds it to the learning curve, its chart, the CSV and the log. */
    private record Recorder(Definition def, boolean usesReal, DomainPhysics realPhysics, Path outDir, Table curve,
                            LineChart chart, long start, PrintStream out) {

        /** Returns the evaluation's mean return in sim and in the real domain (NaN without one). */
        double[] record(long t, PolicySnapshot now, long updates, double alpha, double[] fidelity, String lastRound) {
            try {
                // The episodes env-service's periodic evaluation plays for this policy version (same seeds, same code).
                long seed = Evaluator.periodicSeed(def.settings().spec().seed(), now.version());
                EvaluationResult sim = Evaluator.evaluate(now.runId(), Domain.SIM, DomainPhysics.neutral(),
                        new SnapshotPolicy(now, true, seed), true, def.evalEpisodes(), seed, t, 1);
                EvaluationResult real = usesReal ? Evaluator.evaluate(now.runId(), Domain.REAL, realPhysics,
                        new SnapshotPolicy(now, true, seed), true, def.evalEpisodes(), seed, t, 1) : null;
                List<Double> returns = java.util.Arrays.stream(sim.returns()).boxed().toList();
                List<Double> realReturns = real == null ? List.of() : java.util.Arrays.stream(real.returns()).boxed().toList();
                // Exact values beside the rounded table: a run through the services is compared with this one bit for bit.
                Path exact = outDir.resolve("evaluations.csv");
                if (!Files.exists(exact)) {
                    Files.writeString(exact, "env_step,policy_version,mean_return_sim,mean_return_real\n");
                }
                Files.writeString(exact, t + "," + now.version() + "," + sim.meanReturn() + ","
                        + (real == null ? "nan" : String.valueOf(real.meanReturn())) + "\n", java.nio.file.StandardOpenOption.APPEND);
                // Every evaluated policy is kept: behaviour policies of known quality for datasets (medium = about a
                // third of the final return).
                Files.createDirectories(outDir.resolve("policies"));
                Files.write(outDir.resolve("policies").resolve("step-" + t + ".json"), Codecs.POLICY_SNAPSHOT.encode(now));
                double minutes = (System.nanoTime() - start) / 6e10;
                curve.add(List.of(String.valueOf(t), Stats.format(returns, 1), usesReal ? Stats.format(realReturns, 1) : "–",
                        String.valueOf(returns.size()), String.valueOf(updates), format(fidelity[0]), format(fidelity[1]),
                        format(fidelity[2]), format(fidelity[3]), lastRound, String.format(Locale.ROOT, "%.1f", minutes)));
                chart.point("sim", t, Stats.mean(returns));
                if (usesReal) {
                    chart.point("real", t, Stats.mean(realReturns));
                }
                Files.writeString(outDir.resolve("learning_curve.csv"), curve.toCsv());
                out.printf("step %6d  return sim %s%s  updates %d  alpha %.3f  fidelity sim %s real %s (sampled %s / %s)  [%s]  %.1f min%n", t,
                        Stats.format(returns, 1), usesReal ? " real " + Stats.format(realReturns, 1) : "", updates, alpha,
                        format(fidelity[0]), format(fidelity[1]), format(fidelity[2]), format(fidelity[3]), lastRound, minutes);
                return new double[] {Stats.mean(returns), usesReal ? Stats.mean(realReturns) : Double.NaN};
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

}

package io.sim2real.model.training;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.Rollouts;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.latent.GapAnalysis;
import io.sim2real.nn.latent.LatentConfig;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.replay.TransitionStore;
import io.sim2real.service.runs.RunRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * The latent sim-to-real model of every run whose method uses it (latent-sim-init, latent-real-init,
 * latent-random-init, gap-only). Once each domain has {@code latent.min-transitions}, and then after every
 * {@code latent.train-every} new transitions, a round: retrain the sim-trained ensemble, build the latent model
 * (first round) or go on training it, {@code latent.joint-steps} joint steps, publish the gap measurements on
 * {@code sim2real.gap}, save checkpoints, and (except gap-only) publish latent rollouts from start states of
 * both domains. A NaN, infinity or divergence stops the round with an error in the status and a metric.
 */
@ApplicationScoped
public class LatentTrainer {

    private static final Logger LOG = Logger.getLogger(LatentTrainer.class);
    static final Set<RunSpec.Method> LATENT_METHODS = EnumSet.of(RunSpec.Method.LATENT_SIM_INIT,
            RunSpec.Method.LATENT_REAL_INIT, RunSpec.Method.LATENT_RANDOM_INIT, RunSpec.Method.GAP_ONLY);

    /** A run's latent model and what its last round found. */
    static final class RunState {
        DynamicsModel simModel;
        LatentModel latent;
        final AtomicLong version = new AtomicLong();
        final AtomicLong sinceTraining = new AtomicLong();
        volatile boolean training;
        volatile GapAnalysis.Measures measures;
        volatile LatentModel.Losses losses;
        volatile String lastError;
    }

    /** What the trainer knows about a run's latent model, for the REST API. */
    public record LatentStatus(String runId, String method, long version, boolean training,
                               GapAnalysis.Measures measures, LatentModel.Losses losses, String lastError) {
    }

    @Inject
    StoreRegistry stores;

    @Inject
    RunRegistry runs;

    @Inject
    EnvSpec spec;

    @Inject
    PolicyFeed policies;

    @Inject
    MeterRegistry registry;

    @Inject
    ModelConfig config;

    @Inject
    @Channel("gap-out")
    MutinyEmitter<Record<String, GapMeasurement>> gap;

    @Inject
    @Channel("rollouts-out")
    MutinyEmitter<Record<String, RolloutBatch>> rollouts;

    private final Map<String, RunState> states = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "latent-training");
        t.setDaemon(true);
        return t;
    });

    /** Called for every batch added to a store. */
    public void onTransitions(String runId, Domain domain, int count) {
        Optional<RunSpec> run = runs.get(runId);
        if (run.isEmpty() || !LATENT_METHODS.contains(run.get().method())) {
            return;
        }
        RunState state = states.computeIfAbsent(runId, this::create);
        long since = state.sinceTraining.addAndGet(count);
        ModelConfig.Latent settings = config.latent();
        boolean enough = size(runId, Domain.SIM) >= settings.minTransitions() && size(runId, Domain.REAL) >= settings.minTransitions();
        boolean due = since >= settings.trainEvery() || state.version.get() == 0;
        if (enough && due && !state.training) {
            state.training = true;
            state.sinceTraining.set(0);
            worker.submit(() -> round(run.get(), state));
        }
    }

    private int size(String runId, Domain d) {
        return stores.find(runId, d).map(TransitionStore::size).orElse(0);
    }

    private RunState create(String runId) {
        RunState state = new RunState();
        Gauge.builder("sim2real.model.latent.version", state.version, AtomicLong::get).tag("run", runId)
                .description("Rounds of the run's latent model").register(registry);
        for (String term : List.of("prediction", "decoding", "autoencoding", "correspondence", "total")) {
            Gauge.builder("sim2real.model.latent.loss", state, s -> term(s.losses, term)).tag("run", runId).tag("term", term)
                    .description("Terms of the latent model's joint loss at the last step of the last round").register(registry);
        }
        return state;
    }

    private static double term(LatentModel.Losses l, String term) {
        if (l == null) {
            return Double.NaN;
        }
        return switch (term) {
            case "prediction" -> l.prediction();
            case "decoding" -> l.decoding();
            case "autoencoding" -> l.autoencoding();
            case "correspondence" -> l.correspondence();
            default -> l.total();
        };
    }

    private void round(RunSpec run, RunState state) {
        String runId = run.runId();
        Timer.Sample timing = Timer.start(registry);
        try {
            Transitions sim = transitions(stores.find(runId, Domain.SIM).orElseThrow());
            Transitions real = transitions(stores.find(runId, Domain.REAL).orElseThrow());
            long envSteps = stores.find(runId, Domain.SIM).get().added() + stores.find(runId, Domain.REAL).get().added();
            long seed = seedOf(run);
            if (state.simModel == null) {
                state.simModel = new DynamicsModel(spec.obsDim(), spec.actDim(), config.ensemble(seed));
                restore(runId, state);
            }
            state.simModel.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
            if (state.latent == null) {
                state.latent = initialise(run, state.simModel, sim, real, seed);
            }
            SplittableRandom rng = new SplittableRandom(seed + state.version.get());
            int steps = (int) parameter(run, "jointSteps", config.latent().jointSteps());
            LatentModel.Losses[] losses = GapAnalysis.trainJointly(state.latent, sim, real, steps, rng,
                    parameter(run, "divergenceFactor", config.latent().divergenceFactor()));
            GapAnalysis.Measures measures = GapAnalysis.measure(state.latent, state.simModel, sim, real, seed);
            // A round counts as done only once its measurements are acknowledged by Kafka and its checkpoint is
            // written, in that order: a kill in between repeats the round's measurements under the same version
            // (consumers treat (run, metric, version) as one point) and never loses them.
            long version = state.version.get() + 1;
            publish(run, measures, version, envSteps);
            save(runId, state, version);
            state.losses = losses[1];
            state.measures = measures;
            state.lastError = null;
            state.version.set(version);
            LOG.infof("run %s: latent model v%d (%s, %d joint steps, loss %.3f -> %.3f): G %.4f, KL %.3f (ratio %.2f), "
                            + "one-step error %.4f, disagreement %.4f", runId, version, run.method().wireName(), steps,
                    losses[0].total(), losses[1].total(), measures.mappingDistance(), measures.latentKl(), measures.klRatio(),
                    measures.oneStepError(), measures.disagreement());
            if (run.method() != RunSpec.Method.GAP_ONLY) {
                publishRollouts(run, state, version, envSteps, rng);
            }
        } catch (NonFiniteException e) {
            fail(runId, state, "non_finite", e.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "run %s: latent round failed", runId);
            fail(runId, state, "error", e.toString());
        } finally {
            timing.stop(Timer.builder("sim2real.model.latent.training").tag("run", runId)
                    .description("Time of a latent model round").register(registry));
            state.training = false;
        }
    }

    private void fail(String runId, RunState state, String reason, String message) {
        state.lastError = message;
        LOG.errorf("run %s: latent round stopped: %s", runId, message);
        Counter.builder("sim2real.model.training.failures").tag("run", runId).tag("reason", reason)
                .description("Training rounds stopped by a failure").register(registry).increment();
    }

    private LatentModel initialise(RunSpec run, DynamicsModel simModel, Transitions sim, Transitions real, long seed) {
        LatentModel.Init init = switch (run.method()) {
            case LATENT_REAL_INIT -> LatentModel.Init.REAL;
            case LATENT_RANDOM_INIT -> LatentModel.Init.RANDOM;
            default -> LatentModel.Init.SIM;
        };
        long ensembleSeed = seed + (init == LatentModel.Init.RANDOM ? 2 : 1);
        return LatentModel.create(init, simModel, sim, real, config.ensemble(ensembleSeed), latentConfig(run, seed));
    }

    /** The run's models are seeded by its seed and id. */
    private static long seedOf(RunSpec run) {
        return run.seed() * 1_000_003L + run.runId().hashCode();
    }

    private LatentConfig latentConfig(RunSpec run, long seed) {
        ModelConfig.Latent l = config.latent();
        int[] hidden = l.hidden().stream().mapToInt(Integer::intValue).toArray();
        return new LatentConfig(hidden, io.sim2real.nn.Activation.SILU, l.learningRate(), 2.5e-5,
                parameter(run, "lambdaAe", l.lambdaAe()), parameter(run, "lambdaDec", l.lambdaDec()),
                parameter(run, "lambdaCorr", l.lambdaCorr()), l.batchSize(), seed,
                parameter(run, "trainSimAutoencoder", l.trainSimAutoencoder().orElse(run.method() == RunSpec.Method.GAP_ONLY)
                        ? 1 : 0) == 1);
    }

    /** The run's share of rollouts from real states; a value outside [0, 1] is refused with the reason. */
    private double realStartShare(RunSpec run) {
        double share = parameter(run, "realStartShare", config.latent().realStartShare());
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("realStartShare must be in [0, 1], got " + share);
        }
        return share;
    }

    private static double parameter(RunSpec run, String name, double otherwise) {
        return run.parameters() == null ? otherwise : run.parameters().getOrDefault(name, otherwise);
    }

    private void publish(RunSpec run, GapAnalysis.Measures m, long version, long envSteps) {
        Map.Entry<String, Double> label = run.realDomain().gapLabel();
        long now = System.currentTimeMillis();
        Map<GapMeasurement.Metric, Double> values = new java.util.EnumMap<>(GapMeasurement.Metric.class);
        // The training model's own distance drifts with its real encoder (METHOD.md): published under its own name;
        // MAPPING_DISTANCE is the gap probe's (io.sim2real.model.probe.GapProbeService).
        values.put(GapMeasurement.Metric.TRAINING_MAPPING_DISTANCE, m.mappingDistance());
        values.put(GapMeasurement.Metric.LATENT_KL, m.latentKl());
        values.put(GapMeasurement.Metric.LATENT_KL_RATIO, m.klRatio());
        values.put(GapMeasurement.Metric.ONE_STEP_ERROR, m.oneStepError());
        values.put(GapMeasurement.Metric.ENSEMBLE_DISAGREEMENT, m.disagreement());
        for (Map.Entry<GapMeasurement.Metric, Double> v : values.entrySet()) {
            if (!Double.isFinite(v.getValue())) {
                // e.g. a KL ratio over a zero within-domain KL: reported, never published as a number it is not.
                LOG.warnf("run %s: gap metric %s is %s, not published", run.runId(), v.getKey().wireName(), v.getValue());
                continue;
            }
            gap.sendAndAwait(Record.of(run.runId(), new GapMeasurement(SchemaVersion.CURRENT, run.runId(), label.getKey(),
                    label.getValue(), v.getKey(), v.getValue(), version, envSteps, now)));
        }
    }

    private void publishRollouts(RunSpec run, RunState state, long version, long envSteps, SplittableRandom rng) {
        String runId = run.runId();
        int length = RolloutSchedule.parse(config.rolloutSchedule()).length(envSteps);
        Optional<ActorRunner> policy = policies.latest(runId).map(ActorRunner::new);
        int total = config.rolloutsPerRound();
        int fromReal = (int) Math.round(total * realStartShare(run));
        long made = 0;
        for (Domain d : Domain.values()) {
            int count = d == Domain.REAL ? fromReal : total - fromReal;
            if (count == 0) {
                continue;
            }
            double[][] starts = stores.find(runId, d).orElseThrow().sampleObservations(count, rng);
            made += Rollouts.generate(state.latent.rolloutModel(d), true, spec, starts, length, runId, version, d,
                    config.rolloutBatchSize(), rng, policy, batch -> rollouts.sendAndAwait(Record.of(runId, batch)));
        }
        Counter.builder("sim2real.model.rollouts").tag("run", runId)
                .description("Model transitions published as rollouts").register(registry).increment(made);
        LOG.infof("run %s: published %d latent rollout transitions (length %d)", runId, made, length);
    }

    private static Transitions transitions(TransitionStore store) {
        TransitionStore.Snapshot s = store.snapshot();
        return new Transitions(s.obs(), s.act(), s.rew(), s.nextObs());
    }

    private Path checkpoint(String runId, String name) {
        return Path.of(config.checkpointDir(), runId, name);
    }

    private void save(String runId, RunState state, long version) throws java.io.IOException {
        state.simModel.save(checkpoint(runId, "sim-dynamics.ckpt"), version);
        state.latent.save(checkpoint(runId, "latent.ckpt"), version);
    }

    /** After a restart: the sim model and the latent model of the last finished round, if saved. */
    private void restore(String runId, RunState state) {
        Path simFile = checkpoint(runId, "sim-dynamics.ckpt");
        Path latentFile = checkpoint(runId, "latent.ckpt");
        if (!Files.exists(simFile) || !Files.exists(latentFile)) {
            return;
        }
        try {
            state.simModel.load(simFile);
            RunSpec run = runs.get(runId).orElseThrow();
            long seed = seedOf(run);
            Transitions sim = transitions(stores.find(runId, Domain.SIM).orElseThrow());
            Transitions real = transitions(stores.find(runId, Domain.REAL).orElseThrow());
            LatentModel latent = LatentModel.random(sim, real, spec.obsDim(), spec.actDim(), config.ensemble(seed),
                    latentConfig(run, seed));
            state.version.set(latent.load(latentFile));
            state.latent = latent;
            LOG.infof("run %s: latent model v%d restored from %s", runId, state.version.get(), latentFile);
        } catch (Checkpoint.CheckpointException e) {
            LOG.errorf("run %s: ignoring latent checkpoints: %s", runId, e.getMessage());
        }
    }

    public Optional<LatentStatus> status(String runId) {
        RunState s = states.get(runId);
        if (s == null) {
            return Optional.empty();
        }
        String method = runs.get(runId).map(r -> r.method().wireName()).orElse("unknown");
        return Optional.of(new LatentStatus(runId, method, s.version.get(), s.training, s.measures, s.losses, s.lastError));
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}

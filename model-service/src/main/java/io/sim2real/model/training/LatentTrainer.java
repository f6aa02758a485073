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
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunSettings;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.latent.GapAnalysis;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.service.runs.RunRegistry;
import io.sim2real.training.model.LatentRounds;
import io.sim2real.training.model.ModelRounds;
import io.sim2real.training.model.RoundData;
import io.sim2real.training.model.RoundReport;
import io.sim2real.training.model.ScheduledRound;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * The latent sim-to-real model over Kafka for every run whose method uses it (latent-sim-init, latent-real-init,
 * latent-random-init, gap-only): the rounds are {@link LatentRounds}' (the sim ensemble once, then joint training and
 * the gap measures every round), when one starts {@link RoundTrigger}'s, both with the run's settings read at that
 * moment. This adapter feeds them the run's stores, publishes each round's gap measurements on {@code sim2real.gap},
 * saves checkpoints, publishes its rollouts (except gap-only) and keeps the status and metrics. A NaN, infinity or
 * divergence stops the round with an error in the status and a metric.
 */
@ApplicationScoped
public class LatentTrainer {

    private static final Logger LOG = Logger.getLogger(LatentTrainer.class);

    /** A run's latent model and what its last round found. */
    static final class RunState {
        final ModelRounds rounds;
        final AtomicLong version = new AtomicLong();
        RoundTrigger trigger;
        volatile boolean restoreTried;
        volatile GapAnalysis.Measures measures;
        volatile LatentModel.Losses losses;
        volatile String lastError;

        RunState(ModelRounds rounds) {
            this.rounds = rounds;
        }
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
        Optional<RunSettings> settings = runs.settings(runId);
        if (settings.isEmpty() || settings.get().traits().model() != MethodTraits.Model.LATENT) {
            return;
        }
        states.computeIfAbsent(runId, id -> create(settings.get())).trigger.onTransitions(settings.get(), count);
    }

    /**
     * A scheduled round of a lockstep run on sim and a real dataset ({@link RoundTrigger}); its rollouts act with the
     * policy at b_r. (Such a run's model is not restored after a restart: exactness is not kept across a kill.)
     */
    private void lockstepRound(String runId, RunState state, ScheduledRound next) {
        Timer.Sample timing = Timer.start(registry);
        long round = next.round();
        long covers = next.covers();
        try {
            RunSettings settings = runs.settings(runId).orElseThrow();
            RoundData data = next.data(stores.sinceStart(runId, next.counted()),
                    stores.sinceStart(runId, Domain.REAL));
            Optional<ActorRunner> policy = settings.traits().rollsOut()
                    ? ModelTrainer.lockstepPolicy(policies, settings, round, covers) : Optional.empty();
            ScheduledRound.Made made = next.train(state.rounds, data, settings, policy,
                    RolloutSchedule.parse(config.rolloutSchedule()).length(covers), config.rolloutBatchSize());
            RoundReport report = made.report();
            for (String note : report.notes()) {
                LOG.warnf("run %s: %s", runId, note);
            }
            GapAnalysis.Measures measures = report.measures();
            publish(settings.spec(), measures, round, covers + next.datasetRows());
            state.rounds.save(checkpointDir(runId), round);
            state.losses = report.lastLosses();
            state.measures = measures;
            state.lastError = null;
            long rows = 0;
            for (RolloutBatch b : made.rollouts()) {
                rollouts.sendAndAwait(Record.of(runId, b));
                rows += b.size();
            }
            state.version.set(round);
            Counter.builder("sim2real.model.rollouts").tag("run", runId)
                    .description("Model transitions published as rollouts").register(registry).increment(rows);
            LOG.infof("run %s: lockstep latent round %d on the first %d sim transitions and the dataset's %d: G %.4f, "
                    + "%d rollout transitions with %s", runId, round, covers, next.datasetRows(), measures.mappingDistance(),
                    rows, policy.map(p -> "policy v" + p.version()).orElse("random actions"));
        } catch (NonFiniteException e) {
            fail(runId, state, "non_finite", e.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "run %s: lockstep latent round %d failed", runId, round);
            fail(runId, state, "error", e.toString());
        } finally {
            timing.stop(Timer.builder("sim2real.model.latent.training").tag("run", runId)
                    .description("Time of a latent model round").register(registry));
        }
    }

    private RunState create(RunSettings settings) {
        String runId = settings.runId();
        RunState state = new RunState(ModelRounds.of(settings, config.networks(), spec).orElseThrow());
        state.trigger = new RoundTrigger(runId, runs, stores, worker, state.version);
        state.trigger.rounds(new RoundTrigger.Rounds() {
            @Override
            public void free() {
                round(runId, state);
            }

            @Override
            public void scheduled(ScheduledRound next) {
                lockstepRound(runId, state, next);
            }
        });
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

    private void round(String runId, RunState state) {
        Timer.Sample timing = Timer.start(registry);
        try {
            Optional<RunSettings> current = runs.settings(runId);
            if (current.isEmpty()) {
                return;
            }
            RunSettings settings = current.get();
            RoundData data = new RoundData(stores.held(runId, Domain.SIM), stores.held(runId, Domain.REAL));
            long envSteps = stores.added(runId, Domain.SIM) + stores.added(runId, Domain.REAL);
            if (!state.restoreTried) {
                state.restoreTried = true;
                restore(runId, state, data, settings);
            }
            long version = state.version.get() + 1;
            RoundReport report = state.rounds.train(version, data, settings);
            for (String note : report.notes()) {
                LOG.warnf("run %s: %s", runId, note);
            }
            GapAnalysis.Measures measures = report.measures();
            // A round counts as done only once its measurements are acknowledged by Kafka and its checkpoint is
            // written, in that order: a kill in between repeats the round's measurements under the same version
            // (consumers treat (run, metric, version) as one point) and never loses them.
            publish(settings.spec(), measures, version, envSteps);
            state.rounds.save(checkpointDir(runId), version);
            state.losses = report.lastLosses();
            state.measures = measures;
            state.lastError = null;
            state.version.set(version);
            LOG.infof("run %s: latent model v%d (%s, %s): G %.4f, KL %.3f (ratio %.2f), one-step error %.4f, "
                            + "disagreement %.4f", runId, version, settings.method().wireName(), report.summary(),
                    measures.mappingDistance(), measures.latentKl(), measures.klRatio(), measures.oneStepError(),
                    measures.disagreement());
            if (settings.traits().rollsOut()) {
                int length = RolloutSchedule.parse(config.rolloutSchedule()).length(envSteps);
                Optional<ActorRunner> policy = policies.latest(runId).map(ActorRunner::new);
                long made = state.rounds.rollouts(version, data, settings, policy, length, config.rolloutBatchSize(),
                        batch -> rollouts.sendAndAwait(Record.of(runId, batch)));
                Counter.builder("sim2real.model.rollouts").tag("run", runId)
                        .description("Model transitions published as rollouts").register(registry).increment(made);
                LOG.infof("run %s: published %d latent rollout transitions (length %d)", runId, made, length);
            }
        } catch (NonFiniteException e) {
            fail(runId, state, "non_finite", e.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "run %s: latent round failed", runId);
            fail(runId, state, "error", e.toString());
        } finally {
            timing.stop(Timer.builder("sim2real.model.latent.training").tag("run", runId)
                    .description("Time of a latent model round").register(registry));
        }
    }

    private void fail(String runId, RunState state, String reason, String message) {
        state.lastError = message;
        LOG.errorf("run %s: latent round stopped: %s", runId, message);
        Counter.builder("sim2real.model.training.failures").tag("run", runId).tag("reason", reason)
                .description("Training rounds stopped by a failure").register(registry).increment();
    }

    /** After a restart: the sim model and the latent model of the last finished round, if saved. */
    private void restore(String runId, RunState state, RoundData data, RunSettings settings) {
        try {
            state.rounds.restore(checkpointDir(runId), data, settings).ifPresent(v -> {
                state.version.set(v);
                LOG.infof("run %s: latent model v%d restored from %s", runId, v, checkpointDir(runId));
            });
        } catch (Checkpoint.CheckpointException e) {
            LOG.errorf("run %s: ignoring latent checkpoints: %s", runId, e.getMessage());
        }
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


    private Path checkpointDir(String runId) {
        return Path.of(config.checkpointDir(), runId);
    }

    public Optional<LatentStatus> status(String runId) {
        RunState s = states.get(runId);
        if (s == null) {
            return Optional.empty();
        }
        String method = runs.get(runId).map(r -> r.method().wireName()).orElse("unknown");
        return Optional.of(new LatentStatus(runId, method, s.version.get(), s.trigger.training(), s.measures, s.losses, s.lastError));
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}

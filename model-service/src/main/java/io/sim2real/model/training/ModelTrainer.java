package io.sim2real.model.training;

import io.sim2real.training.policy.OwedUpdates;
import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSettings;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.service.runs.RunRegistry;
import io.sim2real.training.model.EnsembleRounds;
import io.sim2real.training.model.ModelRounds;
import io.sim2real.training.model.RoundData;
import io.sim2real.training.model.RoundReport;
import io.sim2real.training.model.RoundRule;
import io.sim2real.training.model.ScheduledRound;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * MBPO's model side over Kafka for every run whose method has a dynamics ensemble: the rounds are
 * {@link EnsembleRounds}' (training), when one starts {@link RoundTrigger}'s, both with the run's settings read at that
 * moment (so a resubmitted definition takes effect at the next round). This adapter feeds them the run's stores,
 * saves a checkpoint per round, publishes the round's rollouts on {@code sim2real.rollouts} and keeps the status and
 * metrics. Rounds run one at a time on a background thread.
 */
@ApplicationScoped
public class ModelTrainer {

    private static final Logger LOG = Logger.getLogger(ModelTrainer.class);

    /** A run's model and progress. */
    static final class RunModel {
        final ModelRounds rounds;
        final AtomicLong version = new AtomicLong();
        RoundTrigger trigger;
        volatile double holdoutMse = Double.NaN;
        volatile double trainNll = Double.NaN;
        volatile int[] elites = new int[0];

        RunModel(ModelRounds rounds) {
            this.rounds = rounds;
        }
    }

    /** What the trainer knows about a run's model, for the REST API. */
    public record ModelStatus(String runId, long version, boolean training, double holdoutMse, double trainNll,
                              int[] elites) {
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
    @Channel("rollouts-out")
    MutinyEmitter<Record<String, RolloutBatch>> rollouts;

    @Inject
    ModelConfig config;

    private final Map<String, RunModel> models = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "model-training");
        t.setDaemon(true);
        return t;
    });

    /** Called for every batch added to a store. */
    public void onTransitions(String runId, Domain domain, int count) {
        Optional<RunSettings> settings = runs.settings(runId);
        if (settings.isEmpty() || settings.get().traits().model() != MethodTraits.Model.ENSEMBLE
                || !RoundRule.counts(settings.get(), domain)) {
            return;
        }
        models.computeIfAbsent(runId, id -> create(settings.get())).trigger.onTransitions(settings.get(), count);
    }

    /**
     * Round r of a lockstep run: the ensemble fitted to what {@link ScheduledRound} covers; its rollouts act with the
     * policy the learner published at exactly b_r (random actions while no update is owed by then) and go out with
     * {@code coversEnvStep} b_r and the round's row count, so the learner knows when it holds the whole round.
     */
    private void lockstepRound(String runId, RunModel m, ScheduledRound next) {
        long round = next.round();
        long covers = next.covers();
        try {
            RunSettings settings = runs.settings(runId).orElseThrow();
            RoundData data = next.data(stores.sinceStart(runId, next.counted()), stores.sinceStart(runId, Domain.REAL));
            Optional<ActorRunner> policy = lockstepPolicy(policies, settings, round, covers);
            Timer.Sample timing = Timer.start(registry);
            ScheduledRound.Made made = next.train(m.rounds, data, settings, policy,
                    RolloutSchedule.parse(config.rolloutSchedule()).length(covers), config.rolloutBatchSize());
            RoundReport report = made.report();
            timing.stop(Timer.builder("sim2real.model.training").tag("run", runId)
                    .description("Time to train the run's dynamics model").register(registry));
            m.rounds.save(checkpointDir(runId), round);
            m.elites = report.ensemble().elites();
            m.trainNll = report.ensemble().trainNll();
            m.holdoutMse = report.ensemble().eliteHoldoutMse();
            long rows = 0;
            for (RolloutBatch b : made.rollouts()) {
                rollouts.sendAndAwait(Record.of(runId, b));
                rows += b.size();
            }
            m.version.set(round);
            Counter.builder("sim2real.model.rollouts").tag("run", runId)
                    .description("Model transitions published as rollouts").register(registry).increment(rows);
            LOG.infof("run %s: lockstep round %d on the first %d transitions%s (%d epochs, hold-out MSE %.4f), %d rollout "
                    + "transitions with %s", runId, round, covers, next.datasetRows() > 0 ? " and the dataset's "
                    + next.datasetRows() : "", report.ensemble().epochs(), m.holdoutMse, rows,
                    policy.map(p -> "policy v" + p.version()).orElse("random actions"));
        } catch (Exception e) {
            LOG.errorf(e, "run %s: lockstep model round %d failed", runId, round);
            Counter.builder("sim2real.model.training.failures").tag("run", runId)
                    .tag("reason", e instanceof NonFiniteException ? "non_finite" : "error")
                    .description("Training rounds stopped by a failure").register(registry).increment();
        }
    }

    /**
     * The policy a lockstep round at b_r rolls out with: the snapshot at exactly b_r, waited for up to the run's
     * lockstep timeout; none (random actions) while no update is owed by the first b_r counted transitions.
     */
    static Optional<ActorRunner> lockstepPolicy(PolicyFeed policies, RunSettings settings, long round, long covers)
            throws InterruptedException {
        OwedUpdates owed = new OwedUpdates(settings.number(RunParameter.UPDATES_PER_STEP),
                settings.whole(RunParameter.LEARNER_MIN_TRANSITIONS));
        if (owed.total(covers) == 0) {
            return Optional.empty();
        }
        Duration timeout = Duration.ofMillis(Math.round(1000 * settings.number(RunParameter.LOCKSTEP_TIMEOUT_SECONDS)));
        return Optional.of(new ActorRunner(policies.awaitEnvStep(settings.runId(), covers, timeout).orElseThrow(() ->
                new IllegalStateException("lockstep round " + round + ": no policy of run '" + settings.runId()
                        + "' at envStep " + covers + " within " + timeout))));
    }

    private RunModel create(RunSettings settings) {
        String runId = settings.runId();
        RunModel m = new RunModel(ModelRounds.of(settings, config.networks(), spec).orElseThrow());
        m.trigger = new RoundTrigger(runId, runs, stores, worker, m.version);
        m.trigger.rounds(new RoundTrigger.Rounds() {
            @Override
            public void free() {
                round(runId, m);
            }

            @Override
            public void scheduled(ScheduledRound next) {
                lockstepRound(runId, m, next);
            }
        });
        try {
            m.rounds.restore(checkpointDir(runId), new RoundData(RoundData.none(), RoundData.none()), settings)
                    .ifPresent(v -> {
                        m.version.set(v);
                        LOG.infof("run %s: model version %d restored from %s", runId, v, checkpointDir(runId));
                    });
        } catch (Checkpoint.CheckpointException e) {
            LOG.errorf("run %s: ignoring checkpoint in %s: %s", runId, checkpointDir(runId), e.getMessage());
        }
        Gauge.builder("sim2real.model.version", m.version, AtomicLong::get).tag("run", runId)
                .description("Version of the run's dynamics model").register(registry);
        Gauge.builder("sim2real.model.holdout.mse", m, x -> x.holdoutMse).tag("run", runId)
                .description("Mean hold-out error of the elites (standardised units)").register(registry);
        Gauge.builder("sim2real.model.train.nll", m, x -> x.trainNll).tag("run", runId)
                .description("Gaussian NLL of the last training epoch").register(registry);
        for (int e = 0; e < config.members(); e++) {
            int member = e;
            Gauge.builder("sim2real.model.elite", m, x -> contains(x.elites, member) ? 1 : 0).tag("run", runId)
                    .tag("member", String.valueOf(member)).description("1 if the member is an elite").register(registry);
        }
        return m;
    }

    private void round(String runId, RunModel m) {
        try {
            Optional<RunSettings> current = runs.settings(runId);
            if (current.isEmpty()) {
                return;
            }
            RunSettings settings = current.get();
            RoundData data = new RoundData(stores.held(runId, Domain.SIM), stores.held(runId, Domain.REAL));
            long envSteps = 0;
            for (Domain d : settings.ensembleDomains()) {
                envSteps += stores.added(runId, d);
            }
            long version = m.version.get() + 1;
            Timer.Sample timing = Timer.start(registry);
            RoundReport report = m.rounds.train(version, data, settings);
            timing.stop(Timer.builder("sim2real.model.training").tag("run", runId)
                    .description("Time to train the run's dynamics model").register(registry));
            // The new version is shown only once its checkpoint is on disk, so what a client sees survives a kill.
            m.rounds.save(checkpointDir(runId), version);
            m.elites = report.ensemble().elites();
            m.trainNll = report.ensemble().trainNll();
            m.holdoutMse = report.ensemble().eliteHoldoutMse();
            m.version.set(version);
            LOG.infof("run %s: model v%d trained on %d transitions in %d epochs (%.1f s), hold-out MSE %.4f, elites %s",
                    runId, version, report.rows(), report.ensemble().epochs(), report.ensemble().seconds(),
                    m.holdoutMse, java.util.Arrays.toString(report.ensemble().elites()));

            int length = RolloutSchedule.parse(config.rolloutSchedule()).length(envSteps);
            long t0 = System.nanoTime();
            Optional<ActorRunner> policy = policies.latest(runId).map(ActorRunner::new);
            long made = m.rounds.rollouts(version, data, settings, policy, length, config.rolloutBatchSize(),
                    batch -> rollouts.sendAndAwait(Record.of(runId, batch)));
            Counter.builder("sim2real.model.rollouts").tag("run", runId)
                    .description("Model transitions published as rollouts").register(registry).increment(made);
            LOG.infof("run %s: published %d of %d rollout transitions (length %d, %s) in %.1f s", runId, made,
                    settings.whole(RunParameter.ROLLOUTS_PER_ROUND) * length, length,
                    policy.map(p -> "policy v" + p.version()).orElse("random actions"), (System.nanoTime() - t0) / 1e9);
        } catch (NonFiniteException e) {
            LOG.errorf("run %s: training stopped, %s", runId, e.getMessage());
            Counter.builder("sim2real.model.training.failures").tag("run", runId).tag("reason", "non_finite")
                    .description("Training rounds stopped by a failure").register(registry).increment();
        } catch (Exception e) {
            LOG.errorf(e, "run %s: model round failed", runId);
            Counter.builder("sim2real.model.training.failures").tag("run", runId).tag("reason", "error")
                    .description("Training rounds stopped by a failure").register(registry).increment();
        }
    }

    public Optional<ModelStatus> status(String runId) {
        RunModel m = models.get(runId);
        return m == null ? Optional.empty() : Optional.of(new ModelStatus(runId, m.version.get(), m.trigger.training(),
                m.holdoutMse, m.trainNll, m.elites.clone()));
    }

    private Path checkpointDir(String runId) {
        return Path.of(config.checkpointDir(), runId);
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}

package io.sim2real.model.training;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.replay.TransitionStore;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.Rollouts;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.service.runs.RunRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
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
 * MBPO's model side for every run that uses a model: after every {@code train-every} new transitions of the
 * run's training domains (and at least {@code min-transitions}), retrain the run's dynamics ensemble, save a
 * checkpoint, and publish a round of branched rollouts. Rounds run one at a time on a background thread.
 */
@ApplicationScoped
public class ModelTrainer {

    private static final Logger LOG = Logger.getLogger(ModelTrainer.class);
    private static final Set<RunSpec.Method> MODEL_METHODS =
            EnumSet.of(RunSpec.Method.MBPO, RunSpec.Method.MBPO_SIM_ONLY, RunSpec.Method.MBPO_MIXED);

    /** A run's model and progress. */
    static final class RunModel {
        final DynamicsModel model;
        final AtomicLong version = new AtomicLong();
        final AtomicLong sinceTraining = new AtomicLong();
        volatile boolean training;
        volatile double holdoutMse = Double.NaN;
        volatile double trainNll = Double.NaN;
        volatile int[] elites = new int[0];

        RunModel(DynamicsModel model) {
            this.model = model;
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
        Optional<RunSpec> run = runs.get(runId);
        if (run.isEmpty() || !MODEL_METHODS.contains(run.get().method()) || !run.get().trainingDomains().contains(domain)) {
            return;
        }
        RunModel m = models.computeIfAbsent(runId, this::create);
        long since = m.sinceTraining.addAndGet(count);
        if (since >= config.trainEvery() && !m.training && available(run.get()) >= config.minTransitions()) {
            m.training = true;
            m.sinceTraining.set(0);
            worker.submit(() -> round(run.get(), m));
        }
    }

    private long available(RunSpec run) {
        long n = 0;
        for (Domain d : run.trainingDomains()) {
            n += stores.find(run.runId(), d).map(TransitionStore::size).orElse(0);
        }
        return n;
    }

    private RunModel create(String runId) {
        RunModel m = new RunModel(new DynamicsModel(spec.obsDim(), spec.actDim(), config.ensemble(runId.hashCode())));
        Path checkpoint = checkpointOf(runId);
        if (Files.exists(checkpoint)) {
            try {
                m.version.set(m.model.load(checkpoint));
                LOG.infof("run %s: model version %d restored from %s", runId, m.version.get(), checkpoint);
            } catch (Checkpoint.CheckpointException e) {
                LOG.errorf("run %s: ignoring checkpoint %s: %s", runId, checkpoint, e.getMessage());
            }
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

    private void round(RunSpec run, RunModel m) {
        String runId = run.runId();
        try {
            TransitionStore.Snapshot data = null;
            long envSteps = 0;
            for (Domain d : run.trainingDomains()) {
                Optional<TransitionStore> s = stores.find(runId, d);
                if (s.isPresent()) {
                    TransitionStore.Snapshot snap = s.get().snapshot();
                    data = data == null ? snap : data.concat(snap);
                    envSteps += s.get().added();
                }
            }
            if (data == null || data.size() < 2) {
                return;
            }
            Timer.Sample timing = Timer.start(registry);
            DynamicsModel.TrainingReport report = m.model.train(data.obs(), data.act(), data.rew(), data.nextObs(), data.size());
            timing.stop(Timer.builder("sim2real.model.training").tag("run", runId)
                    .description("Time to train the run's dynamics model").register(registry));
            // The new version is shown only once its checkpoint is on disk, so what a client sees survives a kill.
            long version = m.version.get() + 1;
            m.model.save(checkpointOf(runId), version);
            m.elites = report.elites();
            m.trainNll = report.trainNll();
            double eliteMse = report.eliteHoldoutMse();
            m.holdoutMse = eliteMse;
            m.version.set(version);
            LOG.infof("run %s: model v%d trained on %d transitions in %d epochs (%.1f s), hold-out MSE %.4f, elites %s",
                    runId, version, data.size(), report.epochs(), report.seconds(), eliteMse,
                    java.util.Arrays.toString(report.elites()));

            SplittableRandom random = new SplittableRandom(runId.hashCode() * 31L + version);
            Domain startDomain = run.trainingDomains().contains(Domain.SIM) ? Domain.SIM : Domain.REAL;
            double[][] starts = stores.find(runId, startDomain).orElseThrow().sampleObservations(config.rolloutsPerRound(), random);
            int length = RolloutSchedule.parse(config.rolloutSchedule()).length(envSteps);
            long t0 = System.nanoTime();
            Optional<ActorRunner> policy = policies.latest(runId).map(ActorRunner::new);
            long made = Rollouts.generate(m.model, false, spec, starts, length, runId, version, startDomain, config.rolloutBatchSize(),
                    random, policy, batch -> rollouts.sendAndAwait(Record.of(runId, batch)));
            Counter.builder("sim2real.model.rollouts").tag("run", runId)
                    .description("Model transitions published as rollouts").register(registry).increment(made);
            LOG.infof("run %s: published %d rollout transitions (length %d, %s) in %.1f s", runId, made, length,
                    policy.map(p -> "policy v" + p.version()).orElse("random actions"), (System.nanoTime() - t0) / 1e9);
        } catch (NonFiniteException e) {
            LOG.errorf("run %s: training stopped, %s", runId, e.getMessage());
            Counter.builder("sim2real.model.training.failures").tag("run", runId).tag("reason", "non_finite")
                    .description("Training rounds stopped by a failure").register(registry).increment();
        } catch (Exception e) {
            LOG.errorf(e, "run %s: model round failed", runId);
            Counter.builder("sim2real.model.training.failures").tag("run", runId).tag("reason", "error")
                    .description("Training rounds stopped by a failure").register(registry).increment();
        } finally {
            m.training = false;
        }
    }

    public Optional<ModelStatus> status(String runId) {
        RunModel m = models.get(runId);
        return m == null ? Optional.empty() : Optional.of(new ModelStatus(runId, m.version.get(), m.training,
                m.holdoutMse, m.trainNll, m.elites.clone()));
    }

    private Path checkpointOf(String runId) {
        return Path.of(config.checkpointDir(), runId, "dynamics.ckpt");
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

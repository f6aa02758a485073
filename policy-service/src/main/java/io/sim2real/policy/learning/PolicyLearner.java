package io.sim2real.policy.learning;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.ResumableRandom;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.replay.TransitionStore;
import io.sim2real.service.runs.RunRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * SAC for every run whose method trains a policy, asynchronously: each new environment transition of the
 * run's training domains owes G updates (updatesPerStep); a background thread pays them, each on a batch
 * mixing environment data (realRatio of it) with model rollouts for MBPO and latent methods, and publishes a
 * PolicySnapshot whenever it has caught up (its envStep: the transitions consumed, all their updates paid) and,
 * in async runs only, every {@code snapshot-every} environment transitions while behind.
 *
 * <p>Each run's learner is checkpointed ({@code <checkpoint-dir>/<runId>/sac.ckpt}: its Sac with optimiser, α and
 * noise states, the batch sampler's generator, its counters and the last transition record it applied per
 * partition) at every snapshot (before sending it), every {@code checkpoint-every} updates and on a graceful stop.
 * A learner created for a run with a checkpoint restores it and, while the transitions log is replayed into its
 * buffer ({@link ReplayResume}), owes nothing for the records the checkpoint reflects and updates nothing until
 * the replay has reached them; records after them owe their updates again. So a restarted learner continues the
 * run (in lockstep, bit for bit) instead of starting SAC from scratch. A checkpoint that cannot be used is logged
 * and the learner starts fresh.
 */
@ApplicationScoped
public class PolicyLearner {

    private static final Logger LOG = Logger.getLogger(PolicyLearner.class);
    /** Every method but gap-only trains a policy; all but SAC mix model rollouts (latent ones for latent-*). */
    private static final Set<RunSpec.Method> POLICY_METHODS = EnumSet.complementOf(EnumSet.of(RunSpec.Method.GAP_ONLY));
    private static final Set<RunSpec.Method> MODEL_METHODS =
            EnumSet.complementOf(EnumSet.of(RunSpec.Method.GAP_ONLY, RunSpec.Method.SAC));

    /** A run's learner state. */
    static final class RunLearner {
        final RunSpec run;
        final TransitionStore env;
        final TransitionStore model;
        final AtomicLong pending = new AtomicLong();
        final AtomicLong envSteps = new AtomicLong();
        final AtomicLong version = new AtomicLong();
        /** Replaced only by a restore, or a reset while {@link #resume} is set (the worker does not touch them then). */
        volatile Sac sac;
        volatile ResumableRandom random;
        volatile long lastSnapshotStep;
        volatile long updatesAtSnapshot;
        volatile long updates;
        volatile Sac.UpdateStats stats;
        /** Set while a restored learner waits for the replay to reach its checkpoint; the worker skips it. */
        volatile ReplayResume resume;
        /** Whether the restored checkpoint's snapshot must be published again (its send was not acknowledged). */
        volatile boolean republish;
        volatile long checkpointedUpdates = -1;
        /** Guarded by this learner: the first and last record applied per transitions partition, the next per rollouts one. */
        final Map<String, LearnerCheckpoint.Applied> firstApplied = new HashMap<>();
        final Map<String, LearnerCheckpoint.Applied> applied = new HashMap<>();
        final Map<String, Long> rolloutOffsets = new HashMap<>();
        /** Guarded by this learner: what the replayed records would owe a fresh learner (for a reset). */
        long owedIfFresh;

        RunLearner(RunSpec run, Sac sac, TransitionStore env, TransitionStore model, long seed) {
            this.run = run;
            this.sac = sac;
            this.env = env;
            this.model = model;
            this.random = new ResumableRandom(seed);
        }
    }

    /** What the learner knows about a run, for the REST API. */
    public record LearnerStatus(String runId, long envSteps, long updates, long pendingUpdates, long policyVersion,
                                Double criticLoss, Double actorLoss, Double alpha, Double entropy,
                                long checkpointedUpdates, boolean resuming) {
    }

    @Inject
    RunRegistry runs;

    @Inject
    EnvSpec spec;

    @Inject
    MeterRegistry registry;

    @Inject
    @Channel("policies-out")
    MutinyEmitter<Record<String, PolicySnapshot>> policies;

    @Inject
    PolicyConfig config;

    private final Map<String, RunLearner> learners = new ConcurrentHashMap<>();
    private Thread worker;
    private volatile boolean running = true;

    @PostConstruct
    void start() {
        worker = new Thread(this::work, "policy-learning");
        worker.setDaemon(true);
        worker.start();
    }

    public void onTransitions(TransitionBatch batch, IncomingKafkaRecordMetadata<?, ?> source) {
        Optional<RunSpec> run = runs.get(batch.runId());
        if (run.isEmpty() || !POLICY_METHODS.contains(run.get().method())
                || !run.get().trainingDomains().contains(batch.domain())) {
            return;
        }
        RunLearner l = learners.computeIfAbsent(batch.runId(), id -> create(run.get()));
        // One record at a time per learner: a checkpoint reads the counters and the offsets they reflect together.
        synchronized (l) {
            long before = l.env.added();
            l.env.add(batch);
            double g = run.get().parameters() == null ? config.updatesPerStep()
                    : run.get().parameters().getOrDefault("updatesPerStep", config.updatesPerStep());
            // As in MBPO, the warm-up owes no updates: G per transition from the min-transitions-th on.
            long counted = Math.max(0, l.env.added() - Math.max(before, config.minTransitions() - 1L));
            long owed = Math.round(g * counted);
            boolean reflected = false;
            if (source != null) {
                String partition = LearnerCheckpoint.partition(source.getTopic(), source.getPartition());
                long timestamp = source.getTimestamp() == null ? -1 : source.getTimestamp().toEpochMilli();
                ReplayResume resume = l.resume;
                if (resume != null) {
                    ReplayResume.Verdict verdict = resume.accept(partition, source.getOffset(), timestamp);
                    if (verdict == ReplayResume.Verdict.MISMATCH) {
                        LOG.errorf("run %s: the transitions log does not match the learner's checkpoint (%s offset %d); "
                                + "starting the learner afresh", l.run.runId(), partition, source.getOffset());
                        restart(l);
                    } else if (verdict == ReplayResume.Verdict.REFLECTED) {
                        reflected = true;
                    }
                    if (l.resume != null && resume.complete()) {
                        LOG.infof("run %s: the replay reached the checkpoint (%d transitions); the learner goes on after %d updates",
                                l.run.runId(), l.env.added(), l.updates);
                        l.resume = null;
                    }
                }
                LearnerCheckpoint.Applied record = new LearnerCheckpoint.Applied(source.getOffset(), timestamp);
                l.firstApplied.putIfAbsent(partition, record);
                l.applied.put(partition, record);
            }
            l.owedIfFresh += owed;
            if (!reflected) {
                owe(l, owed);
            }
            // Counted after the updates are owed: a snapshot's envStep never counts a transition whose updates the
            // learner has not yet seen (the worker reads envSteps before it checks that nothing is pending).
            l.envSteps.addAndGet(batch.size());
        }
    }

    private void owe(RunLearner l, long owed) {
        long now = l.pending.addAndGet(owed);
        if (now > config.maxPendingUpdates()) {
            long dropped = now - config.maxPendingUpdates();
            l.pending.addAndGet(-dropped);
            Counter.builder("sim2real.policy.updates.dropped").tag("run", l.run.runId())
                    .description("Updates owed but dropped because the learner fell too far behind")
                    .register(registry).increment(dropped);
        }
    }

    public void onRollouts(RolloutBatch batch, IncomingKafkaRecordMetadata<?, ?> source) {
        Optional<RunSpec> run = runs.get(batch.runId());
        if (run.isEmpty() || !MODEL_METHODS.contains(run.get().method())) {
            return;
        }
        RunLearner l = learners.computeIfAbsent(batch.runId(), id -> create(run.get()));
        synchronized (l) {
            l.model.add(batch);
            if (source != null) {
                l.rolloutOffsets.merge(LearnerCheckpoint.partition(source.getTopic(), source.getPartition()),
                        source.getOffset() + 1, Math::max);
            }
        }
    }

    private Sac newSac(RunSpec run) {
        int[] sizes = config.hidden().stream().mapToInt(Integer::intValue).toArray();
        return new Sac(SacConfig.standard(spec.obsDim(), spec.actDim(), run.seed()).withHidden(sizes)
                .withBatchSize(config.batchSize()));
    }

    private RunLearner create(RunSpec run) {
        RunLearner l = new RunLearner(run, newSac(run), new TransitionStore(config.envCapacity()),
                new TransitionStore(config.modelCapacity()), run.seed());
        restore(l);
        String id = run.runId();
        Gauge.builder("sim2real.policy.pending.updates", l.pending, AtomicLong::get).tag("run", id)
                .description("Updates owed to new transitions: the learner's lag").register(registry);
        Gauge.builder("sim2real.policy.version", l.version, AtomicLong::get).tag("run", id)
                .description("Newest published policy version").register(registry);
        Gauge.builder("sim2real.policy.critic.loss", l, x -> x.stats == null ? Double.NaN : x.stats.criticLoss()).tag("run", id)
                .description("SAC critic loss of the last update").register(registry);
        Gauge.builder("sim2real.policy.actor.loss", l, x -> x.stats == null ? Double.NaN : x.stats.actorLoss()).tag("run", id)
                .description("SAC actor loss of the last update").register(registry);
        Gauge.builder("sim2real.policy.alpha", l, x -> x.stats == null ? Double.NaN : x.stats.alpha()).tag("run", id)
                .description("SAC temperature").register(registry);
        return l;
    }

    private void work() {
        while (running) {
            boolean worked = false;
            for (RunLearner l : learners.values()) {
                worked |= updateSome(l, 50);
            }
            if (!worked) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Pays up to {@code max} owed updates of one run; publishes a snapshot when one is due. */
    private boolean updateSome(RunLearner l, int max) {
        if (l.resume != null) {
            return false;
        }
        if (l.republish) {
            republish(l);
        }
        if (l.env.size() < config.minTransitions() || l.pending.get() <= 0) {
            return false;
        }
        if (runs.get(l.run.runId()).isEmpty()) {
            // A deleted run is stopped: its learner keeps its state and what it owes, and goes on if the run is
            // submitted again (resume).
            return false;
        }
        String runId = l.run.runId();
        try {
            int done = 0;
            while (done < max && l.pending.get() > 0) {
                TransitionStore.Sample batch = mixedBatch(l, l.random);
                l.stats = l.sac.update(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done(), config.batchSize());
                l.pending.decrementAndGet();
                l.updates++;
                done++;
            }
            Counter.builder("sim2real.policy.updates").tag("run", runId).description("SAC updates performed")
                    .register(registry).increment(done);
            // Publish whenever the learner has caught up with new data: envStep transitions consumed and every
            // update they owe paid, which is what a lockstep collection waits for. Async runs also publish every
            // snapshot-every env steps while behind, so that acting never uses a policy too stale; a lockstep run
            // does not, as such a snapshot's envStep would count transitions whose updates are still owed.
            long steps = l.envSteps.get();
            boolean caughtUp = l.pending.get() == 0 && l.updates > l.updatesAtSnapshot;
            boolean periodic = l.run.mode() == RunSpec.Mode.ASYNC && steps - l.lastSnapshotStep >= config.snapshotEvery();
            if (periodic || caughtUp) {
                publish(l, steps);
            } else if (config.checkpointEvery() > 0 && l.updates - Math.max(0, l.checkpointedUpdates) >= config.checkpointEvery()) {
                checkpoint(l, capture(l));
            }
        } catch (NonFiniteException e) {
            LOG.errorf("run %s: SAC update refused, %s; pending updates dropped", runId, e.getMessage());
            l.pending.set(0);
            Counter.builder("sim2real.policy.training.failures").tag("run", runId).tag("reason", "non_finite")
                    .description("SAC updates stopped by a failure").register(registry).increment();
        }
        return true;
    }

    private TransitionStore.Sample mixedBatch(RunLearner l, ResumableRandom random) {
        boolean useModel = MODEL_METHODS.contains(l.run.method()) && l.model.size() > 0;
        double ratio = l.run.parameters() == null ? config.realRatio()
                : l.run.parameters().getOrDefault("realRatio", config.realRatio());
        int batchSize = config.batchSize();
        int fromEnv = useModel ? Math.max(1, (int) Math.round(batchSize * ratio)) : batchSize;
        TransitionStore.Sample e = l.env.sample(fromEnv, random.get());
        if (fromEnv == batchSize) {
            return e;
        }
        return e.concat(l.model.sample(batchSize - fromEnv, random.get()));
    }

    private void publish(RunLearner l, long envSteps) {
        long version = l.version.get() + 1;
        PolicySnapshot snapshot = PolicySnapshots.toSnapshot(l.sac.actor(), spec.obsDim(),
                config.hidden().stream().mapToInt(Integer::intValue).toArray(), l.run.runId(), version, envSteps);
        // Checkpointed before it is sent: a learner restored from this checkpoint sends the snapshot again, so a
        // kill between the two loses neither the state nor the snapshot a lockstep collection waits for.
        LearnerCheckpoint c = capture(l);
        checkpoint(l, new LearnerCheckpoint(c.runId(), c.runSeed(), c.method(), c.updates(), c.pending(), version,
                envSteps, c.updates(), c.envSteps(), c.envTransitions(), c.randomState(), true, c.firstTransitions(), c.transitions(),
                c.rollouts(), c.rolloutTransitions()));
        policies.sendAndAwait(Record.of(l.run.runId(), snapshot));
        l.version.set(version);
        l.lastSnapshotStep = envSteps;
        l.updatesAtSnapshot = l.updates;
        LOG.infof("run %s: published policy v%d at %d env steps after %d updates", l.run.runId(), version, envSteps, l.updates);
    }

    /** Sends the restored checkpoint's snapshot again: its weights, version and envStep, as first published. */
    private void republish(RunLearner l) {
        PolicySnapshot snapshot = PolicySnapshots.toSnapshot(l.sac.actor(), spec.obsDim(),
                config.hidden().stream().mapToInt(Integer::intValue).toArray(), l.run.runId(), l.version.get(),
                l.lastSnapshotStep);
        policies.sendAndAwait(Record.of(l.run.runId(), snapshot));
        l.republish = false;
        LOG.infof("run %s: published policy v%d again, as restored from its checkpoint", l.run.runId(), l.version.get());
    }

    private Path checkpointOf(String runId) {
        return Path.of(config.checkpointDir(), runId, "sac.ckpt");
    }

    /**
     * The learner's state besides its Sac, on the worker thread (the only one that updates the Sac and draws from
     * its generator): the counters and the offsets they reflect are read together under the learner's lock.
     */
    private LearnerCheckpoint capture(RunLearner l) {
        long randomState = l.random.state();
        synchronized (l) {
            return new LearnerCheckpoint(l.run.runId(), l.run.seed(), l.run.method().name(), l.updates, l.pending.get(),
                    l.version.get(), l.lastSnapshotStep, l.updatesAtSnapshot, l.envSteps.get(), l.env.added(), randomState,
                    false, Map.copyOf(l.firstApplied), Map.copyOf(l.applied), Map.copyOf(l.rolloutOffsets), l.model.added());
        }
    }

    /** Writes a checkpoint (atomically); a failure is logged and counted, and training goes on. */
    private void checkpoint(RunLearner l, LearnerCheckpoint state) {
        Path file = checkpointOf(l.run.runId());
        try {
            l.sac.save(file, state.toMap());
            l.checkpointedUpdates = state.updates();
            checkpoints(l.run.runId(), "written").increment();
            LOG.debugf("run %s: checkpoint after %d updates at %d env steps", l.run.runId(), state.updates(), state.envSteps());
        } catch (IOException | RuntimeException e) {
            checkpoints(l.run.runId(), "failed").increment();
            LOG.errorf("run %s: could not write the checkpoint %s: %s", l.run.runId(), file, e.toString());
        }
    }

    private Counter checkpoints(String runId, String outcome) {
        return Counter.builder("sim2real.policy.checkpoints").tag("run", runId).tag("outcome", outcome)
                .description("Learner checkpoints by outcome: written, failed, restored, ignored").register(registry);
    }

    /** Restores the run's checkpoint into a new learner, if it has a usable one; otherwise it starts fresh. */
    private void restore(RunLearner l) {
        String runId = l.run.runId();
        Path file = checkpointOf(runId);
        if (!Files.exists(file)) {
            return;
        }
        try {
            Sac sac = newSac(l.run);
            LearnerCheckpoint c = LearnerCheckpoint.fromMap(sac.restore(file));
            if (!runId.equals(c.runId()) || c.runSeed() != l.run.seed() || !l.run.method().name().equals(c.method())) {
                throw new IllegalArgumentException("it belongs to run " + c.runId() + " (seed " + c.runSeed() + ", "
                        + c.method() + "), not this run's definition (seed " + l.run.seed() + ", " + l.run.method() + ")");
            }
            l.sac = sac;
            l.random = new ResumableRandom(c.randomState());
            l.updates = c.updates();
            l.pending.set(c.pending());
            l.version.set(c.version());
            l.lastSnapshotStep = c.lastSnapshotStep();
            l.updatesAtSnapshot = c.updatesAtSnapshot();
            l.checkpointedUpdates = c.updates();
            l.republish = c.republish();
            l.resume = c.transitions().isEmpty() ? null : new ReplayResume(c.firstTransitions(), c.transitions());
            checkpoints(runId, "restored").increment();
            LOG.infof("run %s: learner restored from %s: %d updates, policy v%d, %d updates owed, reflecting %d env "
                    + "transitions (%s) and rollouts %s", runId, file, c.updates(), c.version(), c.pending(),
                    c.envTransitions(), c.transitions(), c.rollouts());
        } catch (Checkpoint.CheckpointException | IllegalArgumentException e) {
            checkpoints(runId, "ignored").increment();
            LOG.errorf("run %s: ignoring the learner checkpoint %s, starting afresh: %s", runId, file, e.getMessage());
        }
    }

    /** Forgets a restored state (the log does not match it): a fresh learner owing what the replay owes so far. */
    private void restart(RunLearner l) {
        checkpoints(l.run.runId(), "ignored").increment();
        l.sac = newSac(l.run);
        l.random = new ResumableRandom(l.run.seed());
        l.updates = 0;
        l.version.set(0);
        l.lastSnapshotStep = 0;
        l.updatesAtSnapshot = 0;
        l.checkpointedUpdates = -1;
        l.republish = false;
        l.pending.set(0);
        owe(l, l.owedIfFresh);
        l.resume = null;
    }

    public Optional<LearnerStatus> status(String runId) {
        RunLearner l = learners.get(runId);
        if (l == null) {
            return Optional.empty();
        }
        Sac.UpdateStats s = l.stats;
        return Optional.of(new LearnerStatus(runId, l.envSteps.get(), l.updates, l.pending.get(), l.version.get(),
                s == null ? null : s.criticLoss(), s == null ? null : s.actorLoss(), s == null ? null : s.alpha(),
                s == null ? null : s.entropy(), l.checkpointedUpdates, l.resume != null));
    }

    /** A graceful stop: the worker ends its batch of updates, then every learner that has moved on is checkpointed. */
    @PreDestroy
    void stop() {
        running = false;
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt();
            LOG.warn("the learning thread did not stop within 30 s; no checkpoints written at shutdown");
            return;
        }
        for (RunLearner l : learners.values()) {
            if (l.resume == null && l.updates != l.checkpointedUpdates) {
                checkpoint(l, capture(l));
            }
        }
    }
}

package io.sim2real.policy.learning;

import io.sim2real.methods.LockstepSchedule;
import io.sim2real.training.policy.LockstepSnapshots;
import io.sim2real.training.policy.ScheduledRollouts;
import java.util.OptionalLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.Checkpoint;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.ResumableRandom;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.service.runs.RunRegistry;
import io.sim2real.training.policy.OwedUpdates;
import io.sim2real.training.policy.SacLearning;
import io.sim2real.training.policy.SnapshotRule;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * SAC for every run whose method trains a policy ({@link MethodTraits#trainsPolicy()}), asynchronously, over the
 * plain-Java {@link SacLearning}: each new environment transition of the run's training domains owes G updates
 * ({@code updatesPerStep}, cumulatively from the {@code learnerMinTransitions}-th transition on: {@link OwedUpdates});
 * a background thread pays them, each on a batch mixing environment data ({@code realRatio} of it) with model
 * rollouts for methods that roll out ({@link MethodTraits#rollsOut()}), and publishes a PolicySnapshot whenever it has
 * caught up (its envStep: the transitions consumed, all their updates paid) and, in async runs only, every
 * {@code snapshot-every} environment transitions while behind ({@link SnapshotRule}).
 *
 * <p>The run's settings are read from the run registry whenever its transitions owe updates and whenever a batch is
 * drawn, so a resubmitted RunSpec's {@code updatesPerStep}, {@code realRatio} or {@code learnerMinTransitions} takes
 * effect from the next record or batch on (transitions already counted keep what they owe). An update owed by the
 * run's n-th transition draws its environment rows from the first n transitions only, whatever has arrived since, so
 * the learner's result does not depend on how transitions are cut into records nor on when the worker pays. Seeds come
 * from the run's seed ({@link RunSeeds}): SAC's from {@link RunSeeds.Stream#SAC}, the batch rows' generator from
 * {@link RunSeeds.Stream#BATCHES}.
 *
 * <p>Each run's learner is checkpointed ({@code <checkpoint-dir>/<runId>/sac.ckpt}: its Sac with optimiser, α and
 * noise states, the batch sampler's generator, its counters, the owed updates with the transitions that owed them
 * and the last transition record it applied per partition) at every snapshot (before sending it), every
 * {@code checkpoint-every} updates and on a graceful stop. A learner created for a run with a checkpoint (of the
 * same run, seed and method) restores it and, while the transitions log is replayed into its buffer
 * ({@link ReplayResume}), owes nothing for the records the checkpoint reflects and updates nothing until the replay
 * has reached them; records after them owe their updates again. So a restarted learner continues the run (in
 * lockstep, bit for bit) instead of starting SAC from scratch. A checkpoint that cannot be used is logged and the
 * learner starts fresh; one the log turns out not to match is dropped mid-replay, and the learner starts afresh
 * owing what the transitions replayed so far owe under the run's current settings.
 */
@ApplicationScoped
public class PolicyLearner {

    private static final Logger LOG = Logger.getLogger(PolicyLearner.class);

    /** A run's learner state. */
    static final class RunLearner {
        /** What the run was made with (a resubmitted definition cannot change them). */
        final String runId;
        final long seed;
        final RunSpec.Method method;
        final RunSeeds seeds;
        /** The environment transitions, rollouts and owed updates. */
        final SacLearning data;
        final AtomicLong envSteps = new AtomicLong();
        final AtomicLong version = new AtomicLong();
        /** Replaced only by a restore, or a reset while {@link #resume} is set (the worker does not touch them then). */
        volatile Sac sac;
        volatile ResumableRandom random;
        volatile long lastSnapshotStep;
        volatile long updatesAtSnapshot;
        volatile long updates;
        volatile Sac.UpdateStats stats;
        /** The settings last used: G of the last record that owed updates, environment rows of the last batch. */
        volatile Double updatesPerStep;
        volatile Integer environmentRows;
        /** Set while a restored learner waits for the replay to reach its checkpoint; the worker skips it. */
        volatile ReplayResume resume;
        /** Whether the restored checkpoint's snapshot must be published again (its send was not acknowledged). */
        volatile boolean republish;
        volatile long checkpointedUpdates = -1;
        /** Guarded by this learner: the first and last record applied per transitions partition, the next per rollouts one. */
        final Map<String, LearnerCheckpoint.Applied> firstApplied = new HashMap<>();
        final Map<String, LearnerCheckpoint.Applied> applied = new HashMap<>();
        final Map<String, Long> rolloutOffsets = new HashMap<>();
        /**
         * A lockstep MBPO run's rollouts by schedule round ({@link ScheduledRollouts}), for a learner that started
         * afresh; a restored one mixes the rollouts it holds (its run is not exact across the kill, and the rounds
         * consumed before it are not read again).
         */
        final ScheduledRollouts scheduled = new ScheduledRollouts();
        volatile boolean followsSchedule = true;
        /** The thread that built this learner (DataConsumers: a worker, never a Vert.x event loop). */
        final String builtOn = Thread.currentThread().getName();

        RunLearner(RunSettings run, Sac sac, SacLearning data) {
            this.runId = run.runId();
            this.seed = run.spec().seed();
            this.method = run.method();
            this.seeds = run.seeds();
            this.sac = sac;
            this.data = data;
            this.random = new ResumableRandom(seeds.of(RunSeeds.Stream.BATCHES));
        }
    }

    /** What the learner knows about a run, for the REST API. */
    public record LearnerStatus(String runId, long envSteps, long updates, long pendingUpdates, long policyVersion,
                                Double criticLoss, Double actorLoss, Double alpha, Double entropy,
                                long checkpointedUpdates, boolean resuming, Double updatesPerStep,
                                Integer environmentRows) {
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
    private SnapshotRule snapshots;
    private Thread worker;
    private volatile boolean running = true;

    @PostConstruct
    void start() {
        snapshots = new SnapshotRule(config.snapshotEvery(), config.checkpointEvery());
        worker = new Thread(this::work, "policy-learning");
        worker.setDaemon(true);
        worker.start();
    }

    public void onTransitions(TransitionBatch batch, IncomingKafkaRecordMetadata<?, ?> source) {
        Optional<RunSettings> run = runs.settings(batch.runId());
        if (run.isEmpty() || !run.get().traits().trainsPolicy() || !run.get().trainingDomains().contains(batch.domain())) {
            return;
        }
        RunLearner l = learners.computeIfAbsent(batch.runId(), id -> create(run.get()));
        OwedUpdates rule = new OwedUpdates(run.get().number(RunParameter.UPDATES_PER_STEP),
                run.get().whole(RunParameter.LEARNER_MIN_TRANSITIONS));
        // One record at a time per learner: a checkpoint reads the counters and the offsets they reflect together.
        synchronized (l) {
            boolean reflected = false;
            if (source != null) {
                String partition = LearnerCheckpoint.partition(source.getTopic(), source.getPartition());
                long timestamp = source.getTimestamp() == null ? -1 : source.getTimestamp().toEpochMilli();
                ReplayResume resume = l.resume;
                if (resume != null) {
                    ReplayResume.Verdict verdict = resume.accept(partition, source.getOffset(), timestamp);
                    if (verdict == ReplayResume.Verdict.MISMATCH) {
                        LOG.errorf("run %s: the transitions log does not match the learner's checkpoint (%s offset %d); "
                                + "starting the learner afresh", l.runId, partition, source.getOffset());
                        restart(l, rule);
                    } else if (verdict == ReplayResume.Verdict.REFLECTED) {
                        reflected = true;
                    }
                }
                LearnerCheckpoint.Applied record = new LearnerCheckpoint.Applied(source.getOffset(), timestamp);
                l.firstApplied.putIfAbsent(partition, record);
                l.applied.put(partition, record);
            }
            // As in MBPO, the warm-up owes no updates: G per transition from the min-transitions-th on.
            dropped(l, l.data.addTransitions(batch, rule, !reflected, config.maxPendingUpdates()));
            l.updatesPerStep = rule.updatesPerStep();
            ReplayResume resume = l.resume;
            if (resume != null && resume.complete()) {
                LOG.infof("run %s: the replay reached the checkpoint (%d transitions); the learner goes on after %d updates",
                        l.runId, l.data.environment().added(), l.updates);
                l.resume = null;
            }
            // Counted after the updates are owed: a snapshot's envStep never counts a transition whose updates the
            // learner has not yet seen (the worker reads envSteps before it checks that nothing is pending).
            l.envSteps.addAndGet(batch.size());
        }
    }

    /** Counts updates owed but dropped because more than max-pending-updates were pending. */
    private void dropped(RunLearner l, long dropped) {
        if (dropped > 0) {
            Counter.builder("sim2real.policy.updates.dropped").tag("run", l.runId)
                    .description("Updates owed but dropped because the learner fell too far behind")
                    .register(registry).increment(dropped);
        }
    }

    public void onRollouts(RolloutBatch batch, IncomingKafkaRecordMetadata<?, ?> source) {
        Optional<RunSettings> run = runs.settings(batch.runId());
        if (run.isEmpty() || !run.get().traits().rollsOut()) {
            return;
        }
        RunLearner l = learners.computeIfAbsent(batch.runId(), id -> create(run.get()));
        synchronized (l) {
            if (l.followsSchedule && batch.coversEnvStep() != null && batch.roundRows() != null
                    && run.get().lockstepSchedule().isPresent()) {
                l.scheduled.add(batch);
            } else {
                l.data.addRollouts(batch);
            }
            if (source != null) {
                l.rolloutOffsets.merge(LearnerCheckpoint.partition(source.getTopic(), source.getPartition()),
                        source.getOffset() + 1, Math::max);
            }
        }
    }

    private int[] hidden() {
        return config.hidden().stream().mapToInt(Integer::intValue).toArray();
    }

    private Sac newSac(RunSeeds seeds) {
        return new Sac(SacConfig.standard(spec.obsDim(), spec.actDim(), seeds.of(RunSeeds.Stream.SAC)).withHidden(hidden())
                .withBatchSize(config.batchSize()));
    }

    private RunLearner create(RunSettings run) {
        RunLearner l = new RunLearner(run, newSac(run.seeds()), new SacLearning(config.envCapacity(), config.modelCapacity()));
        // A lockstep run on sim and a real dataset: the dataset first, whatever the order its records and sim ones arrive in.
        run.lockstepSchedule().filter(LockstepSchedule::hasDataset).ifPresent(s -> l.data.expectDataset(s.datasetRows()));
        restore(l);
        String id = run.runId();
        Gauge.builder("sim2real.policy.pending.updates", l, x -> x.data.owed().pending()).tag("run", id)
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

    /** Pays up to {@code max} owed updates of one run, with its current settings; publishes a snapshot when one is due. */
    private boolean updateSome(RunLearner l, int max) {
        if (l.resume != null) {
            return false;
        }
        if (l.republish) {
            republish(l);
        }
        Optional<RunSettings> scheduledRun = runs.settings(l.runId);
        if (l.followsSchedule && scheduledRun.isPresent() && scheduledRun.get().lockstepSchedule().isPresent()) {
            return updateScheduled(l, scheduledRun.get(), scheduledRun.get().lockstepSchedule().get(), max);
        }
        if (l.data.owed().pending() <= 0) {
            return false;
        }
        Optional<RunSettings> settings = runs.settings(l.runId);
        if (settings.isEmpty()) {
            // A deleted run is stopped: its learner keeps its state and what it owes, and goes on if the run is
            // submitted again (resume).
            return false;
        }
        RunSettings run = settings.get();
        boolean mix = run.traits().rollsOut();
        try {
            int done = 0;
            while (done < max) {
                // The run's settings as they are now, for each batch (a resubmitted realRatio takes effect at once).
                run = runs.settings(l.runId).orElse(run);
                double realRatio = mix ? run.number(RunParameter.REAL_RATIO) : 1;
                SacLearning.Paid paid = l.data.payOne(l.sac, l.random.get(), realRatio, config.batchSize(), mix);
                if (paid == null) {
                    break;
                }
                l.stats = paid.stats();
                l.environmentRows = paid.environmentRows();
                l.updates++;
                done++;
            }
            Counter.builder("sim2real.policy.updates").tag("run", l.runId).description("SAC updates performed")
                    .register(registry).increment(done);
            long steps = l.envSteps.get();
            switch (snapshots.after(run.lockstep(), steps,
                    l.data.owed().pending(), l.updates, l.lastSnapshotStep, l.updatesAtSnapshot, l.checkpointedUpdates)) {
                case SNAPSHOT -> publish(l, steps);
                case CHECKPOINT -> checkpoint(l, capture(l));
                case NOTHING -> {
                }
            }
        } catch (NonFiniteException e) {
            LOG.errorf("run %s: SAC update refused, %s; pending updates dropped", l.runId, e.getMessage());
            l.data.owed().clear();
            Counter.builder("sim2real.policy.training.failures").tag("run", l.runId).tag("reason", "non_finite")
                    .description("SAC updates stopped by a failure").register(registry).increment();
        }
        return true;
    }

    /**
     * A lockstep MBPO run's learner follows its {@link LockstepSchedule}: each update mixes in exactly its round's
     * rollouts and waits until they are all here, and snapshots are published at chunk boundaries
     * ({@link LockstepSnapshots}), so what it publishes depends on the transitions and settings only.
     */
    private boolean updateScheduled(RunLearner l, RunSettings run, LockstepSchedule schedule, int max) {
        boolean worked = false;
        try {
            int done = 0;
            while (done < max) {
                long next;
                long consumed;
                synchronized (l) {
                    next = l.data.nextCounted();
                    consumed = l.data.counted();
                }
                OptionalLong boundary = LockstepSnapshots.due(schedule.chunk(), next, consumed, l.lastSnapshotStep,
                        l.updates > l.updatesAtSnapshot);
                if (boundary.isPresent()) {
                    publish(l, boundary.getAsLong());
                    worked = true;
                    continue;
                }
                if (next == 0) {
                    break;
                }
                run = runs.settings(l.runId).orElse(run);
                double realRatio = run.traits().rollsOut() ? run.number(RunParameter.REAL_RATIO) : 1;
                SacLearning.Paid paid = l.data.payOneScheduled(l.sac, l.random.get(), realRatio, config.batchSize(), schedule,
                        l.scheduled);
                if (paid == null) {
                    break; // its round's rollouts are not all here yet
                }
                l.stats = paid.stats();
                l.environmentRows = paid.environmentRows();
                l.updates++;
                done++;
                worked = true;
            }
            Counter.builder("sim2real.policy.updates").tag("run", l.runId).description("SAC updates performed")
                    .register(registry).increment(done);
            if (done > 0 && config.checkpointEvery() > 0
                    && l.updates - Math.max(0, l.checkpointedUpdates) >= config.checkpointEvery()) {
                checkpoint(l, capture(l));
            }
        } catch (NonFiniteException e) {
            LOG.errorf("run %s: SAC update refused, %s; pending updates dropped", l.runId, e.getMessage());
            l.data.owed().clear();
            Counter.builder("sim2real.policy.training.failures").tag("run", l.runId).tag("reason", "non_finite")
                    .description("SAC updates stopped by a failure").register(registry).increment();
        }
        return worked;
    }

    private void publish(RunLearner l, long envSteps) {
        long version = l.version.get() + 1;
        PolicySnapshot snapshot = PolicySnapshots.toSnapshot(l.sac.actor(), spec.obsDim(),
                hidden(), l.runId, version, envSteps);
        // Checkpointed before it is sent: a learner restored from this checkpoint sends the snapshot again, so a
        // kill between the two loses neither the state nor the snapshot a lockstep collection waits for.
        LearnerCheckpoint c = capture(l);
        checkpoint(l, new LearnerCheckpoint(c.runId(), c.runSeed(), c.method(), c.updates(), c.pending(), c.owed(),
                version, envSteps, c.updates(), c.envSteps(), c.envTransitions(), c.randomState(), true,
                c.firstTransitions(), c.transitions(), c.rollouts(), c.rolloutTransitions()));
        policies.sendAndAwait(Record.of(l.runId, snapshot));
        l.version.set(version);
        l.lastSnapshotStep = envSteps;
        l.updatesAtSnapshot = l.updates;
        LOG.infof("run %s: published policy v%d at %d env steps after %d updates", l.runId, version, envSteps, l.updates);
    }

    /** Sends the restored checkpoint's snapshot again: its weights, version and envStep, as first published. */
    private void republish(RunLearner l) {
        PolicySnapshot snapshot = PolicySnapshots.toSnapshot(l.sac.actor(), spec.obsDim(),
                hidden(), l.runId, l.version.get(),
                l.lastSnapshotStep);
        policies.sendAndAwait(Record.of(l.runId, snapshot));
        l.republish = false;
        LOG.infof("run %s: published policy v%d again, as restored from its checkpoint", l.runId, l.version.get());
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
            return new LearnerCheckpoint(l.runId, l.seed, l.method.name(), l.updates, l.data.owed().pending(),
                    l.data.owed().toList(), l.version.get(), l.lastSnapshotStep, l.updatesAtSnapshot, l.envSteps.get(),
                    l.data.environment().added(), randomState, false, Map.copyOf(l.firstApplied), Map.copyOf(l.applied),
                    Map.copyOf(l.rolloutOffsets), l.data.rollouts().added());
        }
    }

    /** Writes a checkpoint (atomically); a failure is logged and counted, and training goes on. */
    private void checkpoint(RunLearner l, LearnerCheckpoint state) {
        Path file = checkpointOf(l.runId);
        try {
            l.sac.save(file, state.toMap());
            l.checkpointedUpdates = state.updates();
            checkpoints(l.runId, "written").increment();
            LOG.debugf("run %s: checkpoint after %d updates at %d env steps", l.runId, state.updates(), state.envSteps());
        } catch (IOException | RuntimeException e) {
            checkpoints(l.runId, "failed").increment();
            LOG.errorf("run %s: could not write the checkpoint %s: %s", l.runId, file, e.toString());
        }
    }

    private Counter checkpoints(String runId, String outcome) {
        return Counter.builder("sim2real.policy.checkpoints").tag("run", runId).tag("outcome", outcome)
                .description("Learner checkpoints by outcome: written, failed, restored, ignored").register(registry);
    }

    /** Restores the run's checkpoint into a new learner, if it has a usable one; otherwise it starts fresh. */
    private void restore(RunLearner l) {
        String runId = l.runId;
        Path file = checkpointOf(runId);
        if (!Files.exists(file)) {
            return;
        }
        try {
            Sac sac = newSac(l.seeds);
            LearnerCheckpoint c = LearnerCheckpoint.fromMap(sac.restore(file));
            if (!runId.equals(c.runId()) || c.runSeed() != l.seed || !l.method.name().equals(c.method())) {
                throw new IllegalArgumentException("it belongs to run " + c.runId() + " (seed " + c.runSeed() + ", "
                        + c.method() + "), not this run's definition (seed " + l.seed + ", " + l.method + ")");
            }
            l.data.owed().restore(c.owed());
            l.sac = sac;
            l.random = new ResumableRandom(c.randomState());
            l.updates = c.updates();
            l.version.set(c.version());
            l.lastSnapshotStep = c.lastSnapshotStep();
            l.updatesAtSnapshot = c.updatesAtSnapshot();
            l.checkpointedUpdates = c.updates();
            l.republish = c.republish();
            l.resume = c.transitions().isEmpty() ? null : new ReplayResume(c.firstTransitions(), c.transitions());
            checkpoints(runId, "restored").increment();
            l.followsSchedule = false;
            LOG.infof("run %s: learner restored from %s: %d updates, policy v%d, %d updates owed, reflecting %d env "
                    + "transitions (%s) and rollouts %s", runId, file, c.updates(), c.version(), c.pending(),
                    c.envTransitions(), c.transitions(), c.rollouts());
        } catch (Checkpoint.CheckpointException | IllegalArgumentException e) {
            checkpoints(runId, "ignored").increment();
            LOG.errorf("run %s: ignoring the learner checkpoint %s, starting afresh: %s", runId, file, e.getMessage());
        }
    }

    /**
     * Forgets a restored state (the log does not match it): a fresh learner, owing what the transitions replayed so
     * far owe under the run's current settings ({@code rule}).
     */
    private void restart(RunLearner l, OwedUpdates rule) {
        checkpoints(l.runId, "ignored").increment();
        l.sac = newSac(l.seeds);
        l.random = new ResumableRandom(l.seeds.of(RunSeeds.Stream.BATCHES));
        l.updates = 0;
        l.version.set(0);
        l.lastSnapshotStep = 0;
        l.updatesAtSnapshot = 0;
        l.checkpointedUpdates = -1;
        l.republish = false;
        l.data.owed().clear();
        dropped(l, l.data.owed().owe(0, l.data.environment().added(), rule, config.maxPendingUpdates()));
        l.resume = null;
    }

    public Optional<LearnerStatus> status(String runId) {
        RunLearner l = learners.get(runId);
        if (l == null) {
            return Optional.empty();
        }
        Sac.UpdateStats s = l.stats;
        return Optional.of(new LearnerStatus(runId, l.envSteps.get(), l.updates, l.data.owed().pending(), l.version.get(),
                s == null ? null : s.criticLoss(), s == null ? null : s.actorLoss(), s == null ? null : s.alpha(),
                s == null ? null : s.entropy(), l.checkpointedUpdates, l.resume != null, l.updatesPerStep,
                l.environmentRows));
    }

    /** The name of the thread that built the run's learner (its Sac, buffers and restored checkpoint), if it has one. */
    public Optional<String> builtOn(String runId) {
        return Optional.ofNullable(learners.get(runId)).map(l -> l.builtOn);
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

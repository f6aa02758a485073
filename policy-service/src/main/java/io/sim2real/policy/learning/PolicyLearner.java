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
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.replay.TransitionStore;
import io.sim2real.service.runs.RunRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
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
        final Sac sac;
        final TransitionStore env;
        final TransitionStore model;
        final SplittableRandom random;
        final AtomicLong pending = new AtomicLong();
        final AtomicLong envSteps = new AtomicLong();
        final AtomicLong version = new AtomicLong();
        volatile long lastSnapshotStep;
        volatile long updatesAtSnapshot;
        volatile long updates;
        volatile Sac.UpdateStats stats;

        RunLearner(RunSpec run, Sac sac, TransitionStore env, TransitionStore model, long seed) {
            this.run = run;
            this.sac = sac;
            this.env = env;
            this.model = model;
            this.random = new SplittableRandom(seed);
        }
    }

    /** What the learner knows about a run, for the REST API. */
    public record LearnerStatus(String runId, long envSteps, long updates, long pendingUpdates, long policyVersion,
                                Double criticLoss, Double actorLoss, Double alpha, Double entropy) {
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

    public void onTransitions(TransitionBatch batch) {
        Optional<RunSpec> run = runs.get(batch.runId());
        if (run.isEmpty() || !POLICY_METHODS.contains(run.get().method())
                || !run.get().trainingDomains().contains(batch.domain())) {
            return;
        }
        RunLearner l = learners.computeIfAbsent(batch.runId(), id -> create(run.get()));
        long before = l.env.added();
        l.env.add(batch);
        double g = run.get().parameters() == null ? config.updatesPerStep()
                : run.get().parameters().getOrDefault("updatesPerStep", config.updatesPerStep());
        // As in MBPO, the warm-up owes no updates: G per transition from the min-transitions-th on.
        long counted = Math.max(0, l.env.added() - Math.max(before, config.minTransitions() - 1L));
        long owed = Math.round(g * counted);
        long now = l.pending.addAndGet(owed);
        if (now > config.maxPendingUpdates()) {
            long dropped = now - config.maxPendingUpdates();
            l.pending.addAndGet(-dropped);
            Counter.builder("sim2real.policy.updates.dropped").tag("run", batch.runId())
                    .description("Updates owed but dropped because the learner fell too far behind")
                    .register(registry).increment(dropped);
        }
        // Counted after the updates are owed: a snapshot's envStep never counts a transition whose updates the
        // learner has not yet seen (the worker reads envSteps before it checks that nothing is pending).
        l.envSteps.addAndGet(batch.size());
    }

    public void onRollouts(RolloutBatch batch) {
        Optional<RunSpec> run = runs.get(batch.runId());
        if (run.isEmpty() || !MODEL_METHODS.contains(run.get().method())) {
            return;
        }
        learners.computeIfAbsent(batch.runId(), id -> create(run.get())).model.add(batch);
    }

    private RunLearner create(RunSpec run) {
        int[] sizes = config.hidden().stream().mapToInt(Integer::intValue).toArray();
        SacConfig sac = SacConfig.standard(spec.obsDim(), spec.actDim(), run.seed()).withHidden(sizes)
                .withBatchSize(config.batchSize());
        RunLearner l = new RunLearner(run, new Sac(sac), new TransitionStore(config.envCapacity()),
                new TransitionStore(config.modelCapacity()), run.seed());
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
                TransitionStore.Sample batch = mixedBatch(l);
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
            }
        } catch (NonFiniteException e) {
            LOG.errorf("run %s: SAC update refused, %s; pending updates dropped", runId, e.getMessage());
            l.pending.set(0);
            Counter.builder("sim2real.policy.training.failures").tag("run", runId).tag("reason", "non_finite")
                    .description("SAC updates stopped by a failure").register(registry).increment();
        }
        return true;
    }

    private TransitionStore.Sample mixedBatch(RunLearner l) {
        boolean useModel = MODEL_METHODS.contains(l.run.method()) && l.model.size() > 0;
        double ratio = l.run.parameters() == null ? config.realRatio()
                : l.run.parameters().getOrDefault("realRatio", config.realRatio());
        int batchSize = config.batchSize();
        int fromEnv = useModel ? Math.max(1, (int) Math.round(batchSize * ratio)) : batchSize;
        TransitionStore.Sample e = l.env.sample(fromEnv, l.random);
        if (fromEnv == batchSize) {
            return e;
        }
        return e.concat(l.model.sample(batchSize - fromEnv, l.random));
    }

    private void publish(RunLearner l, long envSteps) {
        long version = l.version.get() + 1;
        PolicySnapshot snapshot = PolicySnapshots.toSnapshot(l.sac.actor(), spec.obsDim(),
                config.hidden().stream().mapToInt(Integer::intValue).toArray(), l.run.runId(), version, envSteps);
        policies.sendAndAwait(Record.of(l.run.runId(), snapshot));
        l.version.set(version);
        l.lastSnapshotStep = envSteps;
        l.updatesAtSnapshot = l.updates;
        LOG.infof("run %s: published policy v%d at %d env steps after %d updates", l.run.runId(), version, envSteps, l.updates);
    }

    public Optional<LearnerStatus> status(String runId) {
        RunLearner l = learners.get(runId);
        if (l == null) {
            return Optional.empty();
        }
        Sac.UpdateStats s = l.stats;
        return Optional.of(new LearnerStatus(runId, l.envSteps.get(), l.updates, l.pending.get(), l.version.get(),
                s == null ? null : s.criticLoss(), s == null ? null : s.actorLoss(), s == null ? null : s.alpha(),
                s == null ? null : s.entropy()));
    }

    @PreDestroy
    void stop() {
        running = false;
        worker.interrupt();
    }
}

package io.sim2real.env.acting;

import io.sim2real.training.acting.BehaviourPolicies;
import io.sim2real.training.acting.BehaviourPolicy;
import io.sim2real.training.acting.CollectionBudget;
import io.sim2real.training.acting.PhysicsSchedule;
import io.sim2real.training.acting.RandomPolicy;
import io.sim2real.training.acting.SnapshotPolicy;
import io.sim2real.training.acting.TransitionCollector;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.service.runs.RunRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs data collections (a behaviour policy in a domain for a number of env steps, transitions published as
 * they are made) and keeps their status: sim-domain collections one after another on the {@code collections} thread,
 * real-domain ones one after another on {@code collections-real}, so a run's real stream (the live stream the gap
 * probe measures) goes on beside a sim collection, lockstep or not. A collection of a lockstep
 * run acts in chunks and waits between them for a policy that has trained on the data ({@link Lockstep}); the
 * wait blocks only the collections thread.
 *
 * <p>Every collection is logged on {@code sim2real.collections} ({@link CollectionLog}) when it is accepted and
 * when it ends. After a restart {@link CollectionRecovery} resumes the unfinished ones ({@link #resume}): each
 * goes on from the transitions it had published, counted on {@code sim2real.transitions}, so the run gets exactly
 * its {@code envSteps} transitions ({@link CollectionBudget}; fewer by the steps dropped as unstable), none twice.
 * The episodes in progress at the kill end there; the resumed part starts new episodes (new ids, a seed derived
 * from the collection's and the published count).
 *
 * <p>A real-domain collection of a defined run that names no physics, or exactly the run's base factors, emulates the
 * run's real domain ({@link PhysicsSchedule}): from each {@code realDomain.schedule} change's real env step on, its
 * envs have the change's physics (the published transitions do not say so). Only a tombstone of its run read after {@code sim2real.runs} has
 * been read back since the start ({@link RunDeletions}) stops a collection for its run's deletion.
 */
@ApplicationScoped
public class CollectionService {

    private static final Logger LOG = Logger.getLogger(CollectionService.class);

    /** A collection's states. */
    public static final String QUEUED = "QUEUED", RUNNING = "RUNNING", WAITING = "WAITING_FOR_POLICY", DONE = "DONE",
            FAILED = "FAILED", CANCELLED = "CANCELLED";

    /**
     * What a collection is and how far it got.
     *
     * @param mode              {@code lockstep} or {@code async} ({@link Lockstep})
     * @param policyVersion     the version of the policy acting now or last (0 for random or scripted actions)
     * @param waitingForEnvStep while {@code WAITING_FOR_POLICY}: the envStep the run's next snapshot needs
     */
    public record Collection(String id, String runId, String domain, Map<String, Double> physics, String policy,
                             String mode, long envSteps, int numEnvs, long seed, String state, long stepsTaken,
                             long unstableDropped, long policyVersion, Long waitingForEnvStep, String error) {
    }

    /**
     * Where a resumed collection goes on from.
     *
     * @param published          transitions it had published before the restart
     * @param episodeIdOffset    added to the resumed part's episode ids, past every id it had published
     * @param lastPolicyVersion  the newest policy version it had acted with (0: none)
     */
    public record Resume(long published, long episodeIdOffset, long lastPolicyVersion) {
    }

    /** A collection's settings and its progress, written by the collections thread. */
    private static final class Job {
        final String id;
        final String runId;
        final Domain domain;
        /** The physics (at its start, for a collection that follows its run's real domain). */
        volatile DomainPhysics physics;
        final String policyName;
        final Optional<Lockstep> lockstep;
        final long envSteps;
        final int numEnvs;
        final int batchSize;
        final long seed;
        volatile BehaviourPolicy initialPolicy;
        volatile String state = QUEUED;
        /** Progress before a collector exists (a resumed or finished collection read back after a restart). */
        volatile long stepsTaken;
        volatile long unstableDropped;
        /** The collector acting for this collection once it runs: its progress is the collection's. */
        volatile TransitionCollector collector;
        volatile long policyVersion;
        volatile Long waitingFor;
        volatile String error;
        volatile boolean cancelled;
        /** Whether the run had a definition when the collection started (only then does its deletion stop it). */
        volatile boolean runDefinedAtStart;
        final long createdAtMs;
        final String owner;
        /** Set for a collection resumed after a restart. */
        final Resume resume;
        /** Set for a collection that emulates its run's real domain, whose physics change on its schedule. */
        volatile PhysicsSchedule schedule;
        /** The term under which this instance held the run's partition when it took the collection ({@link CollectionOwnership}). */
        volatile long term;
        /** Set when the run's partition went to another instance: the job publishes and logs nothing more. */
        volatile boolean released;

        Job(String id, String runId, Domain domain, DomainPhysics physics, String policyName, Optional<Lockstep> lockstep,
            BehaviourPolicy initialPolicy, long envSteps, int numEnvs, int batchSize, long seed, long createdAtMs,
            String owner, Resume resume, PhysicsSchedule schedule) {
            this.id = id;
            this.runId = runId;
            this.domain = domain;
            this.physics = physics;
            this.policyName = policyName;
            this.lockstep = lockstep;
            this.initialPolicy = initialPolicy;
            this.envSteps = envSteps;
            this.numEnvs = numEnvs;
            this.batchSize = batchSize;
            this.seed = seed;
            this.policyVersion = initialPolicy == null ? 0 : initialPolicy.version();
            this.createdAtMs = createdAtMs;
            this.owner = owner;
            this.resume = resume;
            this.schedule = schedule;
        }

        CollectionLog.Entry entry() {
            CollectionLog.LockstepEntry l = lockstep.map(x -> new CollectionLog.LockstepEntry(x.chunk(),
                    x.initialRandomSteps(), x.timeout().toMillis(), x.trainingDomains().stream().map(Domain::wireName)
                    .toList())).orElse(null);
            return new CollectionLog.Entry(id, owner, runId, domain.wireName(), physics.changed(), physics.moveAttachments(),
                    policyName, envSteps, numEnvs, batchSize, seed, l, runDefinedAtStart, state, stepsTaken(),
                    unstableDropped(), policyVersion, error, createdAtMs, schedule);
        }

        Collection view() {
            return new Collection(id, runId, domain.wireName(), physics.changed(), policyName,
                    lockstep.isPresent() ? "lockstep" : "async", envSteps, numEnvs, seed, state, stepsTaken(),
                    unstableDropped(), policyVersion, waitingFor, error);
        }

        /**
         * Env steps settled: transitions published (acknowledged by the broker), those before a restart included,
         * plus the steps dropped as unstable; {@code envSteps} once DONE.
         */
        long stepsTaken() {
            TransitionCollector c = collector;
            return c == null ? stepsTaken : c.published() + c.unstableDropped();
        }

        long unstableDropped() {
            TransitionCollector c = collector;
            return c == null ? unstableDropped : c.unstableDropped();
        }
    }

    /** A collection ended by a DELETE or the service's shutdown. */
    private static final class CancelledException extends Exception {
        CancelledException(String message) {
            super(message);
        }
    }

    @Inject
    TransitionPublisher publisher;

    @Inject
    EnvSpec spec;

    @Inject
    PolicyStore policies;

    @Inject
    PublishedTransitions published;

    @Inject
    RunRegistry runs;

    @Inject
    RunDeletions deletions;

    @Inject
    MeterRegistry registry;

    @Inject
    CollectionLog log;

    @Inject
    CollectionOwnership ownership;

    @ConfigProperty(name = "sim2real.env.physics-threads", defaultValue = "2")
    int physicsThreads;

    /**
     * This instance's name: in the collections log (the instance that accepted or last resumed a collection) and as
     * its static member id in the ownership group ({@link CollectionOwnership}), so that a restart under the same
     * name gets its runs back at once. Two running instances must not share it (the second fences the first).
     */
    @ConfigProperty(name = "sim2real.env.instance-id", defaultValue = "${HOSTNAME:env-service}")
    String instanceId;

    /** This instance's name in the collections log. */
    public String instanceId() {
        return instanceId;
    }

    /** How long a resumed collection waits for its run's definition and policy to be read back after a restart. */
    @ConfigProperty(name = "sim2real.env.resume-wait", defaultValue = "PT60S")
    Duration resumeWait;

    private volatile boolean shuttingDown;
    private final Map<String, Job> collections = new ConcurrentSkipListMap<>();
    private final Map<String, AtomicInteger> waitingPerRun = new ConcurrentHashMap<>();
    private final ExecutorService runner = collectionsThread("collections");
    private final ExecutorService realRunner = collectionsThread("collections-real");

    private static ExecutorService collectionsThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Each domain's collections run in order on their own thread. */
    private ExecutorService runnerOf(Domain domain) {
        return domain == Domain.REAL ? realRunner : runner;
    }

    /** A collection with the physics it names (a real one of a run with exactly its base factors follows the run). */
    public Collection start(String runId, Domain domain, DomainPhysics physics, String policyName, long envSteps,
                            int numEnvs, int batchSize, long seed) {
        return start(runId, domain, physics, true, policyName, envSteps, numEnvs, batchSize, seed);
    }

    /**
     * @param physicsNamed whether the request named the physics; a real collection of a defined run that names none
     *                     (or exactly the run's base factors) emulates the run's real domain, schedule included
     */
    public Collection start(String runId, Domain domain, DomainPhysics physics, boolean physicsNamed, String policyName,
                            long envSteps, int numEnvs, int batchSize, long seed) {
        Optional<PhysicsSchedule> schedule = PhysicsSchedule.of(runs.get(runId), domain,
                physicsNamed ? physics.changed() : null, physics.moveAttachments(),
                published.count(runId, List.of(Domain.REAL)));
        if (schedule.isPresent()) {
            physics = schedule.get().physicsAt(0);
        }
        java.util.OptionalLong term = ownership.term(runId);
        if (term.isEmpty()) {
            throw new CollectionOwnership.NotOwnedException("run '" + runId + "' is another env-service instance's (partition "
                    + ownership.partitionOf(runId) + " of sim2real.runs; this instance holds " + ownership.partitions()
                    + "): send the collection to that instance");
        }
        String name = policyName == null ? "random" : policyName;
        Optional<Lockstep> lockstep = Lockstep.of(runs.settings(runId), name, domain);
        // A lockstep collection chooses its policy when it runs; an async one acts with what is held now.
        BehaviourPolicy policy = lockstep.isPresent() ? null
                : BehaviourPolicies.create(name, spec, seed, policies.latest(runId), false);
        Job job = new Job(UUID.randomUUID().toString(), runId, domain, physics, name, lockstep, policy, envSteps,
                numEnvs, batchSize, seed, System.currentTimeMillis(), instanceId, null, schedule.orElse(null));
        job.runDefinedAtStart = runs.get(runId).isPresent();
        job.term = term.getAsLong();
        logAsOwner(job);
        collections.put(job.id, job);
        // The answer says QUEUED: taken before the collections thread can start the job.
        Collection queued = job.view();
        runnerOf(domain).submit(() -> run(job));
        return queued;
    }

    /**
     * After a restart: takes back a logged collection. One that had ended is only listed again; an unfinished one
     * is queued to go on from {@code resume}, in the order of the calls.
     */
    public void resume(CollectionLog.Entry e, Resume resume, long term) {
        if (ownership.term(e.runId()).orElse(-1) != term) {
            return; // the run went elsewhere while the log was read
        }
        Domain domain = Domain.fromWire(e.domain());
        DomainPhysics physics = DomainPhysics.of(e.physics()).withMoveAttachments(e.moveAttachments());
        Optional<Lockstep> lockstep = Optional.ofNullable(e.lockstep()).map(l -> new Lockstep(l.chunk(),
                l.initialRandomSteps(), Duration.ofMillis(l.timeoutMs()), l.trainingDomains().stream()
                .map(Domain::fromWire).toList()));
        // An unfinished collection taken over from another instance is this one's now.
        String owner = isFinished(e.state()) ? e.owner() : instanceId;
        Job job = new Job(e.id(), e.runId(), domain, physics, e.policy(), lockstep, null, e.envSteps(), e.numEnvs(),
                e.batchSize(), e.seed(), e.createdAtMs(), owner, resume, e.followsRealDomain());
        job.term = term;
        job.runDefinedAtStart = e.runDefined();
        job.state = e.state();
        job.error = e.error();
        job.policyVersion = e.policyVersion();
        job.unstableDropped = e.unstableDropped();
        job.stepsTaken = isFinished(e.state()) ? e.stepsTaken() : resume.published();
        collections.put(job.id, job);
        if (!isFinished(e.state())) {
            job.state = QUEUED;
            LOG.infof("collection %s for run %s resumes after %d published transitions%s", job.id, job.runId,
                    resume.published(), instanceId.equals(e.owner()) ? "" : " (taken over from " + e.owner() + ")");
            runnerOf(domain).submit(() -> run(job));
        }
    }

    static boolean isFinished(String state) {
        return DONE.equals(state) || FAILED.equals(state) || CANCELLED.equals(state);
    }

    /**
     * The runs of these partitions went to another instance ({@link CollectionOwnership}): their collections stop
     * publishing (the ownership's terms already refuse their sends), log no end, and are no longer listed here; the
     * new owner resumes them from the log.
     */
    void release(java.util.Set<Integer> partitions) {
        int stopped = 0;
        for (Job job : collections.values()) {
            if (partitions.contains(ownership.partitionOf(job.runId))) {
                job.released = true;
                collections.remove(job.id);
                stopped += isFinished(job.state) ? 0 : 1;
            }
        }
        policies.wakeWaiters();
        if (stopped > 0) {
            LOG.infof("%d collections of partitions %s stop here: another instance resumes them", stopped, partitions);
        }
    }

    /** Sends through the ownership's fence: only while this instance holds the job's run under the job's term. */
    private <T> T fenced(Job job, java.util.function.Supplier<T> send) {
        return ownership.publish(job.runId, job.term, () -> shuttingDown || job.released, send);
    }

    private void logAsOwner(Job job) {
        fenced(job, () -> {
            log.write(job.entry());
            return null;
        });
    }

    /** Stops a queued, running or waiting collection at its next chunk (at once if waiting); empty if unknown. */
    public Optional<Collection> cancel(String id) {
        Job job = collections.get(id);
        if (job == null) {
            return Optional.empty();
        }
        job.cancelled = true;
        policies.wakeWaiters();
        return Optional.of(job.view());
    }

    private void run(Job job) {
        if (job.released) {
            return;
        }
        if (job.cancelled) {
            job.state = CANCELLED;
            return;
        }
        job.state = RUNNING;
        if (job.schedule != null && job.resume == null) {
            countRealStepsFromNow(job);
        }
        long from = job.resume == null ? 0 : job.resume.published();
        DomainPhysics physics = job.schedule == null ? job.physics : job.schedule.physicsAt(from);
        int threads = Math.min(physicsThreads, job.numEnvs);
        TransitionCollector collector = null;
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, job.numEnvs, threads, seedOf(job))) {
            collector = new TransitionCollector(env, job.initialPolicy, job.runId, job.domain,
                    envIdOf(job.id), job.batchSize, job.envSteps, batch -> fenced(job, () -> {
                        publisher.publish(batch);
                        return null;
                    }));
            if (job.resume != null) {
                awaitResumable(job);
                collector.continueAfter(job.resume.published(), job.resume.episodeIdOffset());
                if (job.initialPolicy != null) {
                    collector.use(job.initialPolicy);
                }
            }
            if (job.schedule != null) {
                // New envs at each change, seeded by the collection's seed and the change's count.
                collector.follow(job.schedule, (p, at) -> new HalfCheetahEnv(p, job.numEnvs, threads,
                        new java.util.SplittableRandom(job.seed ^ (0xC2B2AE3D27D4EB4FL * (at + 1))).nextLong()));
            }
            job.collector = collector;
            if (job.lockstep.isPresent()) {
                runLockstep(job, job.lockstep.get(), collector);
            } else {
                runAsync(job, collector);
            }
            job.state = DONE;
        } catch (CollectionOwnership.NotOwnedException e) {
            // Another instance resumes it from what is on the topic; nothing of it is logged from here.
            job.released = true;
            LOG.infof("collection %s for run %s stops here after %d env steps: %s", job.id, job.runId, job.stepsTaken(),
                    e.getMessage());
        } catch (CancelledException e) {
            LOG.infof("collection %s for run %s cancelled after %d env steps: %s", job.id, job.runId, job.stepsTaken(),
                    e.getMessage());
            job.error = e.getMessage();
            job.state = CANCELLED;
        } catch (RuntimeException e) {
            LOG.errorf(e, "collection %s for run %s failed", job.id, job.runId);
            job.error = String.valueOf(e.getMessage());
            job.state = FAILED;
        } finally {
            if (collector != null) {
                collector.closeOwnEnvs();
            }
            job.waitingFor = null;
            if (!shuttingDown && !job.released) {
                logEnd(job);
            }
        }
    }

    /**
     * A fresh collection that follows its run's real domain counts the schedule's real env steps from the run's real
     * transitions published by the time it starts (an earlier real collection of the run may have run after this one
     * was accepted), logged so that a resumed part counts the same way.
     */
    private void countRealStepsFromNow(Job job) {
        long offset = published.count(job.runId, List.of(Domain.REAL));
        if (offset == job.schedule.realStepOffset()) {
            return;
        }
        job.schedule = job.schedule.withRealStepOffset(offset);
        job.physics = job.schedule.physicsAt(0);
        try {
            logAsOwner(job);
        } catch (CollectionOwnership.NotOwnedException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "collection %s: its real-step offset %d could not be logged; a resume counts from the one"
                    + " logged at acceptance", job.id, offset);
        }
    }

    private void logEnd(Job job) {
        try {
            logAsOwner(job);
        } catch (CollectionOwnership.NotOwnedException e) {
            LOG.infof("collection %s ended %s, but its run is no longer this instance's: the new owner logs it", job.id, job.state);
        } catch (RuntimeException e) {
            // The collection's transitions are on Kafka; a restart would find it unfinished and resume 0 steps.
            LOG.errorf(e, "collection %s ended %s but its end could not be logged", job.id, job.state);
        }
    }

    /** The transitions' envId: names the collection, so a restart can count what it published. */
    public static String envIdOf(String collectionId) {
        return "collection-" + collectionId.substring(0, 8);
    }

    /** A fresh collection uses its seed; a resumed one a seed of its own for each resume point. */
    private static long seedOf(Job job) {
        if (job.resume == null || job.resume.published() == 0) {
            return job.seed;
        }
        return new java.util.SplittableRandom(job.seed ^ (0x9E3779B97F4A7C15L * job.resume.published())).nextLong();
    }

    /**
     * A resumed collection acts only once this process has read {@code sim2real.runs} back to its end as of the
     * start ({@link RunDeletions}), however long that takes, and the run's policy it last acted with, or a newer one.
     * A run that had a definition and has none once read back was deleted while env-service was down.
     */
    private void awaitResumable(Job job) throws CancelledException {
        // The policy's read-back has resumeWait from when sim2real.runs is back, or longer.
        long deadline = System.nanoTime() + resumeWait.toNanos();
        long nextWarning = deadline;
        while (true) {
            checkCancelled(job);
            boolean runsBack = deletions.caughtUp();
            if (!runsBack) {
                deadline = System.nanoTime() + resumeWait.toNanos();
            }
            if (runsBack && job.runDefinedAtStart && !deletions.defined(job.runId)) {
                throw new CancelledException("run '" + job.runId + "' was deleted from sim2real.runs while env-service"
                        + " was down");
            }
            long held = policies.latest(job.runId).map(PolicySnapshot::version).orElse(0L);
            if (runsBack && held >= job.resume.lastPolicyVersion()) {
                break;
            }
            if (!runsBack && System.nanoTime() > nextWarning) {
                LOG.warnf("collection %s waits for sim2real.runs to be read back before it resumes", job.id);
                nextWarning = System.nanoTime() + resumeWait.toNanos();
            }
            if (runsBack && System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot resume: policy v" + job.resume.lastPolicyVersion() + " of run '"
                        + job.runId + "' was not read back within " + resumeWait + " (newest held: v" + held + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancelledException("env-service is shutting down");
            }
        }
        if (job.lockstep.isEmpty() && job.initialPolicy == null) {
            job.initialPolicy = BehaviourPolicies.create(job.policyName, spec, seedOf(job), policies.latest(job.runId), false);
            job.policyVersion = job.initialPolicy.version();
        }
    }

    private void runAsync(Job job, TransitionCollector collector) throws CancelledException {
        long chunk = Math.max(job.numEnvs, 5_000);
        while (!collector.done()) {
            checkCancelled(job);
            collector.collect(chunk);
        }
    }

    /**
     * {@link Lockstep}: random steps first if the run has no policy yet, or only one trained on its other domains'
     * data; then chunks, each after a wait.
     */
    private void runLockstep(Job job, Lockstep lockstep, TransitionCollector collector) throws CancelledException {
        Optional<PolicySnapshot> atStart = policies.latest(job.runId);
        long publishedAtStart = published.count(job.runId, lockstep.trainingDomains());
        long snapshotStepAtStart = atStart.map(PolicySnapshot::envStep).orElse(0L);
        if (atStart.isEmpty() || trainedOnOtherDomainsOnly(job, lockstep, atStart.get())) {
            collector.use(new RandomPolicy(spec, job.seed));
            job.policyVersion = 0;
            long randomSteps = Math.min(lockstep.initialRandomSteps(), job.envSteps);
            while (collector.stepsTaken() < randomSteps) {
                checkCancelled(job);
                collector.collect(Math.min(lockstep.chunk(), randomSteps - collector.stepsTaken()));
            }
        }
        long acting = -1;
        while (!collector.done()) {
            long target = Lockstep.target(published.count(job.runId, lockstep.trainingDomains()), publishedAtStart,
                    snapshotStepAtStart);
            PolicySnapshot snapshot = awaitPolicy(job, lockstep, target);
            if (snapshot.version() != acting) {
                collector.use(new SnapshotPolicy(snapshot, false, job.seed * 1_000_003L + snapshot.version()));
                acting = snapshot.version();
                job.policyVersion = acting;
            }
            collector.collect(lockstep.chunk());
        }
    }

    /**
     * Whether the run's snapshot can have seen none of this collection's domain: this process has published none of
     * the domain's transitions for the run, and the run's other training domains account for everything the
     * snapshot trained on. That is a run whose offline real data came first: its learner trained on them alone, and
     * the simulator still needs MBPO's random exploration (without it, a policy fitted offline to 5,000 real
     * transitions took the first sim steps). After a restart the counts start from zero, and a snapshot is trusted.
     */
    private boolean trainedOnOtherDomainsOnly(Job job, Lockstep lockstep, PolicySnapshot snapshot) {
        List<Domain> others = lockstep.trainingDomains().stream().filter(d -> d != job.domain).toList();
        return !others.isEmpty() && published.count(job.runId, List.of(job.domain)) == 0
                && snapshot.envStep() <= published.count(job.runId, others);
    }

    private PolicySnapshot awaitPolicy(Job job, Lockstep lockstep, long target) throws CancelledException {
        checkCancelled(job);
        job.waitingFor = target;
        job.state = WAITING;
        AtomicInteger waiting = waitingPerRun.computeIfAbsent(job.runId, run -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("sim2real.env.lockstep.waiting", n, AtomicInteger::get).tag("run", run)
                    .description("Lockstep collections of the run waiting for a policy snapshot now").register(registry);
            return n;
        });
        waiting.incrementAndGet();
        Timer.Sample sample = Timer.start(registry);
        Optional<PolicySnapshot> snapshot;
        try {
            snapshot = policies.awaitEnvStep(job.runId, target, lockstep.timeout(),
                    () -> shuttingDown || job.cancelled || job.released || deletions.deleted(job.runId));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("env-service is shutting down");
        } finally {
            waiting.decrementAndGet();
            sample.stop(Timer.builder("sim2real.env.lockstep.wait").tag("run", job.runId)
                    .description("Time lockstep collections waited for a policy that has trained on their data")
                    .register(registry));
        }
        checkCancelled(job);
        if (snapshot.isEmpty() && deletions.deleted(job.runId)) {
            throw new IllegalStateException("lockstep: run '" + job.runId + "' was deleted while waiting for a policy");
        }
        PolicySnapshot s = snapshot.orElseThrow(() -> new IllegalStateException(String.format(
                "lockstep: no policy snapshot of run '%s' with envStep >= %d within %s (newest held: %s); is "
                        + "policy-service running, and does the run's initialRandomSteps reach its min-transitions?",
                job.runId, target, lockstep.timeout(), policies.latest(job.runId)
                        .map(p -> "v" + p.version() + " at envStep " + p.envStep()).orElse("none"))));
        job.waitingFor = null;
        job.state = RUNNING;
        return s;
    }

    private void checkCancelled(Job job) throws CancelledException {
        if (job.released) {
            throw new CollectionOwnership.NotOwnedException("run '" + job.runId + "' went to another instance");
        }
        if (shuttingDown) {
            throw new CancelledException("env-service is shutting down");
        }
        if (job.cancelled) {
            throw new CancelledException("cancelled by request");
        }
        // Deleting a run (DELETE /api/v1/runs/{id}, a tombstone on sim2real.runs) stops its collections; a run
        // absent only because sim2real.runs has not been read back since a start does not.
        if (job.runDefinedAtStart && deletions.deleted(job.runId)) {
            throw new CancelledException("run '" + job.runId + "' was deleted from sim2real.runs");
        }
    }

    public List<Collection> all() {
        return collections.values().stream().map(Job::view).toList();
    }

    public Optional<Collection> get(String id) {
        return Optional.ofNullable(collections.get(id)).map(Job::view);
    }

    /**
     * A stop (SIGTERM, a rolling update) ends the collection in progress at its next chunk without logging an end
     * for it, so that the next start resumes it as after a kill; observed before the Kafka clients close.
     */
    void onShutdown(@Observes ShutdownEvent event) {
        shuttingDown = true;
        policies.wakeWaiters();
        runner.shutdown();
        realRunner.shutdown();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            runner.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS);
            realRunner.awaitTermination(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        shuttingDown = true;
        runner.shutdownNow();
        realRunner.shutdownNow();
    }
}

package io.sim2real.training.lockstep;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.methods.LockstepSchedule;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.ResumableRandom;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.training.acting.RandomPolicy;
import io.sim2real.training.acting.SnapshotPolicy;
import io.sim2real.training.acting.TransitionCollector;
import io.sim2real.training.model.ModelNetworks;
import io.sim2real.training.model.ModelRounds;
import io.sim2real.training.model.RoundData;
import io.sim2real.training.model.ScheduledRound;
import io.sim2real.training.policy.LockstepSnapshots;
import io.sim2real.training.policy.OwedUpdates;
import io.sim2real.training.policy.SacLearning;
import io.sim2real.training.policy.ScheduledRollouts;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongToIntFunction;

/**
 * A lockstep run with a {@link LockstepSchedule} in one process, with the services' own pieces in the order the
 * schedule fixes: env-service's acting (the collector, random actions first, then each chunk with the newest snapshot
 * whose envStep covers what was published), policy-service's learner (owed updates, each drawing environment rows from
 * the transitions that owed it and the rollouts of exactly its round, snapshots at chunk boundaries) and model-service's
 * rounds (round r on the first b_r transitions, rolling out with the policy at b_r). A run on sim and a real dataset
 * ({@link LockstepSchedule#hasDataset()}) is given the dataset's records as env-service replays them: they are the
 * learner's and every round's before anything else, and its sim transitions are the counted ones. The same RunSpec,
 * the same dataset and the same service settings ({@link Setup}) give what the services publish, bit for bit.
 *
 * <p>A model round is one call ({@link ScheduledRound#train}) whose inputs (its number, data and policy) are fixed when it starts and
 * whose rollouts are its only output, so that it could train on another thread while the learner pays a chunk.
 */
public final class InProcessLockstep {

    /**
     * The services' settings that shape a run besides its RunSpec.
     *
     * @param sacHidden        policy-service's {@code hidden}
     * @param sacBatchSize     policy-service's {@code batch-size}
     * @param envCapacity      policy-service's {@code env-capacity}
     * @param numEnvs          the collection's {@code numEnvs}
     * @param recordSize       the collection's {@code batchSize}
     * @param collectionSeed   the collection's seed
     * @param physicsThreads   env-service's {@code physics-threads}
     * @param networks         model-service's networks
     * @param rolloutLength    model-service's rollout length for a round covering that many transitions
     * @param rolloutBatchSize model-service's {@code rollout-batch-size}
     * @param sampledLatentRollouts false: latent rollouts step with an elite's mean (a command-line experiment)
     */
    public record Setup(int[] sacHidden, int sacBatchSize, int envCapacity, int numEnvs, int recordSize, long collectionSeed,
                        int physicsThreads, ModelNetworks networks, LongToIntFunction rolloutLength, int rolloutBatchSize,
                        boolean sampledLatentRollouts) {

        /** The services' setup: latent rollouts sample their predictions, as MBPO's do. */
        public Setup(int[] sacHidden, int sacBatchSize, int envCapacity, int numEnvs, int recordSize, long collectionSeed,
                     int physicsThreads, ModelNetworks networks, LongToIntFunction rolloutLength, int rolloutBatchSize) {
            this(sacHidden, sacBatchSize, envCapacity, numEnvs, recordSize, collectionSeed, physicsThreads, networks,
                    rolloutLength, rolloutBatchSize, true);
        }
    }

    /** What a caller sees as the run goes (the command line evaluates and checks its model here). */
    public interface Listener {
        /** A snapshot was published after {@code updates} updates. */
        default void onSnapshot(PolicySnapshot snapshot, long updates, Sac sac) {
        }

        /** Round {@code round} was trained on {@code data}; its rollouts act with {@code policy}. */
        default void onRound(long round, io.sim2real.training.model.RoundReport report, RoundData data, ModelRounds rounds,
                             Optional<PolicySnapshot> policy) {
        }
    }

    /** What the run published. */
    public record Result(List<TransitionBatch> transitions, List<PolicySnapshot> snapshots, List<RolloutBatch> rollouts) {
    }

    private InProcessLockstep() {
    }

    public static Result run(RunSettings settings, EnvSpec spec, Setup setup) {
        return run(settings, spec, setup, new Listener() {
        });
    }

    public static Result run(RunSettings settings, EnvSpec spec, Setup setup, Listener listener) {
        return run(settings, spec, setup, List.of(), listener);
    }

    /**
     * Runs the lockstep run; {@code dataset} is the real dataset's records for a run on sim and a dataset (as
     * env-service replays them: {@code Dataset.toBatches}), empty for a run on one domain.
     */
    public static Result run(RunSettings settings, EnvSpec spec, Setup setup, List<TransitionBatch> dataset,
                             Listener listener) {
        LockstepSchedule schedule = settings.lockstepSchedule().orElseThrow(() -> new IllegalArgumentException(
                "run " + settings.runId() + " has no lockstep schedule (a lockstep run of one domain, or of sim and a "
                        + "real dataset)"));
        long datasetRows = dataset.stream().mapToLong(TransitionBatch::size).sum();
        if (datasetRows != schedule.datasetRows() || dataset.stream().anyMatch(b -> b.domain() != Domain.REAL)) {
            throw new IllegalArgumentException("run " + settings.runId() + " expects a real dataset of "
                    + schedule.datasetRows() + " transitions (realDomain.source), given " + datasetRows
                    + " rows" + (dataset.stream().anyMatch(b -> b.domain() != Domain.REAL) ? " not all real" : ""));
        }
        String runId = settings.runId();
        RunSeeds seeds = settings.seeds();
        Sac sac = new Sac(SacConfig.standard(spec.obsDim(), spec.actDim(), seeds.of(RunSeeds.Stream.SAC))
                .withHidden(setup.sacHidden()).withBatchSize(setup.sacBatchSize()));
        ResumableRandom batches = new ResumableRandom(seeds.of(RunSeeds.Stream.BATCHES));
        SacLearning learning = new SacLearning(setup.envCapacity(), 1);
        ScheduledRollouts scheduled = new ScheduledRollouts();
        ModelRounds rounds = ModelRounds.of(settings, setup.networks(), spec, setup.sampledLatentRollouts()).orElse(null);
        OwedUpdates owed = new OwedUpdates(settings.number(RunParameter.UPDATES_PER_STEP),
                settings.whole(RunParameter.LEARNER_MIN_TRANSITIONS));
        List<TransitionBatch> published = new ArrayList<>();
        List<PolicySnapshot> snapshots = new ArrayList<>();
        List<RolloutBatch> rollouts = new ArrayList<>();
        TreeMap<Long, PolicySnapshot> byEnvStep = new TreeMap<>();
        long envSteps = settings.spec().envSteps();
        long chunk = schedule.chunk();
        double realRatio = settings.traits().rollsOut() ? settings.number(RunParameter.REAL_RATIO) : 1;
        if (schedule.hasDataset()) {
            learning.expectDataset(datasetRows);
            for (TransitionBatch b : dataset) {
                published.add(b);
                learning.addTransitions(b, owed, true, Long.MAX_VALUE);
            }
        }
        Transitions real = schedule.hasDataset() ? prefix(dataset, datasetRows) : RoundData.none();
        List<TransitionBatch> counted = new ArrayList<>();

        // The learner's state besides its Sac.
        long[] lastSnapshotStep = {0};
        long[] updatesAtSnapshot = {0};
        long[] updates = {0};
        long[] roundsDone = {0};

        try (ModelThread model = new ModelThread();
             HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), setup.numEnvs(),
                Math.min(setup.physicsThreads(), setup.numEnvs()), setup.collectionSeed())) {
            TransitionCollector collector = new TransitionCollector(env, null, runId, Domain.SIM, "in-process",
                    setup.recordSize(), envSteps, batch -> {
                        published.add(batch);
                        counted.add(batch);
                        learning.addTransitions(batch, owed, true, Long.MAX_VALUE);
                    });
            // env-service: random steps first (the run has no policy at its start).
            collector.use(new RandomPolicy(spec, setup.collectionSeed()));
            long randomSteps = Math.min(schedule.initialRandomSteps(), envSteps);
            while (collector.stepsTaken() < randomSteps) {
                collector.collect(Math.min(chunk, randomSteps - collector.stepsTaken()));
            }
            long acting = -1;
            while (true) {
                // policy-service pays everything owed so far (rounds as they fall due), with snapshots at boundaries.
                while (true) {
                    long next = learning.nextCounted();
                    OptionalLong boundary = LockstepSnapshots.due(chunk, next, learning.counted(),
                            lastSnapshotStep[0], updates[0] > updatesAtSnapshot[0]);
                    if (boundary.isPresent()) {
                        PolicySnapshot s = PolicySnapshots.toSnapshot(sac.actor(), spec.obsDim(), setup.sacHidden(), runId,
                                snapshots.size() + 1, boundary.getAsLong());
                        snapshots.add(s);
                        byEnvStep.put(s.envStep(), s);
                        lastSnapshotStep[0] = s.envStep();
                        updatesAtSnapshot[0] = updates[0];
                        listener.onSnapshot(s, updates[0], sac);
                    }
                    // model-service: a finished round's rollouts join the learner's; then the next round whose data
                    // and policy exist by now starts on the model thread. Rounds are sequential (each warm-starts from
                    // the last), so at most one is in flight.
                    if (model.finished()) {
                        model.harvest(listener, rounds, rollouts, scheduled);
                        continue;
                    }
                    if (!model.busy()) {
                        ScheduledRound due = ScheduledRound.next(schedule, Domain.SIM, roundsDone[0]);
                        long covers = due.covers();
                        boolean dataThere = rounds != null && due.ready(learning.counted(), datasetRows);
                        boolean policyThere = owed.total(covers) == 0 || byEnvStep.containsKey(covers);
                        if (dataThere && policyThere) {
                            roundsDone[0]++;
                            // Inputs fixed here, so the round's result does not depend on when the thread runs it.
                            RoundData data = due.data(prefix(counted, covers), real);
                            Optional<PolicySnapshot> policy = Optional.ofNullable(byEnvStep.get(covers));
                            model.start(due, data, policy, () -> due.train(rounds, data, settings,
                                    policy.map(ActorRunner::new), setup.rolloutLength().applyAsInt(covers),
                                    setup.rolloutBatchSize()));
                            continue;
                        }
                    }
                    if (next == 0) {
                        if (model.busy() && collector.done()) {
                            model.harvest(listener, rounds, rollouts, scheduled); // the last round, after the last chunk
                            continue;
                        }
                        break; // env-service acts on, while a round may train
                    }
                    SacLearning.Paid paid = learning.payOneScheduled(sac, batches.get(), realRatio, setup.sacBatchSize(),
                            schedule, scheduled);
                    if (paid == null) {
                        if (model.busy()) {
                            // The update needs the round in flight (modelLag 0, or the lag used up): wait for it.
                            model.harvest(listener, rounds, rollouts, scheduled);
                            continue;
                        }
                        throw new IllegalStateException("lockstep: the update owed by transition " + next
                                + " waits for a round that cannot come");
                    }
                    updates[0]++;
                }
                if (collector.done()) {
                    break;
                }
                // env-service: the next chunk with the newest snapshot covering every transition published.
                long target = learning.counted();
                PolicySnapshot s = byEnvStep.ceilingEntry(target) == null ? null : byEnvStep.lastEntry().getValue();
                if (s == null) {
                    throw new IllegalStateException("lockstep: no snapshot at envStep >= " + target
                            + " (does initialRandomSteps reach learnerMinTransitions?)");
                }
                if (s.version() != acting) {
                    collector.use(new SnapshotPolicy(s, false, setup.collectionSeed() * 1_000_003L + s.version()));
                    acting = s.version();
                }
                collector.collect(chunk);
            }
        }
        return new Result(published, snapshots, rollouts);
    }

    private static Transitions prefix(List<TransitionBatch> batches, long n) {
        int k = Math.toIntExact(n);
        double[][] obs = new double[k][];
        double[][] act = new double[k][];
        double[] rew = new double[k];
        double[][] next = new double[k][];
        int i = 0;
        for (TransitionBatch b : batches) {
            for (int j = 0; j < b.size() && i < k; j++, i++) {
                obs[i] = b.obs()[j];
                act[i] = b.act()[j];
                rew[i] = b.rew()[j];
                next[i] = b.nextObs()[j];
            }
        }
        return new Transitions(obs, act, rew, next);
    }

    /**
     * model-service's side of the run on a thread of its own, so that with {@code modelLag} 1 a round trains on one
     * core while the learner pays updates from the previous round's rollouts on the other, as the services do.
     * The learner takes a round's rollouts only where the schedule names that round, so the results do not depend on
     * when a round finishes; the listener hears of each round on the caller's thread, before the next one starts.
     */
    private static final class ModelThread implements AutoCloseable {
        private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "in-process-model-round");
            t.setDaemon(true);
            return t;
        });
        private Future<ScheduledRound.Made> inFlight;
        private ScheduledRound round;
        private RoundData data;
        private Optional<PolicySnapshot> policy;

        boolean busy() {
            return inFlight != null;
        }

        boolean finished() {
            return inFlight != null && inFlight.isDone();
        }

        void start(ScheduledRound round, RoundData data, Optional<PolicySnapshot> policy,
                   Callable<ScheduledRound.Made> train) {
            this.round = round;
            this.data = data;
            this.policy = policy;
            this.inFlight = executor.submit(train);
        }

        /** Waits for the round in flight, hands its rollouts to the learner and tells the listener. */
        void harvest(Listener listener, ModelRounds rounds, List<RolloutBatch> rollouts, ScheduledRollouts scheduled) {
            ScheduledRound.Made made;
            try {
                made = inFlight.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while model round " + round.round() + " trained", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("model round " + round.round() + " failed", e.getCause());
            }
            inFlight = null;
            listener.onRound(round.round(), made.report(), data, rounds, policy);
            for (RolloutBatch b : made.rollouts()) {
                rollouts.add(b);
                scheduled.add(b);
            }
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}

package io.sim2real.training.acting;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.function.Consumer;

/**
 * Runs a behaviour policy in a vector of environments and packs the transitions into TransitionBatches of a
 * fixed size, in order, for a budget of exactly {@code envSteps} env steps ({@link CollectionBudget}: the last
 * vector step keeps only the envs it needs). Steps whose physics went unstable are dropped (their successor
 * state is not real) and counted. {@link #published} and {@link #unstableDropped} may be read from any thread:
 * they change when a batch has been handed to the sink.
 *
 * <p>A collector that {@link #follow}s a {@link PhysicsSchedule} changes its envs' physics exactly at the schedule's
 * steps, counted in transitions collected: the vector step before a change keeps only the envs it needs to reach it
 * (as the collection's last step does), then the envs are rebuilt with the new physics and start new episodes, with
 * episode ids past every earlier one. The episodes in progress end there, as at a restart; the budget is unchanged.
 */
public final class TransitionCollector {

    /** The envs acting now: the caller's, or one the schedule's factory built (closed here when replaced). */
    private HalfCheetahEnv env;
    private boolean ownsEnv;
    private PhysicsSchedule schedule;
    private EnvFactory envFactory;
    /** The transition count (collected) up to which the current envs' physics hold. */
    private long physicsValidUntil = Long.MAX_VALUE;
    private long maxEpisodeId = -1;
    private BehaviourPolicy policy;
    private final String runId;
    private final Domain domain;
    private final String envId;
    private final int batchSize;
    private final Consumer<TransitionBatch> sink;
    private final CollectionBudget budget;

    private double[][] observations;
    private int[] stepIndices;
    private final Rows rows;
    private long unstableDropped;
    private long episodeIdOffset;
    /** Transitions handed to the sink (those published before a restart included), and the steps dropped by then. */
    private volatile long published;
    private volatile long droppedAtFlush;

    /** @param envSteps the collection's budget: it never accounts for more env steps */
    public TransitionCollector(HalfCheetahEnv env, BehaviourPolicy policy, String runId, Domain domain, String envId,
                               int batchSize, long envSteps, Consumer<TransitionBatch> sink) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.env = env;
        this.policy = policy;
        this.runId = runId;
        this.domain = domain;
        this.envId = envId;
        this.batchSize = batchSize;
        this.sink = sink;
        this.rows = new Rows(batchSize);
        this.budget = new CollectionBudget(envSteps, env.numEnvs());
    }

    /**
     * Takes whole vector steps until {@code envSteps} more env steps are accounted for (at least) or the budget is
     * spent, then flushes.
     */
    public void collect(long envSteps) {
        if (observations == null) {
            observations = env.reset();
            stepIndices = new int[env.numEnvs()];
            if (schedule != null) {
                physicsValidUntil = schedule.nextChange(collected());
            }
        }
        long end = budget.chunkEnd(envSteps);
        for (int kept = budget.nextStep(end); kept > 0; kept = budget.nextStep(end)) {
            if (collected() >= physicsValidUntil) {
                switchPhysics();
            }
            kept = (int) Math.min(kept, physicsValidUntil - collected());
            StepResult s = env.step(policy.act(observations, stepIndices));
            for (int i = 0; i < kept; i++) {
                if (s.unstable()[i]) {
                    unstableDropped++;
                } else {
                    maxEpisodeId = Math.max(maxEpisodeId, rows.add(s, i, episodeIdOffset));
                    if (rows.count == batchSize) {
                        flush();
                    }
                }
            }
            budget.took(kept);
            observations = env.observations();
            for (int i = 0; i < s.size(); i++) {
                stepIndices[i] = s.truncated()[i] || s.unstable()[i] ? 0 : s.stepIndices()[i] + 1;
            }
        }
        flush();
    }

    /**
     * Makes this collector go on from an earlier one that published {@code published} transitions (a collection
     * resumed after a restart): it owes the rest of the budget, and its episode ids are shifted by
     * {@code episodeIdOffset}, past the earlier ones. Call before the first {@link #collect}.
     */
    public void continueAfter(long published, long episodeIdOffset) {
        if (observations != null) {
            throw new IllegalStateException("continueAfter must come before the first collect");
        }
        budget.resumeAfter(published);
        this.published = published;
        this.episodeIdOffset = episodeIdOffset;
        this.maxEpisodeId = Math.max(maxEpisodeId, episodeIdOffset - 1);
    }

    /** Builds the envs for a physics from a given transition count on, with as many envs as the collector's. */
    @FunctionalInterface
    public interface EnvFactory {
        HalfCheetahEnv create(DomainPhysics physics, long collected);
    }

    /**
     * Makes the envs' physics follow {@code schedule}: the envs passed to the constructor must have the physics in
     * force at the first transition this collector makes ({@code schedule.physicsAt(published())}); at each later
     * change {@code factory} builds new ones. Call before the first {@link #collect} (after {@link #continueAfter}).
     */
    public void follow(PhysicsSchedule schedule, EnvFactory factory) {
        if (observations != null) {
            throw new IllegalStateException("follow must come before the first collect");
        }
        this.schedule = schedule;
        this.envFactory = factory;
    }

    /** Transitions made so far: handed to the sink (those before a restart included) or waiting in a batch. */
    private long collected() {
        return published + rows.count;
    }

    /** At a change of the schedule: new envs with the new physics, new episodes, ids past every earlier one. */
    private void switchPhysics() {
        long at = collected();
        HalfCheetahEnv next = envFactory.create(schedule.physicsAt(at), at);
        if (next.numEnvs() != env.numEnvs()) {
            next.close();
            throw new IllegalStateException("the schedule's envs number " + next.numEnvs() + ", not " + env.numEnvs());
        }
        if (ownsEnv) {
            env.close();
        }
        env = next;
        ownsEnv = true;
        episodeIdOffset = CollectionBudget.episodeIdOffset(maxEpisodeId, env.numEnvs());
        observations = env.reset();
        stepIndices = new int[env.numEnvs()];
        physicsValidUntil = schedule.nextChange(at);
    }

    /** Closes the envs this collector built for a schedule (the constructor's stay the caller's). */
    public void closeOwnEnvs() {
        if (ownsEnv) {
            env.close();
            ownsEnv = false;
        }
    }

    /**
     * Acts with {@code next} from the next {@link #collect} on; the episodes in progress go on. Batches never mix
     * policies: {@code collect} flushes before it returns.
     */
    public void use(BehaviourPolicy next) {
        this.policy = next;
    }

    /** Env steps accounted for, transitions not yet flushed included: where the collecting thread stands. */
    public long stepsTaken() {
        return budget.accounted();
    }

    /** Whether every env step of the budget is accounted for. */
    public boolean done() {
        return budget.spent();
    }

    /** Transitions handed to the sink (published), those of an earlier process before {@link #continueAfter} included. */
    public long published() {
        return published;
    }

    /** Steps dropped as unstable, up to the last batch handed to the sink (this process's only). */
    public long unstableDropped() {
        return droppedAtFlush;
    }

    private void flush() {
        if (rows.count > 0) {
            sink.accept(rows.toBatch(runId, domain, envId, policy.version()));
            published += rows.count;
            rows.clear();
        }
        droppedAtFlush = unstableDropped;
    }

    /** Transitions waiting to fill a batch. */
    private static final class Rows {
        final long[] episodes;
        final int[] steps;
        final double[][] obs;
        final double[][] act;
        final double[] rew;
        final double[][] next;
        final boolean[] truncated;
        int count;

        Rows(int capacity) {
            episodes = new long[capacity];
            steps = new int[capacity];
            obs = new double[capacity][];
            act = new double[capacity][];
            rew = new double[capacity];
            next = new double[capacity][];
            truncated = new boolean[capacity];
        }

        /** Returns the row's episode id. */
        long add(StepResult s, int i, long episodeIdOffset) {
            episodes[count] = s.episodeIds()[i] + episodeIdOffset;
            steps[count] = s.stepIndices()[i];
            obs[count] = s.obs()[i];
            act[count] = s.act()[i];
            rew[count] = s.rew()[i];
            next[count] = s.nextObs()[i];
            truncated[count] = s.truncated()[i];
            return episodes[count++];
        }

        TransitionBatch toBatch(String runId, Domain domain, String envId, long policyVersion) {
            int n = count;
            return new TransitionBatch(SchemaVersion.CURRENT, runId, domain, envId, policyVersion,
                    java.util.Arrays.copyOf(episodes, n), java.util.Arrays.copyOf(steps, n),
                    java.util.Arrays.copyOf(obs, n), java.util.Arrays.copyOf(act, n), java.util.Arrays.copyOf(rew, n),
                    java.util.Arrays.copyOf(next, n), new boolean[n], java.util.Arrays.copyOf(truncated, n));
        }

        void clear() {
            count = 0;
        }
    }
}

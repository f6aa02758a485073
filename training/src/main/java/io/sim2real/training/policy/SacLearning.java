package io.sim2real.training.policy;

import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.Sac;
import io.sim2real.replay.TransitionStore;
import java.util.SplittableRandom;

/**
 * The learner's data and the updates it owes, in plain Java: a run's environment transitions (of its training
 * domains), its model rollouts, and the SAC updates they owe, paid one at a time on mixed batches. policy-service and
 * the in-process runner hold one per run.
 *
 * <p>The rule that makes the result independent of how transitions arrive in records: the run's n-th transition owes
 * its updates ({@link OwedUpdates}, cumulative, so a fractional G owes the same total however they are batched), and
 * each of those updates draws its environment rows from the first n transitions only ({@link OwedQueue}), not from
 * whatever arrived since, rows drawn by {@link MixedBatch} from one generator. So the same transitions, owed under
 * the same settings and paid in order from the same Sac and generator, give the same Sac, bit for bit, whether they
 * arrived one by one or in records of 250, and whenever the updates were paid. (Once the environment store is full,
 * an update draws from those of its first n transitions still held.) Model rows are drawn from the rollouts held when
 * the update is paid.
 */
public final class SacLearning {

    private final TransitionStore environment;
    private final TransitionStore rollouts;
    private final OwedQueue owed = new OwedQueue();

    public SacLearning(int environmentCapacity, int rolloutCapacity) {
        this.environment = new TransitionStore(environmentCapacity);
        this.rollouts = new TransitionStore(rolloutCapacity);
    }

    /**
     * Stores a record's transitions; unless {@code owes} is false (a restored learner's checkpoint already reflects
     * them), they owe their updates under {@code rule}, as long as no more than {@code maxPending} are pending.
     *
     * @return the updates they owe but the cap dropped
     */
    public long addTransitions(TransitionBatch batch, OwedUpdates rule, boolean owes, long maxPending) {
        long before = environment.added();
        environment.add(batch);
        return owes ? owed.owe(before, environment.added(), rule, maxPending) : 0;
    }

    public void addRollouts(RolloutBatch batch) {
        rollouts.add(batch);
    }

    /** One paid update: its statistics, the environment rows of its batch and the transitions they were drawn from. */
    public record Paid(Sac.UpdateStats stats, int environmentRows, long fromTransitions) {
    }

    /**
     * Pays the oldest owed update: one SAC update on a batch of {@code batchSize} rows drawn by {@link MixedBatch}
     * (environment rows from the transitions that owed it; model rows when {@code mixRollouts} and there are some).
     *
     * @return the paid update, or null when nothing is owed
     */
    public Paid payOne(Sac sac, SplittableRandom random, double realRatio, int batchSize, boolean mixRollouts) {
        long rows = owed.nextRows();
        if (rows == 0) {
            return null;
        }
        // A learner behind by more than the store's capacity: its first n transitions are gone, the oldest held stand in.
        long limit = Math.max(rows, environment.added() - environment.size() + 1);
        TransitionStore model = mixRollouts && rollouts.size() > 0 ? rollouts : null;
        TransitionStore.Sample batch = MixedBatch.draw(environment, model, realRatio, batchSize, random, limit);
        Sac.UpdateStats stats = sac.update(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done(), batchSize);
        owed.paid();
        return new Paid(stats, MixedBatch.environmentRows(batchSize, realRatio, model != null), rows);
    }

    /**
     * Pays the oldest owed update of a lockstep run, mixing in exactly the rollouts its schedule gives it
     * ({@link ScheduledRollouts}); nothing while that round is not wholly here.
     *
     * @return the paid update, or null when nothing is owed or its round is not here yet
     */
    public Paid payOneScheduled(Sac sac, SplittableRandom random, double realRatio, int batchSize,
                                io.sim2real.methods.LockstepSchedule schedule, ScheduledRollouts scheduled) {
        long rows = owed.nextRows();
        if (rows == 0) {
            return null;
        }
        ScheduledRollouts.Use use = scheduled.forTransition(schedule, rows);
        if (use instanceof ScheduledRollouts.Use.Waiting) {
            return null;
        }
        TransitionStore model = use instanceof ScheduledRollouts.Use.Round r ? r.rollouts() : null;
        long limit = Math.max(rows, environment.added() - environment.size() + 1);
        TransitionStore.Sample batch = MixedBatch.draw(environment, model, realRatio, batchSize, random, limit);
        Sac.UpdateStats stats = sac.update(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done(), batchSize);
        owed.paid();
        return new Paid(stats, MixedBatch.environmentRows(batchSize, realRatio, model != null), rows);
    }

    public OwedQueue owed() {
        return owed;
    }

    public TransitionStore environment() {
        return environment;
    }

    public TransitionStore rollouts() {
        return rollouts;
    }
}

package io.sim2real.training.policy;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.Sac;
import io.sim2real.replay.TransitionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import io.sim2real.methods.LockstepSchedule;

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
    /** A run on sim and a real dataset: the dataset's rows, which come first and owe nothing (0: none). */
    private long datasetRows;
    private long datasetHeld;
    /** Counted (sim) records that arrived before the whole dataset, with whether they owe: stored once it is here. */
    private final List<Held> early = new ArrayList<>();

    private record Held(TransitionBatch batch, OwedUpdates rule, boolean owes, long maxPending) {
    }

    public SacLearning(int environmentCapacity, int rolloutCapacity) {
        this.environment = new TransitionStore(environmentCapacity);
        this.rollouts = new TransitionStore(rolloutCapacity);
    }

    /**
     * For a lockstep run on sim and a real dataset ({@link LockstepSchedule#datasetRows()}): its real transitions are the
     * dataset, stored first and owing nothing; its sim transitions are stored after all of it, in their order, and owe
     * their updates as the n-th counted transition, drawing from the dataset and the first n ({@link OwedQueue} rows
     * D + n). Sim records that arrive before the whole dataset wait for it, so the arrival order of the two does not
     * matter. Call before any transition arrives.
     */
    public synchronized void expectDataset(long rows) {
        if (environment.added() > 0 || !early.isEmpty()) {
            throw new IllegalStateException("the dataset is expected before any transition");
        }
        datasetRows = rows;
    }

    /** The dataset rows that precede the counted transitions (0 for a run on one domain). */
    public long datasetRows() {
        return datasetRows;
    }

    /**
     * Stores a record's transitions; unless {@code owes} is false (a restored learner's checkpoint already reflects
     * them), they owe their updates under {@code rule}, as long as no more than {@code maxPending} are pending.
     *
     * @return the updates they owe but the cap dropped
     */
    public synchronized long addTransitions(TransitionBatch batch, OwedUpdates rule, boolean owes, long maxPending) {
        if (datasetRows > 0) {
            if (batch.domain() == Domain.REAL) {
                if (datasetHeld + batch.size() > datasetRows) {
                    throw new IllegalStateException("run " + batch.runId() + ": more real transitions than its dataset's "
                            + datasetRows + " (realDomain.source.transitions)");
                }
                environment.add(batch);
                datasetHeld += batch.size();
                long dropped = 0;
                if (datasetHeld == datasetRows) {
                    for (Held h : early) {
                        dropped += store(h.batch(), h.rule(), h.owes(), h.maxPending());
                    }
                    early.clear();
                }
                return dropped;
            }
            if (datasetHeld < datasetRows) {
                early.add(new Held(batch, rule, owes, maxPending));
                return 0;
            }
        }
        return store(batch, rule, owes, maxPending);
    }

    private long store(TransitionBatch batch, OwedUpdates rule, boolean owes, long maxPending) {
        long before = environment.added();
        environment.add(batch);
        // The n-th counted transition is the (D + n)-th stored: it owes what the n-th owes and draws from D + n rows.
        OwedUpdates shifted = datasetRows == 0 ? rule
                : new OwedUpdates(rule.updatesPerStep(), rule.minTransitions() + datasetRows);
        return owes ? owed.owe(before, environment.added(), shifted, maxPending) : 0;
    }

    /** The counted transitions held (sim ones after the whole dataset, or all of a one-domain run's). */
    public synchronized long counted() {
        return datasetHeld < datasetRows ? 0 : environment.added() - datasetRows;
    }

    /** The counted transition (n) whose update is paid next, or 0 when none is owed. */
    public long nextCounted() {
        long rows = owed.nextRows();
        return rows == 0 ? 0 : rows - datasetRows;
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
                                LockstepSchedule schedule, ScheduledRollouts scheduled) {
        long rows = owed.nextRows();
        if (rows == 0) {
            return null;
        }
        ScheduledRollouts.Use use = scheduled.forTransition(schedule, rows - datasetRows);
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

package io.sim2real.training.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The SAC updates a run owes and has not paid yet, oldest first, each with the environment rows it may draw from:
 * an update owed by the run's n-th transition (of its training domains) draws its environment rows from the first n
 * transitions, whatever has arrived since ({@link SacLearning}). Updates are owed per transition by {@link OwedUpdates}
 * and queued as (n, count) pairs; beyond a cap the newest are dropped (the learner never falls unboundedly behind),
 * so the oldest one, being paid, never changes under the payer. Thread-safe: a consumer owes while a worker pays.
 */
public final class OwedQueue {

    /** The run's n-th transition owes {@code count} updates not paid yet. */
    private static final class Owed {
        final long rows;
        long count;

        Owed(long rows, long count) {
            this.rows = rows;
            this.count = count;
        }
    }

    private final ArrayDeque<Owed> owed = new ArrayDeque<>();
    private volatile long pending;

    /**
     * Owes the updates of the transitions after the first {@code before}, up to the {@code after}-th, under
     * {@code rule}, as long as no more than {@code cap} are pending.
     *
     * @return the updates those transitions owe but the cap dropped
     */
    public synchronized long owe(long before, long after, OwedUpdates rule, long cap) {
        long dropped = 0;
        for (long n = before + 1; n <= after; n++) {
            long count = rule.between(n - 1, n);
            long taken = Math.max(0, Math.min(count, cap - pending));
            dropped += count - taken;
            if (taken > 0) {
                owed.addLast(new Owed(n, taken));
                pending += taken;
            }
        }
        return dropped;
    }

    /** Updates owed and not paid yet. */
    public long pending() {
        return pending;
    }

    /** The environment rows the oldest owed update draws from (the first n transitions), or 0 when none is owed. */
    public synchronized long nextRows() {
        Owed head = owed.peekFirst();
        return head == null ? 0 : head.rows;
    }

    /** The oldest owed update is paid. */
    public synchronized void paid() {
        Owed head = owed.peekFirst();
        if (head == null) {
            throw new IllegalStateException("no update owed");
        }
        if (--head.count == 0) {
            owed.removeFirst();
        }
        pending--;
    }

    /** Forgets every owed update. */
    public synchronized void clear() {
        owed.clear();
        pending = 0;
    }

    /** The queue as numbers, for a checkpoint: rows and count of each transition that owes, oldest first. */
    public synchronized List<Long> toList() {
        List<Long> out = new ArrayList<>(2 * owed.size());
        for (Owed o : owed) {
            out.add(o.rows);
            out.add(o.count);
        }
        return out;
    }

    /**
     * Replaces the queue with one read back from {@link #toList()}.
     *
     * @throws IllegalArgumentException if the list is not pairs of positive numbers with rows ascending
     */
    public synchronized void restore(List<? extends Number> list) {
        if (list.size() % 2 != 0) {
            throw new IllegalArgumentException("owed updates come in (rows, count) pairs: " + list.size() + " numbers");
        }
        ArrayDeque<Owed> read = new ArrayDeque<>();
        long total = 0;
        long last = 0;
        for (int i = 0; i < list.size(); i += 2) {
            long rows = list.get(i).longValue();
            long count = list.get(i + 1).longValue();
            if (rows <= last || count < 1) {
                throw new IllegalArgumentException("owed updates (" + rows + " rows, " + count + ") after rows " + last);
            }
            read.addLast(new Owed(rows, count));
            total += count;
            last = rows;
        }
        owed.clear();
        owed.addAll(read);
        pending = total;
    }
}

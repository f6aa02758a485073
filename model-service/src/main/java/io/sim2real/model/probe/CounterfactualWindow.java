package io.sim2real.model.probe;

import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.nn.latent.Transitions;
import java.util.HashSet;
import java.util.Set;

/**
 * One run's newest counterfactual pairs (at most {@code capacity}, oldest dropped first): real transitions
 * (o, a, o'_real) with the simulator's (o, a, f_sim(o, a)). A batch is applied once per source position
 * (sourcePartition, sourceOffset) of the real batch it pairs, however often it is delivered or published.
 * Thread-safe.
 */
public final class CounterfactualWindow {

    /** Where a batch's real transitions were read from on {@code sim2real.transitions}. */
    public record Position(int partition, long offset) {
    }

    /** The window as the probe's two sides, oldest row first (rewards are not paired: zero on both sides). */
    public record Sides(Transitions sim, Transitions real) {
    }

    private final int capacity;
    private final double[][] obs;
    private final double[][] act;
    private final double[][] realNext;
    private final double[][] simNext;
    private final Set<Position> applied = new HashSet<>();
    private int next;
    private int size;
    private long added;

    public CounterfactualWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        obs = new double[capacity][];
        act = new double[capacity][];
        realNext = new double[capacity][];
        simNext = new double[capacity][];
    }

    /** Adds a batch's pairs unless a batch of the same source position was added; returns whether it was. */
    public synchronized boolean add(CounterfactualBatch batch) {
        if (!applied.add(new Position(batch.sourcePartition(), batch.sourceOffset()))) {
            return false;
        }
        for (int i = 0; i < batch.size(); i++) {
            obs[next] = batch.obs()[i];
            act[next] = batch.act()[i];
            realNext[next] = batch.realNextObs()[i];
            simNext[next] = batch.simNextObs()[i];
            next = (next + 1) % capacity;
            size = Math.min(size + 1, capacity);
        }
        added += batch.size();
        return true;
    }

    /** Pairs held now. */
    public synchronized int size() {
        return size;
    }

    /** Pairs added since the start (including those dropped since). */
    public synchronized long added() {
        return added;
    }

    /** Batches applied (distinct source positions). */
    public synchronized int batches() {
        return applied.size();
    }

    /** The pairs held now, oldest first (references to the rows, which are never modified). */
    public synchronized Sides sides() {
        double[][] o = new double[size][];
        double[][] a = new double[size][];
        double[][] r = new double[size][];
        double[][] s = new double[size][];
        int start = size < capacity ? 0 : next;
        for (int k = 0; k < size; k++) {
            int i = (start + k) % capacity;
            o[k] = obs[i];
            a[k] = act[i];
            r[k] = realNext[i];
            s[k] = simNext[i];
        }
        double[] rew = new double[size];
        return new Sides(new Transitions(o, a, rew, s), new Transitions(o, a, rew, r));
    }

    /** A hash of the pairs held, in order: two windows with the same pairs in the same order have the same one. */
    public synchronized long checksum() {
        long h = 17;
        int start = size < capacity ? 0 : next;
        for (int k = 0; k < size; k++) {
            int i = (start + k) % capacity;
            for (double[][] column : new double[][][] {obs, act, realNext, simNext}) {
                for (double v : column[i]) {
                    h = 31 * h + Double.hashCode(v);
                }
            }
        }
        return h;
    }
}

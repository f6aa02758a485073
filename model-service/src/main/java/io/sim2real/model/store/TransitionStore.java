package io.sim2real.model.store;

import io.sim2real.contracts.messages.TransitionBatch;
import java.util.SplittableRandom;

/**
 * A bounded FIFO of transitions of one run and domain: when full, the oldest are overwritten. Rows are kept
 * as the arrays the batches brought (no copy). Thread-safe: the consumer appends while the trainer reads.
 */
public final class TransitionStore {

    private final int capacity;
    private final double[][] obs;
    private final double[][] act;
    private final double[] rew;
    private final double[][] nextObs;
    private int next;
    private int size;
    private long added;

    public TransitionStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.obs = new double[capacity][];
        this.act = new double[capacity][];
        this.rew = new double[capacity];
        this.nextObs = new double[capacity][];
    }

    public synchronized void add(TransitionBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            obs[next] = batch.obs()[i];
            act[next] = batch.act()[i];
            rew[next] = batch.rew()[i];
            nextObs[next] = batch.nextObs()[i];
            next = (next + 1) % capacity;
            size = Math.min(size + 1, capacity);
        }
        added += batch.size();
    }

    public synchronized int size() {
        return size;
    }

    /** Transitions ever added, including those the capacity has since pushed out. */
    public synchronized long added() {
        return added;
    }

    /** A consistent copy of the rows held now (references to the row arrays, which are never modified). */
    public synchronized Snapshot snapshot() {
        double[][] o = new double[size][];
        double[][] a = new double[size][];
        double[] r = new double[size];
        double[][] n = new double[size][];
        int start = size < capacity ? 0 : next;
        for (int k = 0; k < size; k++) {
            int i = (start + k) % capacity;
            o[k] = obs[i];
            a[k] = act[i];
            r[k] = rew[i];
            n[k] = nextObs[i];
        }
        return new Snapshot(o, a, r, n);
    }

    /** {@code count} observations drawn uniformly with replacement, as rollout start states. */
    public synchronized double[][] sampleObservations(int count, SplittableRandom random) {
        if (size == 0) {
            throw new IllegalStateException("no transitions stored");
        }
        double[][] out = new double[count][];
        for (int k = 0; k < count; k++) {
            out[k] = obs[random.nextInt(size)];
        }
        return out;
    }

    /** Rows of a store at one moment. */
    public record Snapshot(double[][] obs, double[][] act, double[] rew, double[][] nextObs) {

        public int size() {
            return rew.length;
        }

        /** This snapshot followed by another (for training on several domains). */
        public Snapshot concat(Snapshot other) {
            return new Snapshot(join(obs, other.obs), join(act, other.act), joinRew(rew, other.rew), join(nextObs, other.nextObs));
        }

        private static double[][] join(double[][] a, double[][] b) {
            double[][] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        private static double[] joinRew(double[] a, double[] b) {
            double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}

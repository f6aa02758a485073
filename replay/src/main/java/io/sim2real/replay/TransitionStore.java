package io.sim2real.replay;

import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.SplittableRandom;

/**
 * A bounded FIFO of transitions (a replay buffer): when full, the oldest are overwritten. Rows are kept as the
 * arrays the batches brought (no copy). Thread-safe: a consumer appends while a trainer reads. Used for
 * model-service's environment data and policy-service's environment and model data.
 */
public final class TransitionStore {

    private final int capacity;
    private final double[][] obs;
    private final double[][] act;
    private final double[] rew;
    private final double[][] nextObs;
    private final boolean[] done;
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
        this.done = new boolean[capacity];
    }

    public synchronized void add(TransitionBatch batch) {
        add(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done());
    }

    public synchronized void add(RolloutBatch batch) {
        add(batch.obs(), batch.act(), batch.rew(), batch.nextObs(), batch.done());
    }

    private void add(double[][] o, double[][] a, double[] r, double[][] o2, boolean[] d) {
        for (int i = 0; i < r.length; i++) {
            obs[next] = o[i];
            act[next] = a[i];
            rew[next] = r[i];
            nextObs[next] = o2[i];
            done[next] = d[i];
            next = (next + 1) % capacity;
            size = Math.min(size + 1, capacity);
        }
        added += r.length;
    }

    /** A training batch: {@code count} rows drawn uniformly with replacement. */
    public record Sample(double[][] obs, double[][] act, double[] rew, double[][] nextObs, boolean[] done) {

        /** This sample's rows followed by another's (a batch mixing two buffers). */
        public Sample concat(Sample other) {
            boolean[] d = java.util.Arrays.copyOf(done, done.length + other.done.length);
            System.arraycopy(other.done, 0, d, done.length, other.done.length);
            return new Sample(Snapshot.join(obs, other.obs), Snapshot.join(act, other.act),
                    Snapshot.joinRew(rew, other.rew), Snapshot.join(nextObs, other.nextObs), d);
        }
    }

    public synchronized Sample sample(int count, SplittableRandom random) {
        if (size == 0) {
            throw new IllegalStateException("no transitions stored");
        }
        double[][] o = new double[count][];
        double[][] a = new double[count][];
        double[] r = new double[count];
        double[][] o2 = new double[count][];
        boolean[] d = new boolean[count];
        for (int k = 0; k < count; k++) {
            int i = random.nextInt(size);
            o[k] = obs[i];
            a[k] = act[i];
            r[k] = rew[i];
            o2[k] = nextObs[i];
            d[k] = done[i];
        }
        return new Sample(o, a, r, o2, d);
    }

    /**
     * A training batch drawn only from the first {@code limitRows} transitions ever added (the rows the store held
     * when its {@code limitRows}-th transition arrived): {@code count} rows uniformly with replacement among those of
     * them it still holds (the capacity may have pushed the oldest out since). So a draw does not depend on what
     * arrived after that transition. A limit of at least {@link #added()} draws from every row held; while the store
     * has never been full, that is the same draw as {@link #sample(int, SplittableRandom)}.
     *
     * @throws IllegalArgumentException if {@code limitRows} < 1
     * @throws IllegalStateException    if the store holds none of those rows
     */
    public synchronized Sample sample(int count, SplittableRandom random, long limitRows) {
        if (limitRows < 1) {
            throw new IllegalArgumentException("limitRows must be >= 1: " + limitRows);
        }
        long end = Math.min(limitRows, added);
        long start = added - size;
        if (end <= start) {
            throw new IllegalStateException("none of the first " + limitRows + " transitions is still stored (the oldest held is the "
                    + (start + 1) + "-th)");
        }
        int span = (int) (end - start);
        double[][] o = new double[count][];
        double[][] a = new double[count][];
        double[] r = new double[count];
        double[][] o2 = new double[count][];
        boolean[] d = new boolean[count];
        for (int k = 0; k < count; k++) {
            // The g-th transition ever added (0-based) sits at slot g mod capacity.
            int i = (int) ((start + random.nextInt(span)) % capacity);
            o[k] = obs[i];
            a[k] = act[i];
            r[k] = rew[i];
            o2[k] = nextObs[i];
            d[k] = done[i];
        }
        return new Sample(o, a, r, o2, d);
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

        static double[][] join(double[][] a, double[][] b) {
            double[][] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        static double[] joinRew(double[] a, double[] b) {
            double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}

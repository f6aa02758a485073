package io.sim2real.nn.latent;

/** One domain's transitions, row i of each array: (o, a, r, o'). */
public record Transitions(double[][] obs, double[][] act, double[] rew, double[][] nextObs) {

    public Transitions {
        int n = rew.length;
        if (obs.length != n || act.length != n || nextObs.length != n) {
            throw new IllegalArgumentException("obs, act, rew and nextObs must have one row per transition");
        }
    }

    public int size() {
        return rew.length;
    }

    /** The first n transitions (a view of the same rows). */
    public Transitions head(int n) {
        return new Transitions(java.util.Arrays.copyOf(obs, n), java.util.Arrays.copyOf(act, n),
                java.util.Arrays.copyOf(rew, n), java.util.Arrays.copyOf(nextObs, n));
    }

    /** The last {@code max} transitions, or all when there are fewer (a view of the same rows). */
    public Transitions tail(int max) {
        int n = size();
        if (n <= max) {
            return this;
        }
        return new Transitions(java.util.Arrays.copyOfRange(obs, n - max, n), java.util.Arrays.copyOfRange(act, n - max, n),
                java.util.Arrays.copyOfRange(rew, n - max, n), java.util.Arrays.copyOfRange(nextObs, n - max, n));
    }

    /** These transitions followed by {@code other}'s (the same row arrays, not copies). */
    public Transitions concat(Transitions other) {
        int n = size() + other.size();
        double[][] o = java.util.Arrays.copyOf(obs, n);
        double[][] a = java.util.Arrays.copyOf(act, n);
        double[] r = java.util.Arrays.copyOf(rew, n);
        double[][] o2 = java.util.Arrays.copyOf(nextObs, n);
        System.arraycopy(other.obs, 0, o, size(), other.size());
        System.arraycopy(other.act, 0, a, size(), other.size());
        System.arraycopy(other.rew, 0, r, size(), other.size());
        System.arraycopy(other.nextObs, 0, o2, size(), other.size());
        return new Transitions(o, a, r, o2);
    }
}

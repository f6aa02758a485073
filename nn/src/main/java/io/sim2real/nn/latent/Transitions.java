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
}

package io.sim2real.training.model;

import io.sim2real.contracts.Domain;
import io.sim2real.nn.latent.Transitions;

/**
 * The transitions a round sees, per domain, as they were when it started (a domain without data is empty). A round
 * trains on them and draws its rollouts' start states from them, so that the same data gives the same round wherever
 * it runs.
 */
public record RoundData(Transitions sim, Transitions real) {

    private static final Transitions NONE = new Transitions(new double[0][], new double[0][], new double[0], new double[0][]);

    /** No transitions of a domain. */
    public static Transitions none() {
        return NONE;
    }

    public Transitions of(Domain d) {
        return d == Domain.SIM ? sim : real;
    }

    public int size(Domain d) {
        return of(d).size();
    }
}

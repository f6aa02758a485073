package io.sim2real.experiments;

import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.CounterfactualSimulator;

/**
 * Counterfactual pairs of an emulated real stream as the probe takes them: physics' {@link CounterfactualSimulator}
 * (the nominal simulator put in each real state and stepped with the same action, as env-service pairs real
 * transitions) with the rows as {@link Transitions}. Row i of both sides then shares (o, a), and the sides differ
 * only in the dynamics; a row the simulator cannot take is left out of both.
 */
final class CounterfactualSim implements AutoCloseable {

    /** Envs stepped together. */
    static final int BATCH = 256;

    /** A real window and its simulated twin, row for row. */
    record Pairs(Transitions real, Transitions sim) {
        int size() {
            return real.size();
        }
    }

    private final CounterfactualSimulator simulator = new CounterfactualSimulator(BATCH);

    /** The pairs of every real row the simulator can take. */
    Pairs pair(Transitions real) {
        CounterfactualSimulator.Pairs p = simulator.pair(real.obs(), real.act(), real.nextObs());
        double[] realRew = new double[p.size()];
        // The simulator keeps the rows it took in order: match them back to their real rewards.
        int row = 0;
        for (int k = 0; k < p.size(); k++) {
            while (real.obs()[row] != p.obs()[k]) {
                row++;
            }
            realRew[k] = real.rew()[row];
        }
        return new Pairs(new Transitions(p.obs(), p.act(), realRew, p.realNextObs()),
                new Transitions(p.obs(), p.act(), p.simRew(), p.simNextObs()));
    }

    @Override
    public void close() {
        simulator.close();
    }
}

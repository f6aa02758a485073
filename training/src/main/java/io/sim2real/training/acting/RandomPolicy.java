package io.sim2real.training.acting;

import io.sim2real.contracts.EnvSpec;
import java.util.SplittableRandom;

/** Uniform random actions within the action bounds, from a seeded stream. */
public final class RandomPolicy implements BehaviourPolicy {

    private final EnvSpec spec;
    private final SplittableRandom random;

    public RandomPolicy(EnvSpec spec, long seed) {
        this.spec = spec;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public long version() {
        return 0;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public double[][] act(double[][] observations, int[] stepIndices) {
        double[][] actions = new double[observations.length][spec.actDim()];
        double width = spec.actionHigh() - spec.actionLow();
        for (double[] a : actions) {
            for (int j = 0; j < a.length; j++) {
                a[j] = spec.actionLow() + width * random.nextDouble();
            }
        }
        return actions;
    }
}

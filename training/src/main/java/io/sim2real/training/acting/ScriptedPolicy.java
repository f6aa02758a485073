package io.sim2real.training.acting;

import io.sim2real.physics.halfcheetah.ScriptedGait;

/** The open-loop HalfCheetah gait: moves forward without learning; each env follows its own episode clock. */
public final class ScriptedPolicy implements BehaviourPolicy {

    @Override
    public long version() {
        return 0;
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public double[][] act(double[][] observations, int[] stepIndices) {
        double[][] actions = new double[observations.length][];
        for (int i = 0; i < actions.length; i++) {
            actions[i] = ScriptedGait.action(stepIndices[i]);
        }
        return actions;
    }
}

package io.sim2real.physics.halfcheetah;

/**
 * One step of every environment in a {@link HalfCheetahEnv}: row i is env i's transition. {@code act} holds
 * the actions as clipped to the action bounds (what was commanded, whatever the action delay).
 * {@code truncated[i]} marks the end of an episode by its time limit; {@code unstable[i]} marks a step in
 * which MuJoCo found diverging physics: its {@code nextObs} is not a real successor and it must not be
 * trained on. Either way env i was reset and its next observation starts a new episode.
 */
public record StepResult(
        long[] episodeIds,
        int[] stepIndices,
        double[][] obs,
        double[][] act,
        double[] rew,
        double[][] nextObs,
        boolean[] truncated,
        boolean[] unstable) {

    public int size() {
        return rew.length;
    }
}

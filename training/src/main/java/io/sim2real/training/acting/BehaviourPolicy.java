package io.sim2real.training.acting;

/**
 * Chooses actions for a batch of environments. Implementations: {@link RandomPolicy}, {@link ScriptedPolicy};
 * policies from PolicySnapshots arrive with the shared nn core.
 */
public interface BehaviourPolicy {

    /** The policy version recorded in the transitions (0 for behaviour policies that are not snapshots). */
    long version();

    /** Row i is the action for observation i; {@code stepIndices[i]} is env i's step in its episode. */
    double[][] act(double[][] observations, int[] stepIndices);

    /** The wire name of a behaviour policy, as used in REST requests and dataset headers. */
    String name();

    /** What a dataset's description says of the policy that collected it. */
    default String describe() {
        return name() + " policy";
    }
}

package io.sim2real.training.acting;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.ActorRunner;
import java.util.SplittableRandom;

/**
 * A learned policy from a snapshot, acting on all envs at once: sampled actions for collecting data, the
 * squashed mean for evaluation. One instance per user: it has buffers.
 */
public final class SnapshotPolicy implements BehaviourPolicy {

    private final ActorRunner runner;
    private final boolean deterministic;
    private final SplittableRandom random;
    private final String runId;

    public SnapshotPolicy(PolicySnapshot snapshot, boolean deterministic, long seed) {
        this.runner = new ActorRunner(snapshot);
        this.deterministic = deterministic;
        this.random = new SplittableRandom(seed);
        this.runId = snapshot.runId();
    }

    @Override
    public String describe() {
        return "policy v" + runner.version() + " of run '" + runId + "' (" + (deterministic ? "mean" : "sampled") + " actions)";
    }

    @Override
    public long version() {
        return runner.version();
    }

    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public double[][] act(double[][] observations, int[] stepIndices) {
        return runner.act(observations, deterministic, random);
    }
}

package io.sim2real.training.policy;

import java.util.OptionalLong;

/**
 * When a lockstep learner publishes a snapshot: at each chunk boundary b (a multiple of {@code lockstepChunk}), once
 * every update owed by the run's first b transitions is paid and before any owed by a later one, if it paid some since
 * its last snapshot; the snapshot's envStep is b. So the snapshots, their versions and their weights depend only on
 * the transitions and the settings, not on how fast records arrive or updates are paid (a learner that has consumed
 * transitions past b still publishes the policy at b). A collection's chunk after b acts with it; a model round that
 * covers b rolls out with it.
 */
public final class LockstepSnapshots {

    private LockstepSnapshots() {
    }

    /**
     * The boundary to publish at now, if any.
     *
     * @param chunk            the run's lockstep chunk
     * @param nextOwedRows     the transition (n) whose update is paid next, or 0 when nothing is owed
     * @param consumed         transitions the learner holds
     * @param lastSnapshotStep envStep of its last snapshot (0: none)
     * @param paidSinceSnapshot whether it paid updates since its last snapshot
     */
    public static OptionalLong due(long chunk, long nextOwedRows, long consumed, long lastSnapshotStep,
                                   boolean paidSinceSnapshot) {
        long paidThrough = nextOwedRows > 0 ? nextOwedRows - 1 : consumed;
        long boundary = paidThrough / chunk * chunk;
        return paidSinceSnapshot && boundary > lastSnapshotStep ? OptionalLong.of(boundary) : OptionalLong.empty();
    }
}

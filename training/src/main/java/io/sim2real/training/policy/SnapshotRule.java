package io.sim2real.training.policy;

/**
 * When the learner publishes a policy snapshot, after paying some updates: whenever it has caught up with new data
 * (every update its transitions owe paid, and some paid since the last snapshot), which is what a lockstep collection
 * waits for, the snapshot's envStep being the transitions consumed; in async runs also every {@code snapshotEvery}
 * environment transitions while behind, so that acting never uses a policy too stale. A lockstep run never publishes
 * while behind, as such a snapshot's envStep would count transitions whose updates are still owed. Between snapshots,
 * a checkpoint every {@code checkpointEvery} updates (0: none).
 */
public record SnapshotRule(long snapshotEvery, long checkpointEvery) {

    /** What is due. */
    public enum Due {
        SNAPSHOT, CHECKPOINT, NOTHING
    }

    public SnapshotRule {
        if (snapshotEvery < 1 || checkpointEvery < 0) {
            throw new IllegalArgumentException("need snapshotEvery >= 1 and checkpointEvery >= 0");
        }
    }

    /**
     * @param envSteps           transitions consumed, read before {@code pending} (so it counts none whose updates
     *                           are not in {@code pending})
     * @param pending            updates owed and not paid
     * @param updates            updates paid
     * @param lastSnapshotStep   envStep of the last snapshot
     * @param updatesAtSnapshot  updates paid at the last snapshot
     * @param checkpointedUpdates updates paid at the last checkpoint (-1: none)
     */
    public Due after(boolean lockstep, long envSteps, long pending, long updates, long lastSnapshotStep,
                     long updatesAtSnapshot, long checkpointedUpdates) {
        boolean caughtUp = pending == 0 && updates > updatesAtSnapshot;
        boolean periodic = !lockstep && envSteps - lastSnapshotStep >= snapshotEvery;
        if (caughtUp || periodic) {
            return Due.SNAPSHOT;
        }
        if (checkpointEvery > 0 && updates - Math.max(0, checkpointedUpdates) >= checkpointEvery) {
            return Due.CHECKPOINT;
        }
        return Due.NOTHING;
    }
}

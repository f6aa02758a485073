package io.sim2real.policy.learning;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A restored learner while the replay of the transitions log catches up with its checkpoint: records up to the last
 * one the checkpoint applied (per partition) are already reflected in the learner's state and owe no updates; the
 * learner waits until every partition's last applied record has come by again. The run's first record and that
 * last one must be the ones the checkpoint saw (offset and timestamp); if one is missing or another, the log is not
 * the one the checkpoint was taken from (a new broker under an old checkpoint directory), and the checkpoint must
 * not be used. The first record tells at once: a learner never waits for a record that will not come.
 */
final class ReplayResume {

    enum Verdict {
        /** The checkpoint already reflects this record: apply it to the buffer, owe nothing. */
        REFLECTED,
        /** A record after the checkpoint: it owes its updates. */
        NEW,
        /** The log does not match the checkpoint. */
        MISMATCH
    }

    private final Map<String, LearnerCheckpoint.Applied> first;
    private final Map<String, LearnerCheckpoint.Applied> last;
    private final Set<String> started = new HashSet<>();
    private final Set<String> seen = new HashSet<>();

    ReplayResume(Map<String, LearnerCheckpoint.Applied> first, Map<String, LearnerCheckpoint.Applied> last) {
        this.first = Map.copyOf(first);
        this.last = Map.copyOf(last);
    }

    Verdict accept(String partition, long offset, long timestampMs) {
        LearnerCheckpoint.Applied applied = last.get(partition);
        if (applied == null) {
            return Verdict.NEW;
        }
        if (started.add(partition) && !new LearnerCheckpoint.Applied(offset, timestampMs).equals(first.get(partition))) {
            return Verdict.MISMATCH;
        }
        if (offset < applied.offset()) {
            return Verdict.REFLECTED;
        }
        if (offset == applied.offset()) {
            if (timestampMs != applied.timestampMs()) {
                return Verdict.MISMATCH;
            }
            seen.add(partition);
            return Verdict.REFLECTED;
        }
        return seen.contains(partition) ? Verdict.NEW : Verdict.MISMATCH;
    }

    /** Whether the replay has reached every partition's last applied record: the learner may go on. */
    boolean complete() {
        return seen.containsAll(last.keySet());
    }
}

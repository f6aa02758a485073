package io.sim2real.training.policy;

import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.methods.LockstepSchedule;
import io.sim2real.replay.TransitionStore;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A lockstep learner's model rollouts, by the schedule round they belong to ({@code coversEnvStep}): the updates
 * owed by the n-th transition mix in the rollouts of exactly round {@link LockstepSchedule#roundFor}(n), and only once
 * the learner holds all of that round ({@code roundRows}); before the first round, none. So which rollouts an update
 * sees does not depend on when they arrived. Rounds older than the one last used are forgotten. Thread-safe.
 */
public final class ScheduledRollouts {

    /** What the updates owed by a transition may mix in. */
    public sealed interface Use permits Use.None, Use.Round, Use.Waiting {
        /** No round yet: environment rows only. */
        record None() implements Use {
        }

        /** The round's rollouts, all of them. */
        record Round(TransitionStore rollouts) implements Use {
        }

        /** The round is not (wholly) here yet: the update waits. */
        record Waiting(long coversEnvStep, long held, long expected) implements Use {
        }
    }

    private static final class Held {
        final TransitionStore rows;
        final long expected;

        Held(long expected) {
            this.expected = expected;
            this.rows = new TransitionStore(Math.toIntExact(Math.max(1, expected)));
        }

        boolean complete() {
            return rows.added() >= expected;
        }
    }

    private final Map<Long, Held> rounds = new TreeMap<>();

    /** Keeps a batch of a scheduled round; batches without {@code coversEnvStep} and {@code roundRows} are refused. */
    public synchronized void add(RolloutBatch batch) {
        if (batch.coversEnvStep() == null || batch.roundRows() == null) {
            throw new IllegalArgumentException("a lockstep round's batch carries coversEnvStep and roundRows");
        }
        rounds.computeIfAbsent(batch.coversEnvStep(), k -> new Held(batch.roundRows())).rows.add(batch);
    }

    /** What the updates owed by the n-th transition may mix in. */
    public synchronized Use forTransition(LockstepSchedule schedule, long transition) {
        long round = schedule.roundFor(transition);
        if (round == 0) {
            return new Use.None();
        }
        long covers = schedule.roundCovers(round);
        Held held = rounds.get(covers);
        if (held == null || !held.complete()) {
            return new Use.Waiting(covers, held == null ? 0 : held.rows.added(), held == null ? -1 : held.expected);
        }
        rounds.keySet().removeIf(k -> k < covers);
        return new Use.Round(held.rows);
    }

    /** The rounds held, by coversEnvStep: rows held and expected (for the status). */
    public synchronized Optional<Long> newestComplete() {
        return rounds.entrySet().stream().filter(e -> e.getValue().complete()).map(Map.Entry::getKey).reduce((a, b) -> b);
    }
}

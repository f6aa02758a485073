package io.sim2real.policy.learning;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's learner state besides its Sac, saved in the Sac's checkpoint ({@code owner} in the header): the counters,
 * the state of the generator that samples batches, and what it reflects: the first and the last record of the run it
 * applied per partition of the transitions topic (offset and timestamp, so that a replay can tell it is the same
 * log), and the next offset per partition of the rollouts topic.
 *
 * @param owed      the owed updates ({@link io.sim2real.training.policy.OwedQueue#toList()}: the transition that owed
 *                  them and how many, oldest first); a checkpoint of an earlier build has none, and its {@code pending}
 *                  updates are read as owed by its last transition
 *
 * @param republish whether the checkpoint was written for a snapshot whose send had not been acknowledged yet: a
 *                  learner restored from it publishes that snapshot (again), so a kill in between loses nothing
 */
record LearnerCheckpoint(String runId, long runSeed, String method, long updates, long pending, List<Long> owed, long version,
                         long lastSnapshotStep, long updatesAtSnapshot, long envSteps, long envTransitions,
                         long randomState, boolean republish, Map<String, Applied> firstTransitions,
                         Map<String, Applied> transitions,
                         Map<String, Long> rollouts, long rolloutTransitions) {

    /** The last record of a run applied from a partition. */
    record Applied(long offset, long timestampMs) {
    }

    /** A partition's key in a checkpoint: "topic/partition". */
    static String partition(String topic, int partition) {
        return topic + "/" + partition;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("runSeed", runSeed);
        m.put("method", method);
        m.put("updates", updates);
        m.put("pending", pending);
        m.put("owed", owed);
        m.put("version", version);
        m.put("lastSnapshotStep", lastSnapshotStep);
        m.put("updatesAtSnapshot", updatesAtSnapshot);
        m.put("envSteps", envSteps);
        m.put("envTransitions", envTransitions);
        m.put("randomState", randomState);
        m.put("republish", republish);
        m.put("firstTransitions", toMap(firstTransitions));
        m.put("transitions", toMap(transitions));
        m.put("rollouts", new LinkedHashMap<>(rollouts));
        m.put("rolloutTransitions", rolloutTransitions);
        return m;
    }

    private static Map<String, Object> toMap(Map<String, Applied> applied) {
        Map<String, Object> m = new LinkedHashMap<>();
        applied.forEach((p, a) -> m.put(p, Map.of("offset", a.offset(), "timestampMs", a.timestampMs())));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Applied> applied(Object map) {
        Map<String, Applied> out = new HashMap<>();
        ((Map<String, Object>) map).forEach((p, v) -> {
            Map<String, Object> a = (Map<String, Object>) v;
            out.put(p, new Applied(number(a, "offset"), number(a, "timestampMs")));
        });
        return out;
    }

    /** Reads {@link #toMap()}'s map back; anything missing or of the wrong type is an IllegalArgumentException. */
    @SuppressWarnings("unchecked")
    static LearnerCheckpoint fromMap(Map<String, Object> m) {
        try {
            Map<String, Long> rollouts = new HashMap<>();
            ((Map<String, Object>) m.get("rollouts")).forEach((p, v) -> rollouts.put(p, ((Number) v).longValue()));
            long pending = number(m, "pending");
            long envTransitions = number(m, "envTransitions");
            List<Long> owed = m.containsKey("owed")
                    ? ((List<Object>) m.get("owed")).stream().map(x -> ((Number) x).longValue()).toList()
                    : pending > 0 ? List.of(envTransitions, pending) : List.of();
            return new LearnerCheckpoint((String) m.get("runId"), number(m, "runSeed"), (String) m.get("method"),
                    number(m, "updates"), pending, owed, number(m, "version"), number(m, "lastSnapshotStep"),
                    number(m, "updatesAtSnapshot"), number(m, "envSteps"), number(m, "envTransitions"),
                    number(m, "randomState"), (Boolean) m.get("republish"), applied(m.get("firstTransitions")),
                    applied(m.get("transitions")), rollouts,
                    number(m, "rolloutTransitions"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("the learner's state in the checkpoint is incomplete: " + e, e);
        }
    }

    private static long number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("the learner's state in the checkpoint has no number '" + key + "'");
        }
        return n.longValue();
    }
}

package io.sim2real.contracts;

import java.util.List;

/**
 * The one home of every Kafka topic name. Services reference these through the
 * {@code sim2real.topic.*} configuration keys that service-common derives from this class.
 * Every record on these topics is keyed by its runId, so one run's records stay in order; the one exception is
 * {@link #COLLECTIONS}, env-service's own changelog of data collections, keyed by collection id.
 */
public final class Topics {

    public static final String TRANSITIONS = "sim2real.transitions";
    public static final String ROLLOUTS = "sim2real.rollouts";
    public static final String POLICIES = "sim2real.policies";
    public static final String GAP = "sim2real.gap";
    public static final String EVALUATIONS = "sim2real.evaluations";
    public static final String RUNS = "sim2real.runs";
    /** env-service's collections (request and state), so that a restarted env-service resumes the unfinished. */
    public static final String COLLECTIONS = "sim2real.collections";

    /** Suffix of the dead-letter topic that receives the records of a topic that could not be processed. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    /** A topic the system needs, and whether Kafka keeps only the latest record per key. */
    public record TopicSpec(String configKey, String name, boolean compacted) {
    }

    /** Data topics, in the order of the pipeline. */
    public static final List<TopicSpec> DATA_TOPICS = List.of(
            new TopicSpec("transitions", TRANSITIONS, false),
            new TopicSpec("rollouts", ROLLOUTS, false),
            new TopicSpec("policies", POLICIES, false),
            new TopicSpec("gap", GAP, false),
            new TopicSpec("evaluations", EVALUATIONS, false),
            new TopicSpec("runs", RUNS, true),
            new TopicSpec("collections", COLLECTIONS, true));

    private Topics() {
    }

    public static String deadLetterOf(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}

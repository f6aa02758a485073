package io.sim2real.contracts;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The one home of every Kafka topic: its name, what Kafka keeps of it, and the largest record the system
 * accepts. Services reference the names through the {@code sim2real.topic.*} configuration keys that
 * service-common derives from this class; the topic provisioner, the embedded broker and the tests of
 * {@code k8s/} and {@code docker-compose.yml} read the retention and the size limit from here.
 * Every record on these topics is keyed by its runId, so one run's records stay in order; the one exception is
 * {@link #COLLECTIONS}, env-service's own changelog of data collections, keyed by collection id.
 */
public final class Topics {

    public static final String TRANSITIONS = "sim2real.transitions";
    /** Real transitions paired with the simulator's prediction from the same state and action (env-service). */
    public static final String COUNTERFACTUALS = "sim2real.counterfactuals";
    public static final String ROLLOUTS = "sim2real.rollouts";
    public static final String POLICIES = "sim2real.policies";
    public static final String GAP = "sim2real.gap";
    public static final String EVALUATIONS = "sim2real.evaluations";
    public static final String RUNS = "sim2real.runs";
    /** env-service's collections (request and state), so that a restarted env-service resumes the unfinished. */
    public static final String COLLECTIONS = "sim2real.collections";

    /** Suffix of the dead-letter topic that receives the records of a topic that could not be processed. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    /**
     * The largest record (value, key and headers, as the producer counts it) any sim2real topic takes: the
     * broker's {@code message.max.bytes}, every producer's {@code max.request.size} and every consumer's
     * {@code max.partition.fetch.bytes}.
     */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /**
     * Room a dead letter has beyond {@link #MAX_RECORD_BYTES} for the headers that say why it is dead, so any
     * record a topic accepted can be dead-lettered whole; dead-letter topics take records up to
     * {@link #MAX_DEAD_LETTER_BYTES}.
     */
    public static final int DEAD_LETTER_HEADROOM_BYTES = 1024 * 1024;
    public static final int MAX_DEAD_LETTER_BYTES = MAX_RECORD_BYTES + DEAD_LETTER_HEADROOM_BYTES;

    /** How long dead letters are kept for people to inspect and replay. */
    public static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(14);

    /**
     * What Kafka keeps of a topic.
     *
     * @param compacted whether Kafka keeps only the latest record per key (a table), instead of deleting by age
     * @param retention how long records are kept when not compacted; {@code null}: for ever
     * @param why       the reason, for people reading the provisioner's log and the manifests
     */
    public record Retention(boolean compacted, Duration retention, String why) {

        static Retention table(String why) {
            return new Retention(true, null, why);
        }

        static Retention forever(String why) {
            return new Retention(false, null, why);
        }

        static Retention forAbout(Duration retention, String why) {
            return new Retention(false, retention, why);
        }

        /** Kafka's {@code cleanup.policy}. */
        public String cleanupPolicy() {
            return compacted ? "compact" : "delete";
        }

        /** Kafka's {@code retention.ms}: -1 keeps records for ever. */
        public long retentionMs() {
            return retention == null ? -1 : retention.toMillis();
        }
    }

    /** A topic the system needs, and what Kafka keeps of it. */
    public record TopicSpec(String configKey, String name, Retention retention) {

        public boolean compacted() {
            return retention.compacted();
        }
    }

    /** Data topics, in the order of the pipeline. */
    public static final List<TopicSpec> DATA_TOPICS = List.of(
            new TopicSpec("transitions", TRANSITIONS, Retention.forever(
                    "model-, policy- and metrics-service rebuild their state from it at every start")),
            new TopicSpec("counterfactuals", COUNTERFACTUALS, Retention.forever(
                    "pairs of real transitions, which are kept for ever; model-service rebuilds its probe windows from it")),
            new TopicSpec("rollouts", ROLLOUTS, Retention.forAbout(Duration.ofHours(6),
                    "needed only until policy-service has read them; each model round publishes new ones")),
            new TopicSpec("policies", POLICIES, Retention.table(
                    "readers want each run's newest snapshot, which compaction keeps; older versions are superseded")),
            new TopicSpec("gap", GAP, Retention.forever(
                    "a run's gap history, a record per model round; metrics-service rebuilds from it")),
            new TopicSpec("evaluations", EVALUATIONS, Retention.forever(
                    "a run's learning curve, a record per evaluation; metrics-service rebuilds from it")),
            new TopicSpec("runs", RUNS, Retention.table("the current definition of every run")),
            new TopicSpec("collections", COLLECTIONS, Retention.table(
                    "the newest state of every collection, read back by a restarted env-service")));

    private Topics() {
    }

    /**
     * The Kafka topic settings declared here, by topic name, for every data topic and its dead-letter topic: what
     * the provisioner creates and enforces, and what {@code k8s/base/topics.yaml} must say (tested).
     */
    public static Map<String, Map<String, String>> declaredConfigs() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (TopicSpec spec : DATA_TOPICS) {
            Retention r = spec.retention();
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, r.cleanupPolicy());
            if (!r.compacted()) {
                configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(r.retentionMs()));
            }
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
            out.put(spec.name(), Collections.unmodifiableMap(configs));
            Map<String, String> deadLetters = new LinkedHashMap<>();
            deadLetters.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            deadLetters.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(DEAD_LETTER_RETENTION.toMillis()));
            deadLetters.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_DEAD_LETTER_BYTES));
            out.put(deadLetterOf(spec.name()), Collections.unmodifiableMap(deadLetters));
        }
        return Collections.unmodifiableMap(out);
    }

    public static String deadLetterOf(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}

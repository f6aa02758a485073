package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.contracts.validation.InvalidRecordException.Reason;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An experiment's definition on the compacted topic {@code sim2real.runs}, keyed by runId: the
 * latest record per run is its current definition; a null value (tombstone) deletes it.
 *
 * @param realDomain   the "real" domain: its physics (perturbation kind to factor) and where its transitions come from
 *                     ({@link RealSource}: emulated, a dataset, or an external stream)
 * @param trainingDomains which domains' data the policy trains on
 * @param parameters   the run's settings by name; which names exist, their ranges, defaults and the methods they
 *                     apply to are the methods module's catalogue (io.sim2real.methods.RunParameter, docs/CONTRACTS.md),
 *                     as are the training domains each method needs (MethodTraits): this record checks only their form
 */
public record RunSpec(
        int schemaVersion,
        String runId,
        Method method,
        Mode mode,
        long seed,
        long envSteps,
        DomainSpec realDomain,
        List<Domain> trainingDomains,
        Map<String, Double> parameters,
        long createdAtMs) implements Sim2RealMessage {

    /** The training methods of METHOD.md. */
    public enum Method {
        SAC, MBPO, MBPO_SIM_ONLY, MBPO_MIXED, LATENT_SIM_INIT, LATENT_REAL_INIT, LATENT_RANDOM_INIT, GAP_ONLY;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @JsonCreator
        public static Method fromWire(String value) {
            for (Method m : values()) {
                if (m.wireName().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + value + "'");
        }
    }

    /** Lockstep runs are reproducible; asynchronous runs trade that for throughput. */
    public enum Mode {
        LOCKSTEP, ASYNC;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Mode fromWire(String value) {
            for (Mode m : values()) {
                if (m.wireName().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode '" + value + "'");
        }
    }

    /**
     * A named set of perturbation factors; kinds not named keep their neutral value. An optional {@code schedule}
     * changes the physics of an emulated real domain while a run goes on (a payload added, a joint wearing):
     * from real env step {@code fromEnvStep} on (the count of the run's real-domain transitions collected
     * before it), the change's factors replace the base ones. Gap measurements are labelled with the base factors
     * and are not told of the changes: they see only transitions.
     */
    public record DomainSpec(String name, Map<String, Double> factors, List<PhysicsChange> schedule, RealSource source) {

        public DomainSpec(String name, Map<String, Double> factors) {
            this(name, factors, null, null);
        }

        public DomainSpec(String name, Map<String, Double> factors, List<PhysicsChange> schedule) {
            this(name, factors, schedule, null);
        }

        /** Where the run's real transitions come from; an absent source is an emulated domain. */
        public RealSource.Kind sourceKind() {
            return source == null || source.kind() == null ? RealSource.Kind.EMULATED : source.kind();
        }

        /** From the real domain's env step {@code fromEnvStep} on, {@code factors} (kinds not named: neutral). */
        public record PhysicsChange(long fromEnvStep, Map<String, Double> factors) {
        }

        /** The factors in force at the real domain's env step {@code realEnvStep} (0 for its first transition). */
        public Map<String, Double> factorsAt(long realEnvStep) {
            Map<String, Double> now = factors;
            if (schedule != null) {
                for (PhysicsChange c : schedule) {
                    if (c.fromEnvStep() <= realEnvStep) {
                        now = c.factors();
                    }
                }
            }
            return now;
        }

        /**
         * How gap measurements label this domain: the one perturbation that differs from its neutral value and
         * its factor; ("none", 1.0) when nothing differs; ("combined", 0.0) when several do.
         */
        public Map.Entry<String, Double> gapLabel() {
            Map.Entry<String, Double> changed = null;
            for (Map.Entry<String, Double> e : factors.entrySet()) {
                PerturbationKind kind = PerturbationKind.fromWire(e.getKey()).orElse(null);
                if (kind != null && e.getValue() != null && e.getValue() != kind.neutral()) {
                    if (changed != null) {
                        return Map.entry("combined", 0.0);
                    }
                    changed = Map.entry(kind.wireName(), e.getValue());
                }
            }
            return changed == null ? Map.entry("none", 1.0) : changed;
        }

        void validate() throws InvalidRecordException {
            text(name, "realDomain.name");
            validateFactors(factors, "realDomain.factors");
            if (source != null) {
                source.validate();
                if (source.kind() != RealSource.Kind.EMULATED && schedule != null) {
                    throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'realDomain.schedule' is for an emulated "
                            + "real domain; realDomain.source.kind is " + source.kind().wireName() + " (its physics are not ours to change)");
                }
            }
            if (schedule != null) {
                long previous = 0;
                for (int i = 0; i < schedule.size(); i++) {
                    String field = "realDomain.schedule[" + i + "]";
                    PhysicsChange c = schedule.get(i);
                    present(c, field);
                    if (c.fromEnvStep() <= previous) {
                        throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field '" + field + ".fromEnvStep' is "
                                + c.fromEnvStep() + ", must be > " + previous + " (changes in increasing env-step order)");
                    }
                    previous = c.fromEnvStep();
                    validateFactors(c.factors(), field + ".factors");
                }
            }
        }

        private static void validateFactors(Map<String, Double> factors, String name) throws InvalidRecordException {
            present(factors, name);
            for (Map.Entry<String, Double> e : factors.entrySet()) {
                String field = name + "." + e.getKey();
                PerturbationKind kind = PerturbationKind.fromWire(e.getKey()).orElseThrow(() ->
                        new InvalidRecordException(Reason.OUT_OF_RANGE, "unknown perturbation kind '" + e.getKey() + "'"));
                present(e.getValue(), field);
                double v = e.getValue();
                inRange(v, kind.min(), kind.max(), field);
                if (kind.integral() && v != Math.rint(v)) {
                    throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field '" + field + "' must be a whole number");
                }
            }
        }
    }

    /**
     * Where a run's real transitions come from (docs/CONTRACTS.md 3.6): an emulated domain (the simulator with
     * {@code realDomain.factors} and its schedule, collected by env-service: the default), a stored dataset named by its
     * name, its SHA-256 ({@code bodySha256} of its header, docs/DATASETS.md) and its transition count, which
     * env-service replays for the run, or an external stream (a robot's bridge publishes the transitions; no physics of
     * ours). The dataset's name and checksum are checked against env-service's datasets when the run is submitted there;
     * its count fixes a lockstep run's schedule (methods' LockstepSchedule) before any of its transitions arrive.
     *
     * @param kind        emulated, dataset or stream
     * @param dataset     for kind dataset: the dataset's name in env-service's datasets directory
     * @param sha256      for kind dataset: its body's SHA-256, 64 lower-case hex digits
     * @param transitions for kind dataset: its transition count
     */
    public record RealSource(Kind kind, String dataset, String sha256, Long transitions) {

        /** A dataset name, as env-service stores it ({@code NAME.s2rds}). */
        public static final java.util.regex.Pattern DATASET_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
        private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

        /** A dataset source. */
        public static RealSource dataset(String name, String sha256, long transitions) {
            return new RealSource(Kind.DATASET, name, sha256, transitions);
        }

        /** What produces a run's real transitions. */
        public enum Kind {
            EMULATED, DATASET, STREAM;

            @JsonValue
            public String wireName() {
                return name().toLowerCase(Locale.ROOT);
            }

            @JsonCreator
            public static Kind fromWire(String value) {
                for (Kind k : values()) {
                    if (k.wireName().equals(value)) {
                        return k;
                    }
                }
                throw new IllegalArgumentException("unknown real source kind '" + value + "'");
            }
        }

        void validate() throws InvalidRecordException {
            present(kind, "realDomain.source.kind");
            if (kind == Kind.DATASET) {
                text(dataset, "realDomain.source.dataset");
                if (!DATASET_NAME.matcher(dataset).matches()) {
                    throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'realDomain.source.dataset' is '" + dataset
                            + "', must match " + DATASET_NAME.pattern());
                }
                text(sha256, "realDomain.source.sha256");
                if (!SHA256.matcher(sha256).matches()) {
                    throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'realDomain.source.sha256' must be 64 "
                            + "lower-case hex digits");
                }
                present(transitions, "realDomain.source.transitions");
                if (transitions < 1) {
                    throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'realDomain.source.transitions' is "
                            + transitions + ", must be > 0");
                }
            } else if (dataset != null || sha256 != null || transitions != null) {
                throw new InvalidRecordException(Reason.OUT_OF_RANGE, "fields 'realDomain.source.dataset', 'sha256' and "
                        + "'transitions' are for kind dataset, not " + kind.wireName());
            }
        }
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        present(method, "method");
        present(mode, "mode");
        if (envSteps <= 0) {
            throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'envSteps' is " + envSteps + ", must be > 0");
        }
        present(realDomain, "realDomain");
        realDomain.validate();
        present(trainingDomains, "trainingDomains");
        if (trainingDomains.isEmpty() || trainingDomains.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'trainingDomains' must name sim and/or real");
        }
        if (parameters != null) {
            for (Map.Entry<String, Double> e : parameters.entrySet()) {
                present(e.getValue(), "parameters." + e.getKey());
                finite(e.getValue(), "parameters." + e.getKey());
            }
        }
        nonNegative(createdAtMs, "createdAtMs");
    }
}

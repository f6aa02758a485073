package io.sim2real.methods;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.contracts.validation.InvalidRecordException.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A run's effective settings: its RunSpec checked against its method's traits and the parameter catalogue, with every
 * parameter that applies to it set (given, or the deployment's default when it was accepted). The effective RunSpec
 * ({@link #spec()}) carries them all in its {@code parameters}, so that every service instance, a successor after a
 * hand-over and the in-process runner read the same values.
 */
public final class RunSettings {

    /** How a RunSpec is read: as submitted (strict), or as found on the runs topic (an upgrade converts). */
    public enum Reading {
        /**
         * A submitted RunSpec: an unknown parameter, one out of range or one that does not apply to the run is refused.
         */
        SUBMITTED,
        /**
         * A RunSpec read from {@code sim2real.runs}, perhaps written by an earlier build: a parameter that does not apply
         * to the run is dropped and said in {@link #conversions()}; unknown or out-of-range ones are refused.
         */
        STORED
    }

    private final RunSpec spec;
    private final MethodTraits traits;
    private final Map<RunParameter, Double> values;
    private final List<String> conversions;

    private RunSettings(RunSpec spec, MethodTraits traits, Map<RunParameter, Double> values, List<String> conversions) {
        this.spec = spec;
        this.traits = traits;
        this.values = values;
        this.conversions = conversions;
    }

    /**
     * The settings of a structurally valid RunSpec (as {@code RunSpec.validate} accepts it).
     *
     * @throws InvalidRecordException naming the field that makes it no run: training domains the method does not
     *                                allow, or a parameter that is unknown, out of range or (when submitted) not the
     *                                run's
     */
    public static RunSettings resolve(RunSpec run, RunDefaults defaults, Reading reading) throws InvalidRecordException {
        MethodTraits traits = MethodTraits.of(run.method());
        checkDomains(run, traits);
        Map<RunParameter, Double> values = new EnumMap<>(RunParameter.class);
        List<String> conversions = new ArrayList<>();
        Map<String, Double> given = run.parameters() == null ? Map.of() : new TreeMap<>(run.parameters());
        for (Map.Entry<String, Double> e : given.entrySet()) {
            String field = "parameters." + e.getKey();
            RunParameter p = RunParameter.fromWire(e.getKey()).orElseThrow(() -> new InvalidRecordException(
                    Reason.OUT_OF_RANGE, "field '" + field + "' is not a run parameter; known: " + known()));
            if (e.getValue() == null) {
                throw new InvalidRecordException(Reason.MISSING_FIELD, "field '" + field + "' has no value");
            }
            Optional<String> problem = p.problem(e.getValue());
            if (problem.isPresent()) {
                throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field '" + field + "' is "
                        + RunParameter.plain(e.getValue()) + ", " + problem.get());
            }
            if (!p.appliesTo(run.method(), run.mode())) {
                String why = "field '" + field + "' does not apply to a " + run.mode().wireName() + " run of method '"
                        + run.method().wireName() + "' (it applies to " + scopeText(p.scope()) + ")";
                if (reading == Reading.SUBMITTED) {
                    throw new InvalidRecordException(Reason.OUT_OF_RANGE, why);
                }
                conversions.add("dropped: " + why);
                continue;
            }
            values.put(p, e.getValue());
        }
        for (RunParameter p : RunParameter.values()) {
            if (p.appliesTo(run.method(), run.mode()) && !values.containsKey(p)) {
                values.put(p, defaults.of(p, run.method()));
            }
        }
        checkTogether(values);
        checkRealStarts(run, values);
        Map<String, Double> effective = new LinkedHashMap<>();
        for (Map.Entry<RunParameter, Double> e : values.entrySet()) {
            effective.put(e.getKey().wireName(), e.getValue());
        }
        RunSpec spec = new RunSpec(run.schemaVersion(), run.runId(), run.method(), run.mode(), run.seed(), run.envSteps(),
                run.realDomain(), run.trainingDomains(), Collections.unmodifiableMap(effective), run.createdAtMs());
        return new RunSettings(spec, traits, Collections.unmodifiableMap(values), List.copyOf(conversions));
    }

    /** Parameters a run's models are built with: they cannot change once it runs (the latent model's loss and shape). */
    private static final Set<RunParameter> FIXED = Set.of(RunParameter.LAMBDA_AE, RunParameter.LAMBDA_DEC,
            RunParameter.LAMBDA_CORR, RunParameter.LAMBDA_ANCHOR, RunParameter.TRAIN_SIM_AUTOENCODER);

    /**
     * Why {@code next} cannot replace this run's definition, or empty when it can: a run's method, mode, seed, training
     * domains and real domain are what its data and models were made with, and the latent model's loss weights (the
     * anchor's included) and trainSimAutoencoder what it was built with, so changing one needs a new run (or the old one deleted first). Other
     * parameters, the budget and the real domain's schedule may change and take effect.
     */
    public Optional<String> refusesChangeTo(RunSettings next) {
        Optional<String> fixed = refusesChangeTo(next.spec());
        if (fixed.isPresent()) {
            return fixed;
        }
        for (RunParameter p : FIXED) {
            if (values.containsKey(p) && !values.get(p).equals(next.values.get(p))) {
                return Optional.of(changed("parameters." + p.wireName(), RunParameter.plain(values.get(p)),
                        RunParameter.plain(next.values.get(p))));
            }
        }
        return Optional.empty();
    }

    private Optional<String> refusesChangeTo(RunSpec next) {
        if (next.method() != spec.method()) {
            return Optional.of(changed("method", spec.method().wireName(), next.method().wireName()));
        }
        if (next.mode() != spec.mode()) {
            return Optional.of(changed("mode", spec.mode().wireName(), next.mode().wireName()));
        }
        if (next.seed() != spec.seed()) {
            return Optional.of(changed("seed", spec.seed(), next.seed()));
        }
        if (!new HashSet<>(next.trainingDomains()).equals(new HashSet<>(spec.trainingDomains()))) {
            return Optional.of(changed("trainingDomains", spec.trainingDomains(), next.trainingDomains()));
        }
        if (!Objects.equals(next.realDomain().factors(), spec.realDomain().factors())) {
            return Optional.of(changed("realDomain.factors", spec.realDomain().factors(), next.realDomain().factors()));
        }
        if (!Objects.equals(next.realDomain().source(), spec.realDomain().source())
                && !(next.realDomain().sourceKind() == RunSpec.RealSource.Kind.EMULATED
                && spec.realDomain().sourceKind() == RunSpec.RealSource.Kind.EMULATED)) {
            return Optional.of(changed("realDomain.source", spec.realDomain().source(), next.realDomain().source()));
        }
        return Optional.empty();
    }

    private String changed(String field, Object was, Object now) {
        return "field '" + field + "' of run '" + spec.runId() + "' is " + was + " and cannot become " + now
                + ": a run's method, mode, seed, training domains, real physics and source and model-shaping parameters are fixed "
                + "(delete the run or use a new id)";
    }

    /** The effective RunSpec: the given one with every parameter that applies to it set. */
    public RunSpec spec() {
        return spec;
    }

    public String runId() {
        return spec.runId();
    }

    public RunSpec.Method method() {
        return spec.method();
    }

    public MethodTraits traits() {
        return traits;
    }

    public RunSeeds seeds() {
        return new RunSeeds(spec.seed());
    }

    public boolean lockstep() {
        return spec.mode() == RunSpec.Mode.LOCKSTEP;
    }

    /**
     * The lockstep schedule a run's services and the in-process runner follow exactly (docs/CONTRACTS.md 3.6.1): a
     * lockstep run that trains a policy, on one domain (SAC alone: chunks, no rounds; an MBPO method with an ensemble on
     * that domain), or on sim and a real dataset named by its RunSpec ({@code realDomain.source} kind dataset: SAC,
     * MBPO on both domains, mbpo-mixed and the latent methods), whose transitions count its sim ones only. For the
     * latter, round 1 falls once the sim transitions reach {@code latentMinTransitions} (latent; the dataset must hold as
     * many) or once they and the dataset together reach {@code modelMinTransitions} (ensemble), and later rounds every
     * {@code latentTrainEvery} or {@code trainEvery} sim transitions, each rounded up to whole chunks. Other lockstep
     * runs (a real domain emulated or streamed beside sim) act in chunks, but their rounds come as {@code RoundRule} has
     * them: the n-th transition of two live domains has no order every service sees alike.
     */
    public Optional<LockstepSchedule> lockstepSchedule() {
        if (!lockstep() || !traits.trainsPolicy()) {
            return Optional.empty();
        }
        long chunk = whole(RunParameter.LOCKSTEP_CHUNK);
        long initial = whole(RunParameter.INITIAL_RANDOM_STEPS);
        if (trainingDomains().size() == 1 || new HashSet<>(trainingDomains()).size() == 1) {
            if (traits.model() == MethodTraits.Model.NONE) {
                return Optional.of(LockstepSchedule.withoutRounds(chunk, initial));
            }
            if (traits.model() != MethodTraits.Model.ENSEMBLE || ensembleDomains().size() != 1) {
                return Optional.empty();
            }
            return Optional.of(LockstepSchedule.of(chunk, initial, whole(RunParameter.MODEL_MIN_TRANSITIONS),
                    whole(RunParameter.TRAIN_EVERY), integer(RunParameter.MODEL_LAG)));
        }
        if (spec.realDomain().sourceKind() != RunSpec.RealSource.Kind.DATASET) {
            return Optional.empty();
        }
        long dataset = spec.realDomain().source().transitions();
        LockstepSchedule schedule = switch (traits.model()) {
            case NONE -> LockstepSchedule.withoutRounds(chunk, initial);
            case ENSEMBLE -> LockstepSchedule.of(chunk, initial, whole(RunParameter.MODEL_MIN_TRANSITIONS) - dataset,
                    whole(RunParameter.TRAIN_EVERY), integer(RunParameter.MODEL_LAG));
            case LATENT -> LockstepSchedule.of(chunk, initial, whole(RunParameter.LATENT_MIN_TRANSITIONS),
                    whole(RunParameter.LATENT_TRAIN_EVERY), integer(RunParameter.MODEL_LAG));
        };
        return Optional.of(schedule.withDataset(dataset));
    }

    /**
     * The domain whose transitions a lockstep schedule counts (the one the run steps): sim, or the one domain of a
     * single-domain run.
     */
    public Domain lockstepDomain() {
        return new HashSet<>(trainingDomains()).size() == 1 ? trainingDomains().get(0) : Domain.SIM;
    }

    /** What an upgrade changed in a stored RunSpec to read it (empty for one written by this build). */
    public List<String> conversions() {
        return conversions;
    }

    /** The domains whose transitions the run trains on. */
    public List<Domain> trainingDomains() {
        return spec.trainingDomains();
    }

    /** For MBPO methods: the domains the dynamics ensemble is fitted to (the run's training domains, or fixed). */
    public Set<Domain> ensembleDomains() {
        return traits.ensembleDomains() != null ? traits.ensembleDomains() : Set.copyOf(spec.trainingDomains());
    }

    /** A parameter's value; asking for one that does not apply to the run is a programming error. */
    public double number(RunParameter p) {
        Double v = values.get(p);
        if (v == null) {
            throw new IllegalStateException("parameter " + p.wireName() + " does not apply to a " + spec.mode().wireName()
                    + " run of method " + spec.method().wireName());
        }
        return v;
    }

    public long whole(RunParameter p) {
        return (long) number(p);
    }

    public int integer(RunParameter p) {
        return Math.toIntExact(whole(p));
    }

    public boolean flag(RunParameter p) {
        return number(p) == 1;
    }

    @Override
    public String toString() {
        return spec.runId() + " (" + spec.method().wireName() + ", " + spec.mode().wireName() + ", seed " + spec.seed()
                + ") " + spec.parameters();
    }

    private static void checkDomains(RunSpec run, MethodTraits traits) throws InvalidRecordException {
        if (traits.trainingDomains() == null) {
            return;
        }
        if (!new HashSet<>(run.trainingDomains()).equals(traits.trainingDomains())) {
            List<String> names = traits.trainingDomains().stream().map(Domain::wireName).sorted(
                    java.util.Comparator.reverseOrder()).toList();
            throw new InvalidRecordException(Reason.OUT_OF_RANGE, "method '" + run.method().wireName() + "' trains on "
                    + String.join(" and ", names) + " data: field 'trainingDomains' must be " + names);
        }
    }

    /** Checks between parameters. */
    private static void checkTogether(Map<RunParameter, Double> values) throws InvalidRecordException {
        Double initial = values.get(RunParameter.INITIAL_RANDOM_STEPS);
        Double chunk = values.get(RunParameter.LOCKSTEP_CHUNK);
        if (initial != null && chunk != null && initial > 0 && initial % chunk != 0) {
            // A chunk either acts at random or with a policy: the schedule has no mixed chunk.
            throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'parameters.initialRandomSteps' is "
                    + RunParameter.plain(initial) + ", must be a multiple of parameters.lockstepChunk ("
                    + RunParameter.plain(chunk) + ")");
        }
    }

    /** Rollouts from real states need a model of both domains: a run on one domain starts every rollout in it. */
    private static void checkRealStarts(RunSpec run, Map<RunParameter, Double> values) throws InvalidRecordException {
        Double share = values.get(RunParameter.REAL_START_SHARE);
        if (share != null && share > 0 && !new HashSet<>(run.trainingDomains()).containsAll(Set.of(Domain.SIM, Domain.REAL))) {
            throw new InvalidRecordException(Reason.OUT_OF_RANGE, "field 'parameters.realStartShare' is "
                    + RunParameter.plain(share) + ", must be 0 for a run that trains on one domain (trainingDomains "
                    + run.trainingDomains() + "): every rollout starts in it");
        }
    }

    private static String known() {
        List<String> names = new ArrayList<>();
        for (RunParameter p : RunParameter.values()) {
            names.add(p.wireName());
        }
        return String.join(", ", names);
    }

    private static String scopeText(RunParameter.Scope scope) {
        return switch (scope) {
            case POLICY -> "runs that train a policy (every method but gap-only)";
            case ROLLOUTS -> "runs that mix model rollouts into SAC's batches (mbpo*, latent-*)";
            case ENSEMBLE -> "the MBPO methods (mbpo, mbpo-sim-only, mbpo-mixed)";
            case ANY_MODEL -> "runs that train a model (every method but sac)";
            case LATENT -> "the latent methods and gap-only";
            case TWO_DOMAIN_ROLLOUTS -> "runs that mix model rollouts and may train on real data (mbpo, mbpo-mixed, latent-*)";
            case LOCKSTEP -> "lockstep runs that train a policy";
            case LOCKSTEP_ROLLOUTS -> "lockstep runs that mix model rollouts";
        };
    }
}

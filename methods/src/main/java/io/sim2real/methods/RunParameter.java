package io.sim2real.methods;

import io.sim2real.contracts.messages.RunSpec.Method;
import io.sim2real.contracts.messages.RunSpec.Mode;
import java.util.Locale;
import java.util.Optional;

/**
 * The catalogue of RunSpec {@code parameters}: every setting of a run that is not a field of its own, with its type,
 * range, product default and the runs it applies to. A RunSpec naming a parameter not in this catalogue, out of its
 * range, or one that does not apply to its method or mode is refused, naming the field. Deployments change a default
 * with the configuration key {@link #configKey()} (read when a run is accepted, never afterwards).
 */
public enum RunParameter {

    // SAC (policy-service)
    UPDATES_PER_STEP("updatesPerStep", Type.NUMBER, 0, 1000, 20, Scope.POLICY,
            "G: SAC updates owed per new environment transition of the run's training domains"),
    REAL_RATIO("realRatio", Type.SHARE, 0, 1, 0.05, Scope.ROLLOUTS,
            "share of each SAC batch drawn from environment data (at least one row); the rest from model rollouts"),
    LEARNER_MIN_TRANSITIONS("learnerMinTransitions", Type.WHOLE, 1, 1e9, 1000, Scope.POLICY,
            "SAC starts once the run has this many training-domain transitions; those before it owe no updates"),

    // The dynamics ensemble (model-service, MBPO methods)
    TRAIN_EVERY("trainEvery", Type.WHOLE, 1, 1e9, 250, Scope.ENSEMBLE,
            "a model round after every this many new training-domain transitions"),
    MODEL_MIN_TRANSITIONS("modelMinTransitions", Type.WHOLE, 2, 1e9, 1000, Scope.ENSEMBLE,
            "the first model round once the run has this many training-domain transitions"),
    MAX_EPOCHS("maxEpochs", Type.WHOLE, 1, 1e6, 1000, Scope.ANY_MODEL,
            "most epochs a round trains the dynamics ensemble (early stopping on its hold-out set may end it sooner)"),
    ROLLOUTS_PER_ROUND("rolloutsPerRound", Type.WHOLE, 1, 1e8, 100_000, Scope.ROLLOUTS,
            "branched rollouts a model round publishes"),
    // 0 for every method: MBPO branches from the states its policy visits, the baselines' runs so far started from sim
    // states only, and the real datasets (random or another policy's actions) hold states the policy does not visit;
    // one default for all keeps the comparison of methods free of this confound (docs/LATENT.md).
    REAL_START_SHARE("realStartShare", Type.SHARE, 0, 1, 0, Scope.TWO_DOMAIN_ROLLOUTS,
            "share of a model round's rollouts that start from real states, the rest from sim states (a run that trains "
                    + "on one domain starts every rollout in it and must leave it 0)"),

    // The latent model (model-service, latent methods and gap-only)
    LATENT_TRAIN_EVERY("latentTrainEvery", Type.WHOLE, 1, 1e9, 5000, Scope.LATENT,
            "a latent round after every this many new transitions of either domain"),
    LATENT_MIN_TRANSITIONS("latentMinTransitions", Type.WHOLE, 2, 1e9, 2000, Scope.LATENT,
            "the first latent round once each domain has this many transitions"),
    JOINT_STEPS("jointSteps", Type.WHOLE, 0, 1e7, 1000, Scope.LATENT, "joint training steps of the latent model per round"),
    TRAIN_SIM_AUTOENCODER("trainSimAutoencoder", Type.FLAG, 0, 1, Double.NaN, Scope.LATENT,
            "1: joint training changes the sim encoder and decoder; 0: they stay the identity. Default: 1 for gap-only, "
                    + "0 for the training methods"),
    LAMBDA_AE("lambdaAe", Type.NUMBER, 0, 1e6, 1, Scope.LATENT, "weight of the autoencoding loss"),
    LAMBDA_DEC("lambdaDec", Type.NUMBER, 0, 1e6, 1, Scope.LATENT, "weight of the decoding loss"),
    LAMBDA_CORR("lambdaCorr", Type.NUMBER, 0, 1e6, 1, Scope.LATENT, "weight of the correspondence loss"),
    LAMBDA_ANCHOR("lambdaAnchor", Type.NUMBER, 0, 1e6, 0, Scope.LATENT,
            "weight of the anchor, the squared distance of p_real(o) from p_sim(o) over both domains' observations, which "
                    + "keeps the real latents where the shared dynamics knows sim latents; 0: off"),
    DIVERGENCE_FACTOR("divergenceFactor", Type.NUMBER, 1, 1e12, 1000, Scope.LATENT,
            "a latent round stops as diverged when its joint loss exceeds this multiple of its first value"),

    // Lockstep collections (env-service)
    LOCKSTEP_CHUNK("lockstepChunk", Type.WHOLE, 1, 1e9, 250, Scope.LOCKSTEP,
            "env steps a lockstep collection acts between two waits for a policy"),
    INITIAL_RANDOM_STEPS("initialRandomSteps", Type.WHOLE, 0, 1e9, 1000, Scope.LOCKSTEP,
            "uniform random env steps before a lockstep collection's first wait, when the run has no policy yet"),
    LOCKSTEP_TIMEOUT_SECONDS("lockstepTimeoutSeconds", Type.NUMBER, 1e-3, 1e7, 600, Scope.LOCKSTEP,
            "longest wait of a lockstep collection for one policy; a longer wait fails the collection"),
    MODEL_LAG("modelLag", Type.WHOLE, 0, 1, 0, Scope.LOCKSTEP_ROLLOUTS,
            "0: the updates of a chunk mix in the rollouts of the round that covers every chunk before it; 1: of the "
                    + "round before that, so a round trains while the learner pays the next chunk (LockstepSchedule)");

    /** How a value is read and checked. */
    public enum Type {
        /** A whole number in [min, max]. */
        WHOLE,
        /** A real number in [min, max]. */
        NUMBER,
        /** A share in [0, 1]. */
        SHARE,
        /** 0 (off) or 1 (on). */
        FLAG
    }

    /** Which runs a parameter applies to. */
    public enum Scope {
        /** Runs that train a policy. */
        POLICY,
        /** Runs whose learner mixes model rollouts into its batches. */
        ROLLOUTS,
        /** Runs with a dynamics ensemble of their own (the MBPO methods). */
        ENSEMBLE,
        /** Runs that train any model (an ensemble, or the latent model's sim ensemble). */
        ANY_MODEL,
        /** Runs with a latent model. */
        LATENT,
        /** Runs whose learner mixes model rollouts and whose method may train on real data (mbpo, mbpo-mixed, latent-*). */
        TWO_DOMAIN_ROLLOUTS,
        /** Lockstep runs that train a policy. */
        LOCKSTEP,
        /** Lockstep runs whose learner mixes model rollouts. */
        LOCKSTEP_ROLLOUTS;

        boolean covers(MethodTraits t, Mode mode) {
            return switch (this) {
                case POLICY -> t.trainsPolicy();
                case ROLLOUTS -> t.rollsOut();
                case ENSEMBLE -> t.model() == MethodTraits.Model.ENSEMBLE;
                case ANY_MODEL -> t.model() != MethodTraits.Model.NONE;
                case LATENT -> t.model() == MethodTraits.Model.LATENT;
                case TWO_DOMAIN_ROLLOUTS -> t.rollsOut() && (t.trainingDomains() == null
                        || t.trainingDomains().contains(io.sim2real.contracts.Domain.REAL));
                case LOCKSTEP -> t.trainsPolicy() && mode == Mode.LOCKSTEP;
                case LOCKSTEP_ROLLOUTS -> t.rollsOut() && mode == Mode.LOCKSTEP;
            };
        }
    }

    private final String wireName;
    private final Type type;
    private final double min;
    private final double max;
    private final double productDefault;
    private final Scope scope;
    private final String description;

    RunParameter(String wireName, Type type, double min, double max, double productDefault, Scope scope, String description) {
        this.wireName = wireName;
        this.type = type;
        this.min = min;
        this.max = max;
        this.productDefault = productDefault;
        this.scope = scope;
        this.description = description;
    }

    /** The name in a RunSpec's {@code parameters}. */
    public String wireName() {
        return wireName;
    }

    public Type type() {
        return type;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public Scope scope() {
        return scope;
    }

    public String description() {
        return description;
    }

    /** The configuration key that changes this parameter's default in a deployment: sim2real.run.kebab-case-name. */
    public String configKey() {
        return "sim2real.run." + wireName.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    /** The product's default for a method (a few parameters' defaults depend on it). */
    public double productDefault(Method method) {
        if (this == TRAIN_SIM_AUTOENCODER) {
            // gap-only: a lower noise floor of G; training methods: rollouts in the simulator's own space (RESULTS.md).
            return method == Method.GAP_ONLY ? 1 : 0;
        }
        return productDefault;
    }

    /** Whether the parameter is a setting of a run of this method and mode. */
    public boolean appliesTo(Method method, Mode mode) {
        return scope.covers(MethodTraits.of(method), mode);
    }

    public static Optional<RunParameter> fromWire(String name) {
        for (RunParameter p : values()) {
            if (p.wireName.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Why {@code value} is not a valid value of this parameter, or empty when it is. */
    Optional<String> problem(double value) {
        if (!Double.isFinite(value)) {
            return Optional.of("must be a finite number");
        }
        return switch (type) {
            case FLAG -> value == 0 || value == 1 ? Optional.empty() : Optional.of("must be 0 (off) or 1 (on)");
            case SHARE -> value >= 0 && value <= 1 ? Optional.empty() : Optional.of("must be a share in [0, 1]");
            case WHOLE -> value == Math.rint(value) && value >= min && value <= max ? Optional.empty()
                    : Optional.of("must be a whole number in [" + plain(min) + ", " + plain(max) + "]");
            case NUMBER -> value >= min && value <= max ? Optional.empty()
                    : Optional.of("must be in [" + plain(min) + ", " + plain(max) + "]");
        };
    }

    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}

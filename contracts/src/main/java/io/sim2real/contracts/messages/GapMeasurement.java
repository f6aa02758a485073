package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.util.Locale;

/**
 * One value of one sim-to-real gap metric on {@code sim2real.gap}, measured by model-service: by its gap probe
 * (a fresh measurement model on a window of the newest real data, docs/CONTRACTS.md section 3.4), by its
 * calibration metrics, by its drift detector, or by a training round's own model. {@code perturbation} and
 * {@code factor} describe the real domain ("gravity", 1.5), or ("unknown", 0) for a real robot whose gap is not a
 * parameter shift.
 *
 * @param pairing the data the value was measured on, for probe and calibration metrics: real transitions paired
 *                with the simulator's prediction from the same state and action, or the run's own sim data; null
 *                for metrics of a training round's model
 * @param floor   the value the same measurement gives when both sides come from the simulator (its noise floor),
 *                in the metric's units; null where none is measured
 * @param spread  the standard deviation of the value over the probe's seeds; null where it has one seed
 */
public record GapMeasurement(
        int schemaVersion,
        String runId,
        String perturbation,
        double factor,
        Metric metric,
        double value,
        long modelVersion,
        long envStep,
        long timestampMs,
        Pairing pairing,
        Double floor,
        Double spread) implements Sim2RealMessage {

    /** A value without pairing, floor or spread: a metric of a training round's model. */
    public GapMeasurement(int schemaVersion, String runId, String perturbation, double factor, Metric metric,
                          double value, long modelVersion, long envStep, long timestampMs) {
        this(schemaVersion, runId, perturbation, factor, metric, value, modelVersion, envStep, timestampMs, null, null, null);
    }

    /** What the gap probe's training data paired real transitions with. */
    public enum Pairing {
        /** Each real transition with the simulator's next state from the same state and action. */
        COUNTERFACTUAL,
        /** The run's real transitions and its own sim transitions, from different states. */
        UNPAIRED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Pairing fromWire(String value) {
            for (Pairing p : values()) {
                if (p.wireName().equals(value)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown pairing '" + value + "'");
        }
    }

    /** The gap metrics of METHOD.md. */
    public enum Metric {
        /**
         * G = mean over real observations of |m(p_real(o)) - p_real(o)|, measured by the gap probe: a fresh latent
         * model in a fixed configuration, in standardised units, with its floor and spread.
         */
        MAPPING_DISTANCE,
        /** The same distance read off the model that trains the policy: drifts with its real encoder, not a gap measure. */
        TRAINING_MAPPING_DISTANCE,
        /** Mean over real transitions of |o'_real - f_sim(o, a)|^2 / the variance of the state change (counterfactual pairs). */
        COUNTERFACTUAL_DISCREPANCY,
        /** Estimated KL(real || sim) of the transition dynamics, in nats, from domain classifiers (DARC). */
        CLASSIFIER_KL,
        /** Area under the ROC curve of the (s, a, s') domain classifier on held-out transitions: 0.5 is no gap. */
        CLASSIFIER_AUC,
        /** 1 while the drift detector finds the real dynamics changed since the run's reference window, else 0. */
        DRIFT_ALARM,
        /** KL divergence between Gaussian fits of the sim and real latent clouds. */
        LATENT_KL,
        /** Cross-domain KL over within-domain KL. */
        LATENT_KL_RATIO,
        /** One-step prediction error of the sim-trained model on real transitions. */
        ONE_STEP_ERROR,
        /** Disagreement of the ensemble members on real data. */
        ENSEMBLE_DISAGREEMENT;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Metric fromWire(String value) {
            for (Metric m : values()) {
                if (m.wireName().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown gap metric '" + value + "'");
        }
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        text(perturbation, "perturbation");
        inRange(factor, 0.0, PerturbationKind.MAX_FACTOR, "factor");
        present(metric, "metric");
        finite(value, "value");
        nonNegative(modelVersion, "modelVersion");
        nonNegative(envStep, "envStep");
        nonNegative(timestampMs, "timestampMs");
        if (floor != null) {
            finite(floor, "floor");
        }
        if (spread != null) {
            finite(spread, "spread");
            if (spread < 0) {
                throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "field 'spread' is " + spread
                        + ", must be >= 0");
            }
        }
    }
}

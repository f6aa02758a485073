package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.util.Locale;

/**
 * One value of one sim-to-real gap metric on {@code sim2real.gap}, measured by model-service after
 * a training round. {@code perturbation} and {@code factor} describe the real domain
 * ("gravity", 1.5), or ("unknown", 0) for a real robot whose gap is not a parameter shift.
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
        long timestampMs) implements Sim2RealMessage {

    /** The gap metrics of METHOD.md. */
    public enum Metric {
        /** G = mean over real observations of |m(p_real(o)) - p_real(o)|. */
        MAPPING_DISTANCE,
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
    }
}

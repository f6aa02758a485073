package io.sim2real.contracts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of physics change that make a "real" domain out of the simulator. Each is a scale
 * factor (1.0 = unchanged) except the two that add something the simulator lacks:
 * observation noise (a standard deviation, 0 = none) and action delay (whole steps, 0 = none).
 */
public enum PerturbationKind {
    GRAVITY(1.0, 0.0, 10.0, false),
    TORSO_LENGTH(1.0, 0.1, 5.0, false),
    THIGH_LENGTH(1.0, 0.1, 5.0, false),
    FRICTION(1.0, 0.0, 10.0, false),
    BODY_MASS(1.0, 0.1, 10.0, false),
    ACTUATOR_GEAR(1.0, 0.0, 10.0, false),
    JOINT_DAMPING(1.0, 0.0, 100.0, false),
    OBSERVATION_NOISE(0.0, 0.0, 10.0, false),
    ACTION_DELAY(0.0, 0.0, 10.0, true);

    /** Largest factor any kind accepts; bounds gap measurements' factor field too. */
    public static final double MAX_FACTOR = 100.0;

    private final double neutral;
    private final double min;
    private final double max;
    private final boolean integral;

    PerturbationKind(double neutral, double min, double max, boolean integral) {
        this.neutral = neutral;
        this.min = min;
        this.max = max;
        this.integral = integral;
    }

    /** The value that leaves the simulator unchanged. */
    public double neutral() {
        return neutral;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** Whether the value must be a whole number (steps of delay). */
    public boolean integral() {
        return integral;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<PerturbationKind> fromWire(String value) {
        for (PerturbationKind k : values()) {
            if (k.wireName().equals(value)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}

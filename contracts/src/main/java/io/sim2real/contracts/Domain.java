package io.sim2real.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a transition came from: the simulator or the (possibly simulated) real system. */
public enum Domain {
    SIM, REAL;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Domain fromWire(String value) {
        for (Domain d : values()) {
            if (d.wireName().equals(value)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown domain '" + value + "' (expected sim or real)");
    }
}

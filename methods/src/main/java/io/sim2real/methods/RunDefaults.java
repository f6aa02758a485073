package io.sim2real.methods;

import io.sim2real.contracts.messages.RunSpec.Method;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The defaults a deployment gives run parameters: the catalogue's product defaults, with the ones its configuration
 * changes ({@link RunParameter#configKey()}). A run takes them once, when it is accepted ({@link RunSettings}).
 */
public final class RunDefaults {

    private final Map<RunParameter, Double> overrides;

    private RunDefaults(Map<RunParameter, Double> overrides) {
        this.overrides = overrides;
    }

    /** The catalogue's defaults, unchanged. */
    public static RunDefaults product() {
        return new RunDefaults(Map.of());
    }

    /**
     * The defaults with the values a configuration gives; {@code lookup} maps a key to its value, if set.
     *
     * @throws IllegalArgumentException naming the key of a value out of its parameter's range
     */
    public static RunDefaults fromConfig(Function<String, Optional<Double>> lookup) {
        Map<RunParameter, Double> overrides = new EnumMap<>(RunParameter.class);
        for (RunParameter p : RunParameter.values()) {
            Optional<Double> v = lookup.apply(p.configKey());
            if (v.isPresent()) {
                Optional<String> problem = p.problem(v.get());
                if (problem.isPresent()) {
                    throw new IllegalArgumentException("configuration '" + p.configKey() + "' is " + v.get() + ", "
                            + problem.get());
                }
                overrides.put(p, v.get());
            }
        }
        return new RunDefaults(Map.copyOf(overrides));
    }

    /** The default of a parameter for a run of this method. */
    public double of(RunParameter p, Method method) {
        Double v = overrides.get(p);
        return v != null ? v : p.productDefault(method);
    }

    @Override
    public String toString() {
        return overrides.isEmpty() ? "product defaults" : "product defaults with " + overrides;
    }
}

package io.sim2real.testing;

import java.util.OptionalDouble;

/** Reads one sample out of a Prometheus text exposition (as served by /q/metrics), for assertions. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * The value of the first sample of {@code metric} whose labels include every {@code name="value"} pair
     * given in {@code labels} (alternating names and values), or empty if there is none.
     */
    public static OptionalDouble sample(String exposition, String metric, String... labels) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(metric + "{")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labelSet = line.substring(metric.length() + 1, close);
            boolean all = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (!(("," + labelSet + ",").contains("," + labels[i] + "=\"" + labels[i + 1] + "\","))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                String value = line.substring(close + 1).trim().split(" ")[0];
                return OptionalDouble.of(Double.parseDouble(value));
            }
        }
        return OptionalDouble.empty();
    }
}

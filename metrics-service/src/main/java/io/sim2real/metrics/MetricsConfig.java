package io.sim2real.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** metrics-service's settings ({@code sim2real.metrics.*}; meanings in application.properties). */
@ConfigMapping(prefix = "sim2real.metrics")
public interface MetricsConfig {

    /** Runs with no record (and no definition) newer than this leave the series and the history. */
    @WithDefault("P7D")
    Duration runRetention();

    /** At most this many runs are exported and kept; the least recently active go first. */
    @WithDefault("100")
    int maxRuns();

    /** Evaluations and gap measurements kept per run in the history. */
    @WithDefault("1000")
    int historyPoints();

    /** How often run definitions are re-read into the series' labels and old runs expire. */
    @WithDefault("PT15S")
    Duration refreshEvery();
}

package io.sim2real.testing;

import io.quarkus.test.junit.callback.QuarkusTestAfterAllCallback;
import io.quarkus.test.junit.callback.QuarkusTestContext;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * After every {@code @QuarkusTest} class, while the application still runs, scrapes its {@code /q/metrics} and
 * merges the names into {@code target/exported-metrics.txt} ({@link ExportedMetrics}). Registered through
 * {@code META-INF/services}, so every service module that tests with test-support records what it exports.
 */
public class ExportedMetricsRecorder implements QuarkusTestAfterAllCallback {

    private static final Logger LOG = Logger.getLogger(ExportedMetricsRecorder.class);
    /** JVM-wide (system properties survive Quarkus' class loaders): the first scrape starts the file afresh. */
    private static final String STARTED = "sim2real.exported-metrics.started";

    @Override
    public void afterAll(QuarkusTestContext context) {
        String port = System.getProperty("quarkus.http.test-port");
        if (port == null || port.equals("0")) {
            port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", String.class).orElse(null);
        }
        if (port == null || port.equals("0")) {
            LOG.warn("no test port known: exported metrics not recorded");
            return;
        }
        try {
            boolean fresh = System.getProperty(STARTED) == null;
            ExportedMetrics.merge(Path.of("target", ExportedMetrics.FILE), ExportedMetrics.scrape(Integer.parseInt(port)), fresh);
            System.setProperty(STARTED, "true");
        } catch (Exception e) {
            LOG.warnf("exported metrics not recorded: %s", e.toString());
        }
    }
}

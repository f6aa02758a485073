package io.sim2real.service.runs;

import io.sim2real.methods.RunDefaults;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * This deployment's run defaults: the catalogue's, changed by configuration keys {@code sim2real.run.<name>}
 * (io.sim2real.methods.RunParameter#configKey). A value out of range stops the service at start, naming the key.
 */
public class RunDefaultsProducer {

    @Produces
    @Singleton
    RunDefaults defaults() {
        var config = ConfigProvider.getConfig();
        return RunDefaults.fromConfig(key -> config.getOptionalValue(key, Double.class));
    }
}

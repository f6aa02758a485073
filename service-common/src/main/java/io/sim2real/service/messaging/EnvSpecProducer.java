package io.sim2real.service.messaging;

import io.sim2real.contracts.EnvSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The environment whose shape every consumer validates against ({@code sim2real.env}, default HalfCheetah). */
@ApplicationScoped
public class EnvSpecProducer {

    @ConfigProperty(name = "sim2real.env", defaultValue = "HalfCheetah")
    String env;

    @Produces
    @Singleton
    EnvSpec envSpec() {
        if (EnvSpec.HALF_CHEETAH.name().equals(env)) {
            return EnvSpec.HALF_CHEETAH;
        }
        throw new IllegalStateException("sim2real.env=" + env + " is not a known environment (known: HalfCheetah)");
    }
}

package io.sim2real.service.messaging;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Degraded, not unready: DOWN in {@code /q/health/well} (and so in {@code /q/health}) while a dead letter waits
 * for its dead-letter topic, with the source partition and the reason; readiness stays UP because everything
 * else the service does goes on.
 */
@Wellness
@ApplicationScoped
public class DeadLetterHealth implements HealthCheck {

    @Inject
    DeadLetters deadLetters;

    @Override
    public HealthCheckResponse call() {
        Map<String, String> waiting = deadLetters.undelivered();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("dead-letter-queue").status(waiting.isEmpty());
        waiting.forEach(b::withData);
        return b.build();
    }
}

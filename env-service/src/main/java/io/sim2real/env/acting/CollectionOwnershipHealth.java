package io.sim2real.env.acting;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the ownership group has given this instance its first assignment and that assignment's collections are
 * back ({@link CollectionOwnership}); the partitions held are in the check's data.
 */
@Readiness
@ApplicationScoped
public class CollectionOwnershipHealth implements HealthCheck {

    @Inject
    CollectionOwnership ownership;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("collections-ownership").status(ownership.ready())
                .withData("partitions", ownership.partitions().toString()).build();
    }
}

package io.sim2real.env.api;

import io.sim2real.contracts.Domain;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.service.api.BadRequestException;
import java.util.Map;

/**
 * The domain part of a request: {@code "domain": "sim" | "real"} and, for the real domain, its physics as
 * perturbation factors ({@code "physics": {"gravity": 1.5}}). The sim domain is the unperturbed simulator.
 */
public final class DomainRequest {

    private DomainRequest() {
    }

    public static Domain domain(String wire) {
        try {
            return Domain.fromWire(wire == null ? "sim" : wire);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    public static DomainPhysics physics(Domain domain, Map<String, Double> factors, Boolean moveAttachments) {
        Map<String, Double> given = factors == null ? Map.of() : factors;
        if (domain == Domain.SIM && !given.isEmpty()) {
            throw new BadRequestException("the sim domain is the unperturbed simulator; give physics only for domain 'real'");
        }
        try {
            DomainPhysics physics = DomainPhysics.of(given);
            return moveAttachments == null ? physics : physics.withMoveAttachments(moveAttachments);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }
}

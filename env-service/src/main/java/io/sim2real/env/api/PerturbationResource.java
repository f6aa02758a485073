package io.sim2real.env.api;

import io.sim2real.contracts.PerturbationKind;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.List;

@Path("/api/v1/perturbations")
@Produces(MediaType.APPLICATION_JSON)
public class PerturbationResource {

    /** A kind of physics change and the values it accepts. */
    public record Kind(String name, double neutral, double min, double max, boolean integral) {
    }

    @GET
    public List<Kind> kinds() {
        return Arrays.stream(PerturbationKind.values())
                .map(k -> new Kind(k.wireName(), k.neutral(), k.min(), k.max(), k.integral()))
                .toList();
    }
}

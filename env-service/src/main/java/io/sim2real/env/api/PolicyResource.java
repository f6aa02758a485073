package io.sim2real.env.api;

import io.sim2real.env.acting.PolicyStore;
import io.sim2real.service.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

@Path("/api/v1/policies")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    @Inject
    PolicyStore policies;

    /** The newest policy snapshot env-service holds for a run (without its weights). */
    @GET
    @Path("/{runId}")
    public Response latest(@PathParam("runId") String runId) {
        return policies.latest(runId)
                .map(p -> Response.ok(Map.of("runId", p.runId(), "version", p.version(), "envStep", p.envStep(),
                        "architecture", p.architecture())).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no policy for run '" + runId + "'")).build());
    }
}

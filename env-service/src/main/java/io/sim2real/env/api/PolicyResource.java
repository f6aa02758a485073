package io.sim2real.env.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
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
@Tag(name = "policies", description = "Policy snapshots env-service acts with")
public class PolicyResource {

    @Inject
    PolicyStore policies;

    /** The newest policy snapshot env-service holds for a run (without its weights). */
    @GET
    @Path("/{runId}")
    @Operation(summary = "The newest policy snapshot env-service holds for a run, without its weights")
    @APIResponse(responseCode = "200", description = "runId, version, envStep and architecture of the newest PolicySnapshot",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "version 12", value = """
                            {"runId": "cheetah-robot-01", "version": 12, "envStep": 24000, "architecture": "tanh-gaussian-mlp-256-256"}""")))
    @APIResponse(responseCode = "404", description = "No snapshot of the run held")
    public Response latest(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        return policies.latest(runId)
                .map(p -> Response.ok(Map.of("runId", p.runId(), "version", p.version(), "envStep", p.envStep(),
                        "architecture", p.architecture())).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no policy for run '" + runId + "'")).build());
    }
}

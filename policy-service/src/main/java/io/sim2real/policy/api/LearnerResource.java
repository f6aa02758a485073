package io.sim2real.policy.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.sim2real.policy.learning.PolicyLearner;
import io.sim2real.service.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/api/v1/runs/{runId}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "learner", description = "policy-service's SAC learner per run")
public class LearnerResource {

    @Inject
    PolicyLearner learner;

    /** The run's SAC learner: env steps seen, updates done and owed, newest policy version, last losses. */
    @GET
    @Path("/policy")
    @Operation(summary = "The run's SAC learner: env steps seen, updates done and owed, newest policy version, last losses")
    @APIResponse(responseCode = "200", description = "The learner's status (losses null before the first update)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = io.sim2real.policy.learning.PolicyLearner.LearnerStatus.class),
                    examples = @ExampleObject(name = "learning", value = """
                            {"runId": "cheetah-robot-01", "envSteps": 24000, "updates": 460000, "pendingUpdates": 20,
                             "policyVersion": 12, "criticLoss": 1.84, "actorLoss": -152.3, "alpha": 0.071, "entropy": -5.2,
                             "checkpointedUpdates": 450000, "resuming": false, "updatesPerStep": 20.0,
                             "environmentRows": 24000}""")))
    @APIResponse(responseCode = "404", description = "No policy learner for the run (unknown run or not a learning method)")
    public Response status(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        return learner.status(runId).map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no policy learner for run '" + runId + "'")).build());
    }
}

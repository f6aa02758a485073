package io.sim2real.policy.api;

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
public class LearnerResource {

    @Inject
    PolicyLearner learner;

    /** The run's SAC learner: env steps seen, updates done and owed, newest policy version, last losses. */
    @GET
    @Path("/policy")
    public Response status(@PathParam("runId") String runId) {
        return learner.status(runId).map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no policy learner for run '" + runId + "'")).build());
    }
}

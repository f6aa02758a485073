package io.sim2real.service.runs;

import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.service.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @Inject
    RunRegistry registry;

    @GET
    public List<RunSpec> list() {
        return registry.all();
    }

    @GET
    @Path("/{runId}")
    public Response get(@PathParam("runId") String runId) {
        return registry.get(runId).map(run -> Response.ok(run).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no run '" + runId + "'")).build());
    }
}

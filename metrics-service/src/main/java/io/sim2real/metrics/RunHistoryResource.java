package io.sim2real.metrics;

import io.sim2real.service.api.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The run history: what each run's records said, rebuilt from the topics at every start. */
@Produces(MediaType.APPLICATION_JSON)
@Path("/api/v1/history")
public class RunHistoryResource {

    @Inject
    RunMetrics metrics;

    /** The runs with a history (those not aged out). */
    @GET
    public List<String> runs() {
        return metrics.runIds();
    }

    /** One run: transitions per domain, acting policy versions, every evaluation and gap measurement kept. */
    @GET
    @Path("/{runId}")
    public Response run(@PathParam("runId") String runId) {
        return metrics.view(runId).map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no history for run '" + runId + "'")).build());
    }
}

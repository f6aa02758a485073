package io.sim2real.service.runs;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.service.api.ApiError;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.RequiresApiToken;
import io.sim2real.service.api.Requests;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Run definitions: the ones this service has read, and submitting or deleting one on {@code sim2real.runs}. */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @Inject
    RunRegistry registry;

    @Inject
    EnvSpec spec;

    @Inject
    @Channel("runs-out")
    MutinyEmitter<Record<String, RunSpec>> runs;

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

    /** Publishes a run definition (the RunSpec JSON of docs/CONTRACTS.md); invalid ones get a 400 with the reason. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresApiToken
    public Response submit(String body) {
        RunSpec run;
        try {
            run = Codecs.RUN_SPEC.decode(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), spec);
        } catch (InvalidRecordException e) {
            throw new BadRequestException(e.getMessage());
        }
        runs.sendAndAwait(Record.of(run.runId(), run));
        return Response.accepted(run).build();
    }

    /** Deletes a run definition (a tombstone on the compacted topic). */
    @DELETE
    @Path("/{runId}")
    @RequiresApiToken
    public Response delete(@PathParam("runId") String runId) {
        Requests.runId(runId);
        runs.sendAndAwait(Record.of(runId, null));
        return Response.accepted().build();
    }
}

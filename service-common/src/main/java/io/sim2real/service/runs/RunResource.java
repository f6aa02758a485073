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
import java.util.Optional;
import io.sim2real.methods.RunSettings;
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

    /** A run's effective definition: as submitted, with every parameter that applies to it set. */
    @GET
    @Path("/{runId}")
    public Response get(@PathParam("runId") String runId) {
        return registry.get(runId).map(run -> Response.ok(run).build())
                .orElseGet(() -> registry.refusal(runId)
                        .map(r -> Response.status(422).entity(new ApiError(422, "run '" + runId + "' was refused: " + r.reason())).build())
                        .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no run '" + runId + "'")).build()));
    }

    /**
     * What this service made of a run's definitions: the effective one in force (null if none), what reading a
     * definition of an earlier build changed in it, and why its newest definition was refused (null if it was not).
     */
    public record RunStatus(String runId, RunSpec effective, List<String> conversions, String refused) {
    }

    @GET
    @Path("/{runId}/status")
    public Response status(@PathParam("runId") String runId) {
        Optional<RunSettings> settings = registry.settings(runId);
        Optional<RunRegistry.Refusal> refusal = registry.refusal(runId);
        if (settings.isEmpty() && refusal.isEmpty()) {
            return Response.status(404).entity(new ApiError(404, "no run '" + runId + "'")).build();
        }
        return Response.ok(new RunStatus(runId, settings.map(RunSettings::spec).orElse(null),
                settings.map(RunSettings::conversions).orElse(List.of()), refusal.map(RunRegistry.Refusal::reason).orElse(null)))
                .build();
    }

    /**
     * Publishes a run definition (the RunSpec JSON of docs/CONTRACTS.md) with its effective settings: every parameter
     * that applies to the run, the given ones and this deployment's defaults for the rest, fixed now for every
     * service. A definition that is no run gets a 400 naming the field; one that changes a defined run's method,
     * mode, seed, domains or real physics a 409.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresApiToken
    public Response submit(String body) {
        RunSettings settings;
        try {
            RunSpec run = Codecs.RUN_SPEC.decode(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), spec);
            settings = RunSettings.resolve(run, registry.defaults(), RunSettings.Reading.SUBMITTED);
        } catch (InvalidRecordException e) {
            throw new BadRequestException(e.getMessage());
        }
        Optional<String> fixed = registry.settings(settings.runId()).flatMap(s -> s.refusesChangeTo(settings));
        if (fixed.isPresent()) {
            return Response.status(409).entity(new ApiError(409, fixed.get())).build();
        }
        runs.sendAndAwait(Record.of(settings.runId(), settings.spec()));
        return Response.accepted(settings.spec()).build();
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

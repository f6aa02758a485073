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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Run definitions: the ones this service has read, and submitting or deleting one on {@code sim2real.runs}. */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs", description = "Run definitions (RunSpec, docs/CONTRACTS.md 3.6) on the compacted topic sim2real.runs; "
        + "every service serves these endpoints")
public class RunResource {

    /** A RunSpec as docs/CONTRACTS.md 3.6 shows it; its JSON Schema is docs/schemas/RunSpec.v1.schema.json. */
    static final String RUN_SPEC_EXAMPLE = """
            {"schemaVersion": 1, "runId": "gravity-1.5-sac", "method": "sac", "mode": "lockstep", "seed": 0,
             "envSteps": 30000, "realDomain": {"name": "gravity-1.5", "factors": {"gravity": 1.5}},
             "trainingDomains": ["sim"], "parameters": {"updatesPerStep": 1}, "createdAtMs": 1767225600000}""";

    static final String RUN_ID_DESCRIPTION = "The run id: an ASCII letter or digit, then up to 127 letters, digits, '.', '_' or '-'";

    @Inject
    RunRegistry registry;

    @Inject
    EnvSpec spec;

    /** What this service checks besides the RunSpec (env-service: a dataset source against its datasets). */
    @Inject
    jakarta.enterprise.inject.Instance<RunAcceptanceCheck> checks;

    @Inject
    @Channel("runs-out")
    MutinyEmitter<Record<String, RunSpec>> runs;

    @GET
    @Operation(summary = "The run definitions this service has read from sim2real.runs, with their effective settings")
    @APIResponse(responseCode = "200", description = "Every run this service knows, as effective RunSpecs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunSpec.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one run", value = "[" + RUN_SPEC_EXAMPLE + "]")))
    public List<RunSpec> list() {
        return registry.all();
    }

    /** A run's effective definition: as submitted, with every parameter that applies to it set. */
    @GET
    @Path("/{runId}")
    @Operation(summary = "A run's effective definition: as submitted, with every parameter that applies to it set")
    @APIResponse(responseCode = "200", description = "The effective RunSpec",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunSpec.class),
                    examples = @ExampleObject(name = "run", value = RUN_SPEC_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "No run of that id",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class),
                    examples = @ExampleObject(name = "unknown", value = "{\"status\": 404, \"message\": \"no run 'nope'\"}")))
    @APIResponse(responseCode = "422", description = "The run's newest definition was refused; the error says why")
    public Response get(@Parameter(description = RUN_ID_DESCRIPTION, example = "gravity-1.5-sac") @PathParam("runId") String runId) {
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
    @Operation(summary = "What this service made of a run's definitions",
            description = "The effective definition in force (null if none), what reading a definition of an earlier build "
                    + "changed in it, and why its newest definition was refused (null if it was not)")
    @APIResponse(responseCode = "200", description = "The run's status",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunStatus.class),
                    examples = @ExampleObject(name = "in force", value = "{\"runId\": \"gravity-1.5-sac\", \"effective\": "
                            + RUN_SPEC_EXAMPLE + ", \"conversions\": [], \"refused\": null}")))
    @APIResponse(responseCode = "404", description = "Neither a definition nor a refusal of that run id")
    public Response status(@Parameter(description = RUN_ID_DESCRIPTION, example = "gravity-1.5-sac") @PathParam("runId") String runId) {
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
    @Operation(summary = "Submit a run definition: publishes it on sim2real.runs with its effective settings",
            description = "The body is a RunSpec (docs/CONTRACTS.md 3.6, JSON Schema docs/schemas/RunSpec.v1.schema.json). "
                    + "Every parameter that applies to the run is fixed now, the given ones and this deployment's defaults "
                    + "for the rest (GET /api/v1/run-parameters). Needs the API token when one is configured.")
    @RequestBody(required = true, description = "A RunSpec",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunSpec.class),
                    examples = @ExampleObject(name = "SAC on sim, real gravity x1.5", value = RUN_SPEC_EXAMPLE)))
    @APIResponse(responseCode = "202", description = "Published; the body is the effective RunSpec",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunSpec.class),
                    examples = @ExampleObject(name = "effective", value = RUN_SPEC_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Not a valid run definition; the error names the field",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class),
                    examples = @ExampleObject(name = "bad envSteps",
                            value = "{\"status\": 400, \"message\": \"field 'envSteps' is 0, must be > 0\"}")))
    @APIResponse(responseCode = "409", description = "Changes a defined run's method, mode, seed, domains or real physics")
    public Response submit(String body) {
        RunSettings settings;
        try {
            RunSpec run = Codecs.RUN_SPEC.decode(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), spec);
            settings = RunSettings.resolve(run, registry.defaults(), RunSettings.Reading.SUBMITTED);
        } catch (InvalidRecordException e) {
            throw new BadRequestException(e.getMessage());
        }
        for (RunAcceptanceCheck check : checks) {
            check.check(settings);
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
    @Operation(summary = "Delete a run definition: publishes a tombstone on the compacted topic sim2real.runs")
    @APIResponse(responseCode = "202", description = "Tombstone published (also for a run no service knows)")
    @APIResponse(responseCode = "400", description = "Not a valid run id")
    public Response delete(@Parameter(description = RUN_ID_DESCRIPTION, example = "gravity-1.5-sac") @PathParam("runId") String runId) {
        Requests.runId(runId);
        runs.sendAndAwait(Record.of(runId, null));
        return Response.accepted().build();
    }
}

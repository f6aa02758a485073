package io.sim2real.env.api;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.sim2real.contracts.Domain;
import io.sim2real.env.acting.CollectionService;
import io.sim2real.env.acting.CollectionService.Collection;
import io.sim2real.service.api.ApiError;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.RequiresApiToken;
import io.sim2real.service.api.Requests;
import io.sim2real.service.runs.RunRegistry;
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
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Data collection: a behaviour policy acting in a domain, its transitions published to Kafka. */
@Path("/api/v1/collections")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "collections", description = "Collecting transitions onto sim2real.transitions with a behaviour policy")
public class CollectionResource {

    static final long MAX_ENV_STEPS = 10_000_000;

    /**
     * What to collect; everything but runId has a default. A real-domain collection of a defined run that names no
     * physics, or exactly the run's base factors, emulates the run's real domain: its physics follow
     * {@code realDomain.schedule} ({@link io.sim2real.training.acting.PhysicsSchedule}). For a defined run, envSteps and
     * seed default to the run's, and a request that contradicts its definition is refused ({@link RunCollectionRules}).
     */
    public record CollectionRequest(String runId, String domain, Map<String, Double> physics, Boolean moveAttachments,
                                    String policy, Long envSteps, Integer numEnvs, Integer batchSize, Long seed) {
    }

    @Inject
    CollectionService collections;

    @Inject
    RunRegistry runs;

    @POST
    @RequiresApiToken
    @Operation(summary = "Start collecting transitions with a behaviour policy (random, scripted, snapshot) in a domain;"
            + " in a lockstep run, policy snapshot acts in chunks, each waiting for a policy trained on the data before it",
            description = "Everything but runId has a default: domain sim, policy random, envSteps 1000 (a defined run's), "
                    + "numEnvs 1 (1..256), batchSize 250 (1..5000), seed the run's. A real-domain collection of a defined run that "
                    + "names no physics, or exactly the run's base factors, follows the run's realDomain.schedule. The policy "
                    + "version of an async collection is the newest snapshot held when it is accepted. Answers at once (202); "
                    + "poll GET /api/v1/collections/{id}. Needs the API token when one is configured.")
    @RequestBody(required = true, description = "What to collect",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CollectionRequest.class),
                    examples = @ExampleObject(name = "real domain, newest snapshot", value = """
                            {"runId": "cheetah-robot-01", "domain": "real", "physics": {"gravity": 1.5}, "policy": "snapshot",
                             "envSteps": 4000, "numEnvs": 1, "batchSize": 250, "seed": 0}""")))
    @APIResponse(responseCode = "202", description = "Accepted; the collection as it starts",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Collection.class),
                    examples = @ExampleObject(name = "running", value = """
                            {"id": "6f1c2a9e-3b7d-4e51-9a0c-2d8e4f6b1a73", "runId": "cheetah-robot-01", "domain": "real",
                             "physics": {"gravity": 1.5}, "policy": "snapshot", "mode": "lockstep", "envSteps": 4000, "numEnvs": 1,
                             "seed": 0, "state": "RUNNING", "stepsTaken": 1000, "unstableDropped": 0, "policyVersion": 3,
                             "waitingForEnvStep": null, "error": null}""")))
    @APIResponse(responseCode = "400", description = "A bad field (named), or a request that contradicts the run's definition")
    public Response start(CollectionRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body with at least a runId is required");
        }
        Requests.runId(request.runId());
        Domain domain = DomainRequest.domain(request.domain());
        var physics = DomainRequest.physics(domain, request.physics(), request.moveAttachments());
        if (request.envSteps() != null) {
            Requests.bounded(request.envSteps(), 1000L, 1L, MAX_ENV_STEPS, "envSteps");
        }
        int envs = Requests.bounded(request.numEnvs(), 1, 1, 256, "numEnvs");
        int batch = Requests.bounded(request.batchSize(), 250, 1, 5000, "batchSize");
        RunCollectionRules.Settled settled = RunCollectionRules.settle(runs, request.runId(), domain, physics,
                request.physics() != null, request.envSteps(), 1000L, request.seed());
        try {
            Collection c = collections.start(request.runId(), domain, physics, request.physics() != null,
                    request.policy(), settled.envSteps(), envs, batch, settled.seed());
            return Response.accepted(c).build();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        } catch (io.sim2real.env.acting.CollectionOwnership.NotOwnedException e) {
            // Another replica runs this run's collections (docs/REPLICAS.md).
            return Response.status(409).type(MediaType.APPLICATION_JSON)
                    .entity(new io.sim2real.service.api.ApiError(409, e.getMessage())).build();
        }
    }

    @GET
    @Operation(summary = "Every collection this instance knows, with its state and progress")
    @APIResponse(responseCode = "200", description = "The collections",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = Collection.class),
                    examples = @ExampleObject(name = "one", value = """
                            [{"id": "6f1c2a9e-3b7d-4e51-9a0c-2d8e4f6b1a73", "runId": "cheetah-robot-01", "domain": "real",
                             "physics": {"gravity": 1.5}, "policy": "snapshot", "mode": "lockstep", "envSteps": 4000, "numEnvs": 1,
                             "seed": 0, "state": "RUNNING", "stepsTaken": 1000, "unstableDropped": 0, "policyVersion": 3,
                             "waitingForEnvStep": null, "error": null}]""")))
    public List<Collection> list() {
        return collections.all();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One collection: its settings, state (QUEUED, RUNNING, WAITING_FOR_POLICY, DONE, FAILED, CANCELLED) and progress")
    @APIResponse(responseCode = "200", description = "The collection",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Collection.class),
                    examples = @ExampleObject(name = "running", value = """
                            {"id": "6f1c2a9e-3b7d-4e51-9a0c-2d8e4f6b1a73", "runId": "cheetah-robot-01", "domain": "real",
                             "physics": {"gravity": 1.5}, "policy": "snapshot", "mode": "lockstep", "envSteps": 4000, "numEnvs": 1,
                             "seed": 0, "state": "RUNNING", "stepsTaken": 1000, "unstableDropped": 0, "policyVersion": 3,
                             "waitingForEnvStep": null, "error": null}""")))
    @APIResponse(responseCode = "404", description = "No collection of that id")
    public Response get(@Parameter(description = "The collection id (a UUID, from POST /api/v1/collections)", example = "6f1c2a9e-3b7d-4e51-9a0c-2d8e4f6b1a73") @PathParam("id") String id) {
        return collections.get(id).map(c -> Response.ok(c).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no collection '" + id + "'")).build());
    }

    @DELETE
    @Path("/{id}")
    @RequiresApiToken
    @Operation(summary = "Stop a collection: a waiting one at once, a running one after its current chunk (state CANCELLED)")
    @APIResponse(responseCode = "202", description = "Cancelling; the collection as it is now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Collection.class),
                    examples = @ExampleObject(name = "running", value = """
                            {"id": "6f1c2a9e-3b7d-4e51-9a0c-2d8e4f6b1a73", "runId": "cheetah-robot-01", "domain": "real",
                             "physics": {"gravity": 1.5}, "policy": "snapshot", "mode": "lockstep", "envSteps": 4000, "numEnvs": 1,
                             "seed": 0, "state": "RUNNING", "stepsTaken": 1000, "unstableDropped": 0, "policyVersion": 3,
                             "waitingForEnvStep": null, "error": null}""")))
    @APIResponse(responseCode = "404", description = "No collection of that id")
    public Response cancel(@Parameter(description = "The collection id (a UUID, from POST /api/v1/collections)", example = "6f1c2a9e-3b7d-4e51-9a0c-2d8e4f6b1a73") @PathParam("id") String id) {
        return collections.cancel(id).map(c -> Response.accepted(c).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no collection '" + id + "'")).build());
    }
}

package io.sim2real.env.api;

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
            + " in a lockstep run, policy snapshot acts in chunks, each waiting for a policy trained on the data before it")
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
        }
    }

    @GET
    public List<Collection> list() {
        return collections.all();
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return collections.get(id).map(c -> Response.ok(c).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no collection '" + id + "'")).build());
    }

    @DELETE
    @Path("/{id}")
    @RequiresApiToken
    @Operation(summary = "Stop a collection: a waiting one at once, a running one after its current chunk (state CANCELLED)")
    public Response cancel(@PathParam("id") String id) {
        return collections.cancel(id).map(c -> Response.accepted(c).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no collection '" + id + "'")).build());
    }
}

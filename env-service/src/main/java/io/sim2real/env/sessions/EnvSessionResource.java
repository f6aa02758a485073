package io.sim2real.env.sessions;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.sim2real.contracts.Domain;
import io.sim2real.env.api.DomainRequest;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.HalfCheetahMjcf;
import io.sim2real.physics.halfcheetah.StepResult;
import io.sim2real.physics.mujoco.MjModel;
import io.sim2real.service.api.ApiError;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.RequiresApiToken;
import io.sim2real.service.api.Requests;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Environments for external agents: create, reset, step, describe, close. */
@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "envs", description = "Environment sessions: step HalfCheetah vectors in a domain over REST (gym-like)")
public class EnvSessionResource {

    /** A new session: a domain and its physics, how many envs, the seed. */
    public record CreateRequest(String domain, Map<String, Double> physics, Boolean moveAttachments, Integer numEnvs,
                                Long seed) {
    }

    /** A session as created: its id, shape and first observations. */
    public record SessionView(String id, String domain, int numEnvs, int obsDim, int actDim, double[][] observations) {
    }

    public record StepRequest(double[][] actions) {
    }

    public record Observations(double[][] observations) {
    }

    @Inject
    EnvSessions sessions;

    @POST
    @Path("/envs")
    @RequiresApiToken
    @Operation(summary = "Create a vector of HalfCheetah environments in a domain; returns its first observations",
            description = "All fields optional: domain sim, no physics change, numEnvs 1 (1..64), seed 0. physics maps "
                    + "perturbation kinds (GET /api/v1/perturbations) to values. Needs the API token when one is configured.")
    @RequestBody(description = "The domain, its physics, how many envs, the seed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CreateRequest.class),
                    examples = @ExampleObject(name = "real domain, gravity x1.5", value = """
                            {"domain": "real", "physics": {"gravity": 1.5}, "numEnvs": 2, "seed": 7}""")))
    @APIResponse(responseCode = "201", description = "Created: the session's id, shape and first observations",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class),
                    examples = @ExampleObject(name = "two envs", value = """
                            {"id": "0b6e4c1d-8f2a-4a57-b3e9-5c7d1f2a9e40", "domain": "real", "numEnvs": 2, "obsDim": 17, "actDim": 6, "observations": [[-0.0352, -0.0698, 0.0302, -0.0855, 0.0072, -0.0269, -0.0884, 0.0015, 3.075, -0.2654, -1.7206, -1.6371, -0.3019, 1.3074, -1.5048, -1.107, 0.5097], [0.0895, 0.0154, -0.0207, 0.0953, -0.0907, 0.0717, -0.0421, -0.0711, 3.2356, -0.7661, 1.2645, -1.2771, 0.3264, 0.5557, -0.5104, 0.191, -1.7488]]}""")))
    @APIResponse(responseCode = "400", description = "A bad domain, physics value or numEnvs (named)")
    @APIResponse(responseCode = "429", description = "Too many open sessions")
    public Response create(CreateRequest request) {
        CreateRequest r = request == null ? new CreateRequest(null, null, null, null, null) : request;
        Domain domain = DomainRequest.domain(r.domain());
        DomainPhysics physics = DomainRequest.physics(domain, r.physics(), r.moveAttachments());
        int numEnvs = Requests.bounded(r.numEnvs(), 1, 1, 64, "numEnvs");
        try {
            EnvSessions.Session s = sessions.create(domain, physics, numEnvs, r.seed() == null ? 0L : r.seed());
            double[][] obs;
            synchronized (s) {
                obs = s.env().reset();
            }
            return Response.status(201).entity(new SessionView(s.id(), domain.wireName(), numEnvs,
                    HalfCheetahEnv.SPEC.obsDim(), HalfCheetahEnv.SPEC.actDim(), obs)).build();
        } catch (EnvSessions.TooManySessionsException e) {
            return Response.status(429).entity(new ApiError(429, e.getMessage())).build();
        }
    }

    @POST
    @Path("/envs/{id}/reset")
    @RequiresApiToken
    @Operation(summary = "Reset every env of the session; returns the first observations")
    @APIResponse(responseCode = "200", description = "One observation of 17 values per env",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Observations.class),
                    examples = @ExampleObject(name = "one env", value = """
                            {"observations": [[-0.0352, -0.0698, 0.0302, -0.0855, 0.0072, -0.0269, -0.0884, 0.0015, 3.075, -0.2654, -1.7206, -1.6371, -0.3019, 1.3074, -1.5048, -1.107, 0.5097]]}""")))
    @APIResponse(responseCode = "404", description = "No session of that id")
    public Observations reset(@Parameter(description = "The session id, from POST /api/v1/envs", example = "0b6e4c1d-8f2a-4a57-b3e9-5c7d1f2a9e40") @PathParam("id") String id) {
        EnvSessions.Session s = session(id);
        synchronized (s) {
            return new Observations(s.env().reset());
        }
    }

    @POST
    @Path("/envs/{id}/step")
    @RequiresApiToken
    @Operation(summary = "Step every env of the session with its action; actions are clipped to [-1, 1]")
    @RequestBody(required = true, description = "One action of 6 values per env",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StepRequest.class),
                    examples = @ExampleObject(name = "one env", value = """
                            {"actions": [[-0.7639, -0.1638, 0.5143, -0.696, -0.0221, -0.9216]]}""")))
    @APIResponse(responseCode = "200", description = "The step's transitions, one row per env (as a TransitionBatch's rows; unstable marks a simulation that diverged and was reset)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StepResult.class),
                    examples = @ExampleObject(name = "one env", value = """
                            {"episodeIds": [0], "stepIndices": [0], "obs": [[-0.0352, -0.0698, 0.0302, -0.0855, 0.0072, -0.0269, -0.0884, 0.0015, 3.075, -0.2654, -1.7206, -1.6371, -0.3019, 1.3074, -1.5048, -1.107, 0.5097]],
                             "act": [[-0.7639, -0.1638, 0.5143, -0.696, -0.0221, -0.9216]], "rew": [-0.4418],
                             "nextObs": [[0.0895, 0.0154, -0.0207, 0.0953, -0.0907, 0.0717, -0.0421, -0.0711, 3.2356, -0.7661, 1.2645, -1.2771, 0.3264, 0.5557, -0.5104, 0.191, -1.7488]], "truncated": [false], "unstable": [false]}""")))
    @APIResponse(responseCode = "400", description = "No actions, or actions of the wrong shape")
    @APIResponse(responseCode = "404", description = "No session of that id")
    public StepResult step(@Parameter(description = "The session id, from POST /api/v1/envs", example = "0b6e4c1d-8f2a-4a57-b3e9-5c7d1f2a9e40") @PathParam("id") String id, StepRequest request) {
        EnvSessions.Session s = session(id);
        if (request == null || request.actions() == null) {
            throw new BadRequestException("a JSON body {\"actions\": [[6 numbers] per env]} is required");
        }
        synchronized (s) {
            try {
                return s.env().step(request.actions());
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(e.getMessage());
            }
        }
    }

    @GET
    @Path("/envs/{id}")
    @Operation(summary = "Describe a session's physics")
    @APIResponse(responseCode = "200", description = "Its factors, gravity vector, timestep, frame skip, body masses and geom half-lengths (example abbreviated: the last two left out)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PhysicsDescription.class),
                    examples = @ExampleObject(name = "gravity x1.5", value = """
                            {"factors": {"gravity": 1.5}, "moveAttachments": false, "gravity": [0.0, 0.0, -14.715], "timestep": 0.01,
                             "frameSkip": 5}""")))
    @APIResponse(responseCode = "404", description = "No session of that id")
    public PhysicsDescription describe(@Parameter(description = "The session id, from POST /api/v1/envs", example = "0b6e4c1d-8f2a-4a57-b3e9-5c7d1f2a9e40") @PathParam("id") String id) {
        EnvSessions.Session s = session(id);
        synchronized (s) {
            HalfCheetahEnv env = s.env();
            return PhysicsDescription.of(env.physics(), env.model());
        }
    }

    @DELETE
    @Path("/envs/{id}")
    @RequiresApiToken
    @Operation(summary = "Close a session and free its environments")
    @APIResponse(responseCode = "204", description = "Closed")
    @APIResponse(responseCode = "404", description = "No session of that id")
    public Response close(@Parameter(description = "The session id, from POST /api/v1/envs", example = "0b6e4c1d-8f2a-4a57-b3e9-5c7d1f2a9e40") @PathParam("id") String id) {
        return sessions.close(id) ? Response.noContent().build()
                : Response.status(404).entity(new ApiError(404, "no environment session '" + id + "'")).build();
    }

    @GET
    @Path("/physics")
    @Operation(summary = "Describe the physics of a real domain given by query parameters, e.g. ?gravity=1.5&torso_length=2",
            description = "Each query parameter is a perturbation kind (GET /api/v1/perturbations) with a number, or "
                    + "moveAttachments=true|false")
    @APIResponse(responseCode = "200", description = "The domain's factors, gravity vector, timestep, frame skip, body masses and geom half-lengths (example abbreviated: the last two left out)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PhysicsDescription.class),
                    examples = @ExampleObject(name = "gravity x1.5", value = """
                            {"factors": {"gravity": 1.5}, "moveAttachments": false, "gravity": [0.0, 0.0, -14.715], "timestep": 0.01,
                             "frameSkip": 5}""")))
    @APIResponse(responseCode = "400", description = "A value that is no number, an unknown kind or a value out of its range")
    public PhysicsDescription physics(@Context UriInfo uri) {
        Map<String, Double> factors = new HashMap<>();
        Boolean moveAttachments = null;
        for (var e : uri.getQueryParameters().entrySet()) {
            String value = e.getValue().get(0);
            if ("moveAttachments".equals(e.getKey())) {
                moveAttachments = Boolean.parseBoolean(value);
                continue;
            }
            try {
                factors.put(e.getKey(), Double.parseDouble(value));
            } catch (NumberFormatException nfe) {
                throw new BadRequestException("'" + e.getKey() + "' must be a number, was '" + value + "'");
            }
        }
        DomainPhysics physics = DomainRequest.physics(Domain.REAL, factors, moveAttachments);
        try (MjModel model = MjModel.compile(HalfCheetahMjcf.write(physics))) {
            return PhysicsDescription.of(physics, model);
        }
    }

    private EnvSessions.Session session(String id) {
        return sessions.get(id).orElseThrow(() -> new jakarta.ws.rs.NotFoundException("no environment session '" + id + "'"));
    }
}

package io.sim2real.env.sessions;

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
    @Operation(summary = "Create a vector of HalfCheetah environments in a domain; returns its first observations")
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
    public Observations reset(@PathParam("id") String id) {
        EnvSessions.Session s = session(id);
        synchronized (s) {
            return new Observations(s.env().reset());
        }
    }

    @POST
    @Path("/envs/{id}/step")
    @RequiresApiToken
    @Operation(summary = "Step every env of the session with its action; actions are clipped to [-1, 1]")
    public StepResult step(@PathParam("id") String id, StepRequest request) {
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
    public PhysicsDescription describe(@PathParam("id") String id) {
        EnvSessions.Session s = session(id);
        synchronized (s) {
            HalfCheetahEnv env = s.env();
            return PhysicsDescription.of(env.physics(), env.model());
        }
    }

    @DELETE
    @Path("/envs/{id}")
    @RequiresApiToken
    public Response close(@PathParam("id") String id) {
        return sessions.close(id) ? Response.noContent().build()
                : Response.status(404).entity(new ApiError(404, "no environment session '" + id + "'")).build();
    }

    @GET
    @Path("/physics")
    @Operation(summary = "Describe the physics of a real domain given by query parameters, e.g. ?gravity=1.5&torso_length=2")
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

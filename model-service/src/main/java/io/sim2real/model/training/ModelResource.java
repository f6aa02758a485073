package io.sim2real.model.training;

import io.sim2real.contracts.Domain;
import io.sim2real.model.probe.GapProbeService;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.service.api.ApiError;
import io.sim2real.service.api.RequiresApiToken;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.TreeMap;

@Path("/api/v1/runs/{runId}")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    @Inject
    ModelTrainer trainer;

    @Inject
    LatentTrainer latentTrainer;

    @Inject
    GapProbeService probe;

    @Inject
    StoreRegistry stores;

    @Inject
    PolicyFeed policies;

    /** The newest policy version model-service holds for the run (it acts in the rollouts). */
    @GET
    @Path("/policy")
    public Response policy(@PathParam("runId") String runId) {
        return policies.latest(runId).map(p -> Response.ok(Map.of("version", p.version())).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no policy for run '" + runId + "'")).build());
    }

    /** The run's dynamics model: version, whether it is training, hold-out error, elites. */
    @GET
    @Path("/model")
    public Response model(@PathParam("runId") String runId) {
        return trainer.status(runId).map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no model for run '" + runId + "'")).build());
    }

    /** The run's latent sim-to-real model: rounds, the last gap measurements and losses, the last error. */
    @GET
    @Path("/latent")
    public Response latent(@PathParam("runId") String runId) {
        return latentTrainer.status(runId).map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no latent model for run '" + runId + "'")).build());
    }

    /**
     * The run's gap probe: its round, the last result of each pairing (G, spread, floor, rows, CPU seconds), the last
     * calibration (discrepancy, classifier KL and AUC, CPU seconds), its counterfactual window (pairs held, batches
     * applied, a checksum of the pairs) and its drift alarm (alarmed, alarmAt in real transitions, source
     * discrepancy or g, the CUSUM statistics, the reference).
     */
    @GET
    @Path("/probe")
    public Response probe(@PathParam("runId") String runId) {
        return probe.status(runId).map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no gap probe for run '" + runId + "'")).build());
    }

    /**
     * Acknowledges the run's drift alarm: the detectors start over and take a new reference from the next pairs (and
     * G values). Returns the drift view after the reset.
     */
    @DELETE
    @Path("/drift")
    @RequiresApiToken
    public Response resetDrift(@PathParam("runId") String runId) {
        return probe.resetDrift(runId).map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no gap probe for run '" + runId + "'")).build());
    }

    /** Transitions held for the run, by domain. */
    @GET
    @Path("/store")
    public Map<String, Integer> store(@PathParam("runId") String runId) {
        Map<String, Integer> out = new TreeMap<>();
        for (Domain d : Domain.values()) {
            stores.find(runId, d).ifPresent(s -> out.put(d.wireName(), s.size()));
        }
        return out;
    }
}

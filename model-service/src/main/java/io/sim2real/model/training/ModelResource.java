package io.sim2real.model.training;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
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
@Tag(name = "model", description = "model-service per run: the policy it rolls out with, its dynamics and latent models, "
        + "the gap probe, its drift alarm and the transitions it holds")
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
    @Operation(summary = "The newest policy version model-service holds for the run (it acts in the rollouts)")
    @APIResponse(responseCode = "200", description = "The version of the newest PolicySnapshot read",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "version 12", value = """
                            {"version": 12}""")))
    @APIResponse(responseCode = "404", description = "No policy snapshot of the run read yet")
    public Response policy(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        return policies.latest(runId).map(p -> Response.ok(Map.of("version", p.version())).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no policy for run '" + runId + "'")).build());
    }

    /** The run's dynamics model: version, whether it is training, hold-out error, elites. */
    @GET
    @Path("/model")
    @Operation(summary = "The run's dynamics ensemble: version, whether it is training, hold-out error, elites")
    @APIResponse(responseCode = "200", description = "The ensemble's status",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ModelTrainer.ModelStatus.class),
                    examples = @ExampleObject(name = "trained", value = """
                            {"runId": "cheetah-robot-01", "version": 5, "training": false, "holdoutMse": 0.0312, "trainNll": -21.4, "elites": [0, 2, 3, 5, 6]}""")))
    @APIResponse(responseCode = "404", description = "No dynamics model for the run (unknown run or a method without one)")
    public Response model(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        return trainer.status(runId).map(s -> Response.ok(s).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no model for run '" + runId + "'")).build());
    }

    /** The run's latent sim-to-real model: rounds, the last gap measurements and losses, the last error. */
    @GET
    @Path("/latent")
    @Operation(summary = "The run's latent sim-to-real model: rounds, the last gap measurements and losses, the last error")
    @APIResponse(responseCode = "200", description = "The latent model's status; measures and losses are null before its first round",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LatentTrainer.LatentStatus.class),
                    examples = @ExampleObject(name = "before the first round", value = """
                            {"runId": "cheetah-robot-01", "method": "latent-sim-init", "version": 0, "training": true, "measures": null, "losses": null, "lastError": null}""")))
    @APIResponse(responseCode = "404", description = "No latent model for the run (unknown run or not a latent method)")
    public Response latent(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
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
    @Operation(summary = "The run's gap probe: its round, last results per pairing, calibration, counterfactual window, drift alarm",
            description = "The last result of each pairing (G, spread, floor, rows, CPU seconds), the last calibration "
                    + "(discrepancy, classifier KL and AUC, CPU seconds), the counterfactual window (pairs held, batches applied, "
                    + "a checksum of the pairs) and the drift alarm (alarmed, alarmAt in real transitions, source, CUSUM "
                    + "statistics, reference). The same values are published as GapMeasurements (docs/CONTRACTS.md 3.4).")
    @APIResponse(responseCode = "200", description = "The probe's status (example abbreviated: window and drift views left out)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = io.sim2real.model.probe.GapProbeService.ProbeStatus.class),
                    examples = @ExampleObject(name = "abbreviated", value = """
                            {"runId": "cheetah-robot-01", "round": 5, "running": false, "measuredUpTo": 24000, "results": [], "calibration": [], "lastError": null}""")))
    @APIResponse(responseCode = "404", description = "No gap probe for the run")
    public Response probe(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
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
    @Operation(summary = "Acknowledge the run's drift alarm: the detectors start over with a new reference from the next pairs",
            description = "Returns the drift view after the reset (drift_alarm publishes 0 from then on until it fires again). "
                    + "Needs the API token when one is configured.")
    @APIResponse(responseCode = "200", description = "The drift view after the reset",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = io.sim2real.model.probe.DriftWatch.View.class),
                    examples = @ExampleObject(name = "after the reset", value = """
                            {"alarmed": false, "alarmAt": null, "source": null, "alarmStatistic": null, "statistic": 0.0, \
                            "gStatistic": 0.0, "pairsSeen": 24000, "unitsFixed": true, "calibrated": false, "mean": null, \
                            "scale": null, "gCalibrated": false, "gValues": 0, "skippedPairs": 0}""")))
    @APIResponse(responseCode = "404", description = "No gap probe for the run")
    public Response resetDrift(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        return probe.resetDrift(runId).map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no gap probe for run '" + runId + "'")).build());
    }

    /** Transitions held for the run, by domain. */
    @GET
    @Path("/store")
    @Operation(summary = "Transitions model-service holds for the run, by domain (domains with none left out)")
    @APIResponse(responseCode = "200", description = "Rows held per domain",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "both domains", value = """
                            {"real": 4000, "sim": 20000}""")))
    public Map<String, Integer> store(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        Map<String, Integer> out = new TreeMap<>();
        for (Domain d : Domain.values()) {
            stores.find(runId, d).ifPresent(s -> out.put(d.wireName(), s.size()));
        }
        return out;
    }
}

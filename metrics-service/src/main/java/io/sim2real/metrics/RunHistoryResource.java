package io.sim2real.metrics;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
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
@Tag(name = "history", description = "What each run's records said, rebuilt from the topics at every start")
public class RunHistoryResource {

    @Inject
    RunMetrics metrics;

    /** The runs with a history (those not aged out). */
    @GET
    @Operation(summary = "The runs with a history (those not aged out)")
    @APIResponse(responseCode = "200", description = "Run ids",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = String.class),
                    examples = @ExampleObject(name = "two runs", value = "[\"cheetah-robot-01\", \"gravity-1.5-sac\"]")))
    public List<String> runs() {
        return metrics.runIds();
    }

    /** One run: transitions per domain, acting policy versions, every evaluation and gap measurement kept. */
    @GET
    @Path("/{runId}")
    @Operation(summary = "One run: transitions per domain, acting policy versions, every evaluation and gap measurement kept")
    @APIResponse(responseCode = "200", description = "The run's history (example abbreviated: no evaluations or gaps yet)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RunHistory.RunView.class),
                    examples = @ExampleObject(name = "collecting", value = """
                            {"runId": "cheetah-robot-01", "firstRecordMs": 1767225600000, "lastRecordMs": 1767225660000,
                             "transitions": {"real": 4000, "sim": 20000}, "actingPolicyVersion": {"real": 12, "sim": 12},
                             "lastTransitionMs": 1767225660000, "evaluationCounts": {}, "evaluations": [], "gaps": []}""")))
    @APIResponse(responseCode = "404", description = "No history for the run")
    public Response run(@Parameter(description = "The run id", example = "cheetah-robot-01") @PathParam("runId") String runId) {
        return metrics.view(runId).map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(404).entity(new ApiError(404, "no history for run '" + runId + "'")).build());
    }
}

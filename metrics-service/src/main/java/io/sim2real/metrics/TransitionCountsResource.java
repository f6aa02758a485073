package io.sim2real.metrics;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

@Path("/api/v1/transitions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "history")
public class TransitionCountsResource {

    @Inject
    RunMetrics metrics;

    /** Transitions received, by run and domain (every record on the topic, read whole at start). */
    @GET
    @Operation(summary = "Transitions received, by run and domain (every record on sim2real.transitions, read whole at start)")
    @APIResponse(responseCode = "200", description = "run id -> domain -> transitions",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "one run", value = "{\"cheetah-robot-01\": {\"real\": 4000, \"sim\": 20000}}")))
    public Map<String, Map<String, Long>> counts() {
        return metrics.transitionCounts();
    }
}

package io.sim2real.env.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.sim2real.contracts.PerturbationKind;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.List;

@Path("/api/v1/perturbations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "physics", description = "Domains, physics and perturbations")
public class PerturbationResource {

    /** A kind of physics change and the values it accepts. */
    public record Kind(String name, double neutral, double min, double max, boolean integral) {
    }

    @GET
    @Operation(summary = "The perturbation kinds a real domain's physics may set (docs/CONTRACTS.md section 4), with their ranges")
    @APIResponse(responseCode = "200", description = "One entry per kind: neutral value, inclusive range, whether whole numbers only",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = Kind.class),
                    examples = @ExampleObject(name = "two kinds", value = """
                            [{"name": "gravity", "neutral": 1.0, "min": 0.0, "max": 10.0, "integral": false},
                             {"name": "action_delay", "neutral": 0.0, "min": 0.0, "max": 10.0, "integral": true}]""")))
    public List<Kind> kinds() {
        return Arrays.stream(PerturbationKind.values())
                .map(k -> new Kind(k.wireName(), k.neutral(), k.min(), k.max(), k.integral()))
                .toList();
    }
}

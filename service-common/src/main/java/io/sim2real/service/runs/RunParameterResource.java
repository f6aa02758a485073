package io.sim2real.service.runs;

import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunParameter;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The run-parameter catalogue with this deployment's defaults: what a client may put in a RunSpec's parameters. */
@Path("/api/v1/run-parameters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs")
public class RunParameterResource {

    /**
     * One parameter: its name, type (whole, number, share, flag), range, the configuration key of its default, and
     * the default this deployment gives it in a run of each method it applies to (lockstep ones: lockstep runs).
     */
    public record ParameterInfo(String name, String type, double min, double max, String scope, String configKey,
                                String description, Map<String, Double> defaults) {
    }

    @Inject
    RunDefaults defaults;

    @GET
    @Operation(summary = "The catalogue of RunSpec parameters (docs/CONTRACTS.md 3.6.1) with this deployment's defaults",
            description = "What a client may put in a RunSpec's parameters: each name, its type (whole, number, share, flag), "
                    + "range, scope, configuration key and the default this deployment gives it in a run of each method it applies to")
    @APIResponse(responseCode = "200", description = "One entry per parameter of io.sim2real.methods.RunParameter",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ParameterInfo.class, type = SchemaType.ARRAY),
                    examples = @ExampleObject(name = "one parameter", value = """
                            [{"name": "updatesPerStep", "type": "number", "min": 0.0, "max": 1000.0, "scope": "policy",
                              "configKey": "sim2real.run.updates-per-step", "description": "G: SAC updates owed per new environment transition of the run's training domains",
                              "defaults": {"sac": 20.0, "mbpo": 20.0}}]""")))
    public List<ParameterInfo> list() {
        List<ParameterInfo> out = new ArrayList<>();
        for (RunParameter p : RunParameter.values()) {
            Map<String, Double> byMethod = new LinkedHashMap<>();
            for (RunSpec.Method m : RunSpec.Method.values()) {
                if (p.appliesTo(m, RunSpec.Mode.LOCKSTEP)) {
                    byMethod.put(m.wireName(), defaults.of(p, m));
                }
            }
            out.add(new ParameterInfo(p.wireName(), p.type().name().toLowerCase(java.util.Locale.ROOT), p.min(), p.max(),
                    p.scope().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), p.configKey(), p.description(),
                    byMethod));
        }
        return out;
    }
}

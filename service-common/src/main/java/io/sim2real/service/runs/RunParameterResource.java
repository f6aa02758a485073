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

/** The run-parameter catalogue with this deployment's defaults: what a client may put in a RunSpec's parameters. */
@Path("/api/v1/run-parameters")
@Produces(MediaType.APPLICATION_JSON)
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
    @Operation(summary = "The catalogue of RunSpec parameters (docs/CONTRACTS.md 3.6.1) with this deployment's defaults")
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

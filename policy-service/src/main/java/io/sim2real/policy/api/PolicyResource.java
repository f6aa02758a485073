package io.sim2real.policy.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.Requests;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Actions from a run's newest published policy, for external agents. */
@Path("/api/v1/act")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "policy", description = "Acting with a run's newest policy")
public class PolicyResource {

    static final int MAX_OBSERVATIONS = 1024;

    /** Observations in, actions out; the mean action unless {@code deterministic} is false. */
    public record ActRequest(String runId, double[][] observations, Boolean deterministic) {
    }

    public record ActResponse(String runId, long policyVersion, double[][] actions) {
    }

    @Inject
    PolicyCache cache;

    @Inject
    EnvSpec spec;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Actions for observations from a run's newest policy snapshot held by this instance",
            description = "Up to 1024 observations of 17 finite values each. deterministic (default true) gives the "
                    + "squashed mean action; false samples from the policy. Actions are in [-1, 1]; policyVersion is the "
                    + "PolicySnapshot.version that chose them.")
    @RequestBody(required = true, description = "The run and its observations",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ActRequest.class),
                    examples = @ExampleObject(name = "one observation", value = """
                            {"runId": "cheetah-robot-01", "deterministic": true,
                             "observations": [[-0.0352, -0.0698, 0.0302, -0.0855, 0.0072, -0.0269, -0.0884, 0.0015, 3.075, -0.2654, -1.7206, -1.6371, -0.3019, 1.3074, -1.5048, -1.107, 0.5097]]}""")))
    @APIResponse(responseCode = "200", description = "One action of 6 values per observation",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ActResponse.class),
                    examples = @ExampleObject(name = "one action", value = """
                            {"runId": "cheetah-robot-01", "policyVersion": 12,
                             "actions": [[-0.7639, -0.1638, 0.5143, -0.696, -0.0221, -0.9216]]}""")))
    @APIResponse(responseCode = "400", description = "No body or observations, a bad run id, more than 1024 observations, "
            + "an observation of the wrong width or with a non-finite value")
    @APIResponse(responseCode = "404", description = "No policy published for the run yet")
    public ActResponse act(ActRequest request) {
        if (request == null || request.observations() == null || request.observations().length == 0) {
            throw new BadRequestException("a JSON body {runId, observations: [[" + spec.obsDim() + " numbers], ...]} is required");
        }
        Requests.runId(request.runId());
        double[][] obs = request.observations();
        if (obs.length > MAX_OBSERVATIONS) {
            throw new BadRequestException("at most " + MAX_OBSERVATIONS + " observations per request, got " + obs.length);
        }
        for (int i = 0; i < obs.length; i++) {
            if (obs[i] == null || obs[i].length != spec.obsDim()) {
                throw new BadRequestException("observation " + i + " must have " + spec.obsDim() + " values");
            }
            for (double v : obs[i]) {
                if (!Double.isFinite(v)) {
                    throw new BadRequestException("observation " + i + " has a non-finite value");
                }
            }
        }
        PolicyCache.Policy policy = cache.latest(request.runId())
                .orElseThrow(() -> new jakarta.ws.rs.NotFoundException("no policy published for run '" + request.runId() + "' yet"));
        boolean deterministic = request.deterministic() == null || request.deterministic();
        return new ActResponse(request.runId(), policy.version(), policy.act(obs, deterministic));
    }
}

package io.sim2real.policy.api;

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

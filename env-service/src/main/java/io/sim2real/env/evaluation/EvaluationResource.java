package io.sim2real.env.evaluation;

import io.sim2real.training.acting.BehaviourPolicies;
import io.sim2real.training.acting.BehaviourPolicy;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.env.api.DomainRequest;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.RequiresApiToken;
import io.sim2real.service.api.Requests;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Evaluation on request: whole episodes in the sim domain and in a perturbed real domain, published. */
@Path("/api/v1/evaluations")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {

    /** What to evaluate: a behaviour policy, in sim and (when realPhysics is given) in that real domain. */
    public record EvaluationRequest(String runId, String policy, Map<String, Double> realPhysics, Integer episodes,
                                    Long seed, Long envStep) {
    }

    @Inject
    EnvSpec spec;

    @Inject
    io.sim2real.env.acting.PolicyStore policies;

    @Inject
    EvaluationPublisher publisher;

    @ConfigProperty(name = "sim2real.env.physics-threads", defaultValue = "2")
    int physicsThreads;

    @POST
    @RequiresApiToken
    @Operation(summary = "Evaluate a behaviour policy over whole episodes in sim and a real domain; results are published")
    public List<EvaluationResult> evaluate(EvaluationRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body with at least a runId is required");
        }
        Requests.runId(request.runId());
        int episodes = Requests.bounded(request.episodes(), 5, 1, 100, "episodes");
        long seed = request.seed() == null ? 0L : request.seed();
        long envStep = Requests.bounded(request.envStep(), 0L, 0L, Long.MAX_VALUE, "envStep");
        List<DomainPhysics> domains = new ArrayList<>();
        domains.add(DomainPhysics.neutral());
        if (request.realPhysics() != null) {
            domains.add(DomainRequest.physics(Domain.REAL, request.realPhysics(), null));
        }
        List<EvaluationResult> results = new ArrayList<>();
        for (int d = 0; d < domains.size(); d++) {
            BehaviourPolicy policy;
            try {
                policy = BehaviourPolicies.create(request.policy(), spec, seed, policies.latest(request.runId()), true);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(e.getMessage());
            }
            Domain domain = d == 0 ? Domain.SIM : Domain.REAL;
            EvaluationResult result = Evaluator.evaluate(request.runId(), domain, domains.get(d), policy,
                    !"random".equals(policy.name()), episodes, seed, envStep, physicsThreads);
            // a snapshot policy acts on its mean here: deterministic, as evaluation should be
            publisher.publish(result);
            results.add(result);
        }
        return results;
    }
}

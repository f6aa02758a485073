package io.sim2real.env.evaluation;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.sim2real.training.acting.BehaviourPolicies;
import io.sim2real.training.acting.BehaviourPolicy;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.env.api.DomainRequest;
import io.sim2real.training.evaluation.Evaluator;
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
@Tag(name = "evaluations", description = "Evaluating a policy over whole episodes; results published on sim2real.evaluations")
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
    @Operation(summary = "Evaluate a behaviour policy over whole episodes in sim and a real domain; results are published",
            description = "Synchronous: answers when the episodes are done, with the EvaluationResults it also published on "
                    + "sim2real.evaluations (docs/CONTRACTS.md 3.5). Always the sim domain, and the real domain when realPhysics "
                    + "is given. policy: random, scripted or snapshot (the run's newest snapshot held, acting on its mean). "
                    + "episodes 1..100 (default 5), seed default 0, envStep (default 0) is copied into the results: pass the "
                    + "PolicySnapshot's envStep. Needs the API token when one is configured.")
    @RequestBody(required = true, description = "What to evaluate",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EvaluationRequest.class),
                    examples = @ExampleObject(name = "newest snapshot, gravity x1.5", value = """
                            {"runId": "cheetah-robot-01", "policy": "snapshot", "realPhysics": {"gravity": 1.5},
                             "episodes": 2, "seed": 1000, "envStep": 24000}""")))
    @APIResponse(responseCode = "200", description = "One EvaluationResult per domain, sim first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = EvaluationResult.class),
                    examples = @ExampleObject(name = "sim and real", value = """
                            [{"schemaVersion": 1, "runId": "cheetah-robot-01", "domain": "sim", "policyVersion": 12,
                              "envStep": 24000, "deterministic": true, "seeds": [1000, 1001], "returns": [4210.0, 4188.5],
                              "lengths": [1000, 1000]},
                             {"schemaVersion": 1, "runId": "cheetah-robot-01", "domain": "real", "policyVersion": 12,
                              "envStep": 24000, "deterministic": true, "seeds": [1000, 1001], "returns": [4012.5, 3987.25],
                              "lengths": [1000, 1000]}]""")))
    @APIResponse(responseCode = "400", description = "A bad field (named): run id, episodes, envStep, physics or policy "
            + "(e.g. snapshot before the run has one)")
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

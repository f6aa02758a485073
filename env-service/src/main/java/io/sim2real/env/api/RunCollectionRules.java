package io.sim2real.env.api;

import io.sim2real.contracts.Domain;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.runs.RunRegistry;
import java.util.Optional;

/**
 * What a collection of a defined run may ask: the run's definition decides its physics and fills in what the request
 * leaves out, and a request that contradicts it is refused naming the field. A real-domain collection names no
 * physics (it then follows the run's real domain and its schedule) or exactly the run's base factors; a sim one is
 * the unperturbed simulator; no collection asks for more env steps than the run's {@code envSteps}, which it gets
 * when it names none; without a seed it takes the run's, derived for its domain (RunSeeds, stream COLLECTION: 0 sim,
 * 1 real). A collection of a run whose definition was refused is refused with that reason. Collections that name
 * no defined run (datasets, evaluations by hand) keep the request's values and the defaults.
 */
public final class RunCollectionRules {

    /** What a request asks once its run's definition has filled it in. */
    public record Settled(long envSteps, long seed) {
    }

    private RunCollectionRules() {
    }

    public static Settled settle(RunRegistry runs, String runId, Domain domain, DomainPhysics physics, boolean physicsNamed,
                                 Long envSteps, long defaultEnvSteps, Long seed) {
        Optional<RunSettings> run = runs.settings(runId);
        if (run.isEmpty()) {
            Optional<RunRegistry.Refusal> refused = runs.refusal(runId);
            if (refused.isPresent()) {
                throw new BadRequestException("run '" + runId + "' has no accepted definition: " + refused.get().reason());
            }
            return new Settled(envSteps == null ? defaultEnvSteps : envSteps, seed == null ? 0L : seed);
        }
        RunSettings r = run.get();
        if (domain == Domain.REAL && physicsNamed) {
            DomainPhysics base = DomainPhysics.of(r.spec().realDomain().factors());
            if (!physics.changed().equals(base.changed())) {
                throw new BadRequestException("field 'physics' is " + physics.changed() + ", but run '" + runId
                        + "' defines its real domain as " + base.changed() + " (realDomain.factors): name none to follow the run");
            }
        }
        long runSteps = r.spec().envSteps();
        if (envSteps != null && envSteps > runSteps) {
            throw new BadRequestException("field 'envSteps' is " + envSteps + ", more than run '" + runId + "' has ("
                    + runSteps + ", its envSteps)");
        }
        long derived = r.seeds().of(RunSeeds.Stream.COLLECTION, domain == Domain.SIM ? 0 : 1);
        return new Settled(envSteps == null ? runSteps : envSteps, seed == null ? derived : seed);
    }
}

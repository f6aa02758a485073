package io.sim2real.env.api;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RunSpec;
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
 * no defined run (datasets, evaluations by hand) keep the request's values and the defaults. A run whose real data is a
 * dataset or an external stream ({@code realDomain.source}) has no real-domain collection: its dataset is replayed
 * ({@link #replay}), its stream published by its bridge.
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
        RunSpec.RealSource.Kind source = r.spec().realDomain().sourceKind();
        if (domain == Domain.REAL && source != RunSpec.RealSource.Kind.EMULATED) {
            throw new BadRequestException("field 'domain' is real, but run '" + runId + "' takes its real transitions from "
                    + (source == RunSpec.RealSource.Kind.DATASET ? "dataset '" + r.spec().realDomain().source().dataset()
                    + "' (realDomain.source): replay it for the run (POST /api/v1/datasets/"
                    + r.spec().realDomain().source().dataset() + "/replay)" : "an external stream (realDomain.source)")
                    + ", not from an emulated domain");
        }
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

    /**
     * Whether dataset {@code name} (its header's checksum {@code sha256}) may be replayed as run {@code runId}'s real
     * transitions: a run that names its real source must name this dataset with this checksum; a run without a source,
     * or no defined run, takes any.
     *
     * @throws BadRequestException naming the field the replay contradicts
     */
    public static void replay(RunRegistry runs, String runId, String name, String sha256) {
        Optional<RunSettings> run = runs.settings(runId);
        if (run.isEmpty() || run.get().spec().realDomain().source() == null) {
            return;
        }
        RunSpec.DomainSpec real = run.get().spec().realDomain();
        if (real.sourceKind() != RunSpec.RealSource.Kind.DATASET) {
            throw new BadRequestException("run '" + runId + "' takes its real transitions from " + real.sourceKind().wireName()
                    + " (field 'realDomain.source.kind'), not from a dataset");
        }
        if (!real.source().dataset().equals(name)) {
            throw new BadRequestException("run '" + runId + "' takes its real transitions from dataset '"
                    + real.source().dataset() + "' (field 'realDomain.source.dataset'), not '" + name + "'");
        }
        if (!real.source().sha256().equals(sha256)) {
            throw new BadRequestException("dataset '" + name + "' has SHA-256 " + sha256 + ", but run '" + runId
                    + "' names " + real.source().sha256() + " (field 'realDomain.source.sha256')");
        }
    }
}

package io.sim2real.training.acting;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.RunSpec.DomainSpec;
import io.sim2real.contracts.messages.RunSpec.DomainSpec.PhysicsChange;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The physics of a collection that emulates its run's real domain ({@code RunSpec.realDomain}), with the domain's
 * {@code schedule} of changes (a drift: a payload added, a joint wearing). The schedule counts real env steps: the
 * run's real-domain transitions collected before a step. A collection counts them as {@code realStepOffset} (the
 * run's real transitions this process had published when the collection was accepted: earlier real collections and
 * dataset replays) plus its own transitions; so one real collection per run sees the schedule at its own counts,
 * and real collections one after another go on where the earlier ones stopped. Two real collections of one run at
 * the same time each count their own transitions from the same offset (each sees every change at its own count).
 *
 * @param factors         the run's real-domain base factors when the collection was accepted
 * @param changes         its schedule then (empty: none)
 * @param realStepOffset  real env steps before the collection's first transition
 * @param moveAttachments the request's choice for length perturbations, null for DomainPhysics' default
 */
public record PhysicsSchedule(Map<String, Double> factors, List<PhysicsChange> changes, long realStepOffset,
                              Boolean moveAttachments) {

    public PhysicsSchedule {
        factors = Map.copyOf(factors);
        changes = changes == null ? List.of() : List.copyOf(changes);
        if (realStepOffset < 0) {
            throw new IllegalArgumentException("realStepOffset must be >= 0, got " + realStepOffset);
        }
    }

    /**
     * The schedule a collection follows, or empty when it keeps the physics it asked for: a collection follows its
     * run's real domain when it collects the real domain of a defined run and names no physics
     * ({@code requested} null) or exactly the run's base factors.
     */
    public static Optional<PhysicsSchedule> of(Optional<RunSpec> run, Domain domain, Map<String, Double> requested,
                                               Boolean moveAttachments, long realStepOffset) {
        if (domain != Domain.REAL || run.isEmpty()) {
            return Optional.empty();
        }
        DomainSpec real = run.get().realDomain();
        if (requested != null && !DomainPhysics.of(requested).changed().equals(DomainPhysics.of(real.factors()).changed())) {
            return Optional.empty();
        }
        return Optional.of(new PhysicsSchedule(real.factors(), real.schedule(), realStepOffset, moveAttachments));
    }

    /** The same physics, counted from another real env step. */
    public PhysicsSchedule withRealStepOffset(long offset) {
        return new PhysicsSchedule(factors, changes, offset, moveAttachments);
    }

    /** The physics in force at the collection's transition {@code collected} (0 for its first). */
    public DomainPhysics physicsAt(long collected) {
        DomainPhysics p = DomainPhysics.of(new DomainSpec("real", factors, changes).factorsAt(realStepOffset + collected));
        return moveAttachments == null ? p : p.withMoveAttachments(moveAttachments);
    }

    /** The collection's first transition count after {@code collected} at which the physics change; MAX_VALUE if none. */
    public long nextChange(long collected) {
        long real = realStepOffset + collected;
        for (PhysicsChange c : changes) {
            if (c.fromEnvStep() > real) {
                return c.fromEnvStep() - realStepOffset;
            }
        }
        return Long.MAX_VALUE;
    }
}

package io.sim2real.env.acting;

import io.sim2real.contracts.Domain;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a collection of a lockstep run acts: in chunks, each with a policy that has trained on every transition
 * the run has published before it.
 *
 * <p>A collection with policy {@code snapshot} of a run whose mode is {@code lockstep}, in one of the run's
 * training domains, acts in chunks of {@code chunk} env steps. If the run has no snapshot when the collection
 * starts, or only one trained on the run's other domains (offline real data published before the sim collection),
 * its first {@code initialRandomSteps} env steps take uniform random actions (MBPO's initial exploration; it must
 * reach policy-service's {@code min-transitions}, or no policy is ever trained). Before
 * every later chunk the collection waits until env-service holds a snapshot of the run whose {@code envStep}
 * (the transitions of the run's training domains the learner had consumed, and paid every update for) is at
 * least {@link #target}, then acts with that newest snapshot. Waiting longer than {@code timeout} fails the
 * collection.
 *
 * <p>Collections of async runs, of unknown runs, with other policies or in a domain the run does not train on
 * (whose data the learner never sees) act as before: straight through with the snapshot held at the start.
 *
 * @param chunk              env steps between waits (run parameter {@code lockstepChunk})
 * @param initialRandomSteps random env steps before the first wait when the run has no snapshot yet (or one
 *                           trained on other domains only) ({@code initialRandomSteps})
 * @param timeout            longest wait for one snapshot ({@code lockstepTimeoutSeconds})
 * @param trainingDomains    the domains whose transitions the learner counts in {@code envStep} (sim alone for a run on
 *                           sim and a real dataset)
 */
public record Lockstep(long chunk, long initialRandomSteps, Duration timeout, List<Domain> trainingDomains) {

    /**
     * The lockstep settings of a collection, from its run's effective settings, or empty when it acts asynchronously.
     *
     * @throws IllegalArgumentException for a lockstep run that trains no policy (gap-only)
     */
    public static Optional<Lockstep> of(Optional<RunSettings> run, String policy, Domain domain) {
        if (run.isEmpty() || !run.get().lockstep() || !"snapshot".equals(policy)
                || !run.get().trainingDomains().contains(domain)) {
            return Optional.empty();
        }
        RunSettings r = run.get();
        if (!r.traits().trainsPolicy()) {
            throw new IllegalArgumentException("run '" + r.runId() + "' is " + r.method().wireName() + " and trains no "
                    + "policy: a lockstep collection with policy 'snapshot' would wait for one forever");
        }
        return Optional.of(new Lockstep(r.whole(RunParameter.LOCKSTEP_CHUNK), r.whole(RunParameter.INITIAL_RANDOM_STEPS),
                Duration.ofMillis(Math.round(1000 * r.number(RunParameter.LOCKSTEP_TIMEOUT_SECONDS))),
                // A run on sim and a real dataset counts its sim transitions only (LockstepSchedule): so do its waits.
                r.lockstepSchedule().map(s -> s.hasDataset() ? List.of(r.lockstepDomain()) : List.copyOf(r.trainingDomains()))
                        .orElse(List.copyOf(r.trainingDomains()))));
    }

    /**
     * The envStep a snapshot needs before the collection acts again: the run's training-domain transitions known
     * to have been published, a lower bound of what the learner will have consumed once it has read them all.
     * {@code publishedNow} and {@code publishedAtStart} are this process's counts now and when the collection
     * started; {@code snapshotEnvStepAtStart} (0 without a snapshot) covers what was published before this
     * process started (after a restart), which this process did not count.
     */
    public static long target(long publishedNow, long publishedAtStart, long snapshotEnvStepAtStart) {
        return Math.max(0, snapshotEnvStepAtStart - publishedAtStart) + publishedNow;
    }
}

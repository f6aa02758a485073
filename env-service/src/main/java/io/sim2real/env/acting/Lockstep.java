package io.sim2real.env.acting;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RunSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * @param chunk              env steps between waits ({@code sim2real.env.lockstep-chunk}; RunSpec parameter
 *                           {@code lockstepChunk})
 * @param initialRandomSteps random env steps before the first wait when the run has no snapshot yet (or one
 *                           trained on other domains only)
 *                           ({@code sim2real.env.lockstep-initial-random-steps}; {@code initialRandomSteps})
 * @param timeout            longest wait for one snapshot ({@code sim2real.env.lockstep-timeout};
 *                           {@code lockstepTimeoutSeconds})
 * @param trainingDomains    the domains whose transitions the learner counts in {@code envStep}
 */
public record Lockstep(long chunk, long initialRandomSteps, Duration timeout, List<Domain> trainingDomains) {

    public static final String CHUNK = "lockstepChunk";
    public static final String INITIAL_RANDOM_STEPS = "initialRandomSteps";
    public static final String TIMEOUT_SECONDS = "lockstepTimeoutSeconds";

    /**
     * The lockstep settings of a collection, or empty when it acts asynchronously.
     *
     * @throws IllegalArgumentException for a run that trains no policy, or a lockstep parameter out of range
     */
    public static Optional<Lockstep> of(Optional<RunSpec> run, String policy, Domain domain, long defaultChunk,
                                        long defaultInitialRandomSteps, Duration defaultTimeout) {
        if (run.isEmpty() || run.get().mode() != RunSpec.Mode.LOCKSTEP || !"snapshot".equals(policy)
                || !run.get().trainingDomains().contains(domain)) {
            return Optional.empty();
        }
        RunSpec r = run.get();
        if (r.method() == RunSpec.Method.GAP_ONLY) {
            throw new IllegalArgumentException("run '" + r.runId() + "' is gap-only and trains no policy: a lockstep"
                    + " collection with policy 'snapshot' would wait for one forever");
        }
        Map<String, Double> p = r.parameters() == null ? Map.of() : r.parameters();
        long chunk = whole(p, CHUNK, defaultChunk, 1);
        long initial = whole(p, INITIAL_RANDOM_STEPS, defaultInitialRandomSteps, 0);
        Duration timeout = p.containsKey(TIMEOUT_SECONDS)
                ? Duration.ofMillis(Math.round(1000 * positive(p.get(TIMEOUT_SECONDS), TIMEOUT_SECONDS)))
                : defaultTimeout;
        return Optional.of(new Lockstep(chunk, initial, timeout, List.copyOf(r.trainingDomains())));
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

    private static long whole(Map<String, Double> p, String name, long fallback, long min) {
        Double v = p.get(name);
        if (v == null) {
            return fallback;
        }
        if (v != Math.rint(v) || v < min) {
            throw new IllegalArgumentException("run parameter '" + name + "' is " + v + ", must be a whole number >= " + min);
        }
        return v.longValue();
    }

    private static double positive(double v, String name) {
        if (!(v > 0)) {
            throw new IllegalArgumentException("run parameter '" + name + "' is " + v + ", must be > 0");
        }
        return v;
    }
}

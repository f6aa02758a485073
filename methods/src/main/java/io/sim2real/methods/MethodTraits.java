package io.sim2real.methods;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RunSpec.Method;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * What each method of METHOD.md uses: the one place that says so. Services, the in-process runner and the sweeps ask
 * these traits instead of listing methods.
 *
 * @param model           the model the method trains: none (SAC), a dynamics ensemble (MBPO), or the latent model
 * @param trainsPolicy    whether SAC learns a policy (every method but gap-only)
 * @param trainingDomains the domains whose transitions the method trains on, exactly
 * @param ensembleDomains for {@link Model#ENSEMBLE}: the domains whose transitions the ensemble is fitted to
 *
 * <p>Where rollouts start is not a trait: every method whose model sees both domains (mbpo on both, mbpo-mixed, latent-*)
 * starts the run's {@code realStartShare} of them from real states, the rest from sim states (RunParameter).
 */
public record MethodTraits(Model model, boolean trainsPolicy, Set<Domain> trainingDomains, Set<Domain> ensembleDomains) {

    /** The model a method trains. */
    public enum Model {
        NONE, ENSEMBLE, LATENT
    }

    private static final Set<Domain> SIM = Set.of(Domain.SIM);
    private static final Set<Domain> BOTH = Set.of(Domain.SIM, Domain.REAL);
    private static final Map<Method, MethodTraits> TRAITS = new EnumMap<>(Map.of(
            Method.SAC, new MethodTraits(Model.NONE, true, null, Set.of()),
            Method.MBPO, new MethodTraits(Model.ENSEMBLE, true, null, null),
            Method.MBPO_SIM_ONLY, new MethodTraits(Model.ENSEMBLE, true, SIM, SIM),
            Method.MBPO_MIXED, new MethodTraits(Model.ENSEMBLE, true, BOTH, BOTH),
            Method.LATENT_SIM_INIT, new MethodTraits(Model.LATENT, true, BOTH, Set.of()),
            Method.LATENT_REAL_INIT, new MethodTraits(Model.LATENT, true, BOTH, Set.of()),
            Method.LATENT_RANDOM_INIT, new MethodTraits(Model.LATENT, true, BOTH, Set.of()),
            Method.GAP_ONLY, new MethodTraits(Model.LATENT, false, BOTH, Set.of())));

    /**
     * The traits of a method. SAC and MBPO train on whatever domains the run names ({@code trainingDomains} and
     * {@code ensembleDomains} null here: the run's own); the others fix them.
     */
    public static MethodTraits of(Method method) {
        return TRAITS.get(method);
    }

    /** Whether the method trains a model and its learner mixes model rollouts into SAC's batches. */
    public boolean rollsOut() {
        return trainsPolicy && model != Model.NONE;
    }

    /** Whether the method needs transitions of the real domain (a dataset, an emulated domain or a robot). */
    public boolean usesRealData() {
        return trainingDomains != null && trainingDomains.contains(Domain.REAL);
    }
}

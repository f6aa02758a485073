package io.sim2real.training.model;

import io.sim2real.contracts.Domain;
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSettings;

/**
 * When a run's next model round is due, from its settings at that moment. A dynamics ensemble (MBPO methods): after
 * {@code trainEvery} new transitions of the domains it is fitted to, once they hold {@code modelMinTransitions}. A
 * latent model: its first round once each domain holds {@code latentMinTransitions}, then after
 * {@code latentTrainEvery} new transitions of either domain. The transitions that arrive while a round trains count
 * towards the next one.
 */
public final class RoundRule {

    private RoundRule() {
    }

    /** Whether the transitions of domain d count towards a run's next round. */
    public static boolean counts(RunSettings settings, Domain d) {
        return switch (settings.traits().model()) {
            case NONE -> false;
            case ENSEMBLE -> settings.ensembleDomains().contains(d);
            case LATENT -> true;
        };
    }

    /**
     * Whether a round is due.
     *
     * @param roundsDone rounds the run's model has finished
     * @param since      counted transitions ({@link #counts}) since the last round started (or since the run began)
     * @param sim        sim transitions held
     * @param real       real transitions held
     */
    public static boolean due(RunSettings settings, long roundsDone, long since, long sim, long real) {
        MethodTraits traits = settings.traits();
        return switch (traits.model()) {
            case NONE -> false;
            case ENSEMBLE -> {
                long held = (settings.ensembleDomains().contains(Domain.SIM) ? sim : 0)
                        + (settings.ensembleDomains().contains(Domain.REAL) ? real : 0);
                yield since >= settings.whole(RunParameter.TRAIN_EVERY)
                        && held >= settings.whole(RunParameter.MODEL_MIN_TRANSITIONS);
            }
            case LATENT -> {
                long min = settings.whole(RunParameter.LATENT_MIN_TRANSITIONS);
                yield sim >= min && real >= min
                        && (roundsDone == 0 || since >= settings.whole(RunParameter.LATENT_TRAIN_EVERY));
            }
        };
    }
}

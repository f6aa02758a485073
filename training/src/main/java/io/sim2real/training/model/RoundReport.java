package io.sim2real.training.model;

import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.latent.GapAnalysis;
import io.sim2real.nn.latent.LatentModel;
import java.util.List;
import java.util.Locale;

/**
 * What a model round found.
 *
 * @param round      the round (1, 2, ...): the version of the model it made
 * @param rows       transitions it trained on (both domains' for the latent model)
 * @param ensemble   the dynamics ensemble's training this round: the MBPO ensemble, or a latent run's sim ensemble at
 *                   its first round; null when none was trained
 * @param jointSteps joint steps of the latent model (0 for an ensemble round)
 * @param firstLosses the latent model's joint loss at the round's first step (null without joint steps)
 * @param lastLosses  ... at its last step
 * @param measures   the latent model's gap measures after the round (null for an ensemble round)
 * @param notes      settings the round could not apply, with the reason (empty when all took effect)
 * @param seconds    the round's wall time
 */
public record RoundReport(long round, int rows, DynamicsModel.TrainingReport ensemble, int jointSteps,
                          LatentModel.Losses firstLosses, LatentModel.Losses lastLosses, GapAnalysis.Measures measures,
                          List<String> notes, double seconds) {

    public RoundReport {
        notes = List.copyOf(notes);
    }

    /** One line for a log. */
    public String summary() {
        if (measures == null) {
            return String.format(Locale.ROOT, "ensemble on %d transitions, %d epochs, hold-out MSE %.4f", rows,
                    ensemble.epochs(), ensemble.eliteHoldoutMse());
        }
        String loss = firstLosses == null ? "no loss" : String.format(Locale.ROOT, "loss %.3f -> %.3f", firstLosses.total(),
                lastLosses.total());
        return String.format(Locale.ROOT, "latent %d joint steps, %s, G %.4f, KL ratio %.1f", jointSteps, loss,
                measures.mappingDistance(), measures.klRatio());
    }
}

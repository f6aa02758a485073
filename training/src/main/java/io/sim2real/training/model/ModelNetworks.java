package io.sim2real.training.model;

import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.Activation;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.latent.LatentConfig;

/**
 * The sizes of a run's networks, which are not run parameters: they come from the caller (model-service's
 * {@code sim2real.model.*}, the command line's options). Everything a round does with them comes from the run's
 * settings.
 *
 * @param members            members of a dynamics ensemble
 * @param elites             its elites
 * @param hidden             its hidden layers
 * @param threads            members trained at once
 * @param latentHidden       hidden layers of the latent model's encoders, decoders and mapping
 * @param latentBatchSize    transitions of each domain per joint step
 * @param latentLearningRate Adam's learning rate in joint training
 */
public record ModelNetworks(int members, int elites, int[] hidden, int threads, int[] latentHidden, int latentBatchSize,
                            double latentLearningRate) {

    public ModelNetworks {
        hidden = hidden.clone();
        latentHidden = latentHidden.clone();
        if (members < 1 || elites < 1 || elites > members || threads < 1 || latentBatchSize < 1
                || !(latentLearningRate > 0) || hidden.length == 0 || latentHidden.length == 0) {
            throw new IllegalArgumentException("need 1 <= elites <= members, threads >= 1, latent batch >= 1, a positive "
                    + "learning rate and at least one hidden layer each");
        }
    }

    /** MBPO's HalfCheetah ensemble (7 members, 5 elites, 4 x 200) and the latent model's defaults (2 x 200, 256, 1e-3). */
    public static ModelNetworks standard() {
        return new ModelNetworks(7, 5, new int[] {200, 200, 200, 200}, 1, new int[] {200, 200}, 256, 1e-3);
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public int[] latentHidden() {
        return latentHidden.clone();
    }

    /** A dynamics ensemble of these sizes, trained at most {@code maxEpochs} epochs a round. */
    public EnsembleConfig ensemble(long seed, int maxEpochs) {
        return EnsembleConfig.mbpo(seed).withSize(members, elites, hidden).withEpochs(maxEpochs).withThreads(threads);
    }

    /** The latent model of a run: these sizes, the run's loss weights (the anchor's too) and whether the sim autoencoder trains. */
    public LatentConfig latent(RunSettings settings, long seed) {
        return new LatentConfig(latentHidden, Activation.SILU, latentLearningRate, 2.5e-5,
                settings.number(RunParameter.LAMBDA_AE), settings.number(RunParameter.LAMBDA_DEC),
                settings.number(RunParameter.LAMBDA_CORR), settings.number(RunParameter.LAMBDA_ANCHOR), latentBatchSize, seed,
                settings.flag(RunParameter.TRAIN_SIM_AUTOENCODER));
    }
}

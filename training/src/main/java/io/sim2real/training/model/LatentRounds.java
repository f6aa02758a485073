package io.sim2real.training.model;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.RolloutModel;
import io.sim2real.nn.latent.GapAnalysis;
import io.sim2real.nn.latent.LatentConfig;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.nn.latent.Transitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * The latent sim-to-real model's rounds (latent-sim-init, latent-real-init, latent-random-init, gap-only). The first
 * round fits a dynamics ensemble to the sim transitions (seeded from {@code ENSEMBLE}) and creates the latent model
 * with the method's initialisation: from that ensemble (sim-init, gap-only), from an ensemble fitted here to the real
 * transitions (real-init) or random (random-init), the latter two seeded from {@code ENSEMBLE} index 1, its networks
 * from {@code LATENT} index 0, with the run's loss weights (the anchor's {@code lambdaAnchor} included) and
 * {@code trainSimAutoencoder}. Every round then trains it
 * jointly on both domains for {@code jointSteps} steps (stopping as diverged beyond {@code divergenceFactor} times the
 * first loss) and measures the gap ({@link GapAnalysis#measure}) against the sim ensemble.
 *
 * <p>The sim ensemble is trained once, at the first round, and never again: the latent model's dynamics is a copy
 * that joint training goes on changing, so retraining the ensemble would change only the measures' one-step error
 * and disagreement of the sim model on real data, at an ensemble fit's cost every round. Rollouts: a share
 * {@code realStartShare} (rounded) of them start from real states, the rest from sim states, in latent space, each
 * domain decoded by its own decoder.
 *
 * <p>The loss weights and {@code trainSimAutoencoder} are the latent model's from its creation: a run whose settings
 * change them later is trained on with the first values, and the round says so in its {@link RoundReport#notes()}.
 * {@code maxEpochs} matters only for the ensembles fitted at the first round.
 */
public final class LatentRounds extends ModelRounds {

    static final String SIM_CHECKPOINT = "sim-dynamics.ckpt";
    static final String LATENT_CHECKPOINT = "latent.ckpt";

    private final LatentModel.Init init;
    private final boolean sampledRollouts;
    private DynamicsModel simModel;
    private LatentModel model;

    LatentRounds(EnvSpec spec, ModelNetworks networks, RunSeeds seeds, RunSpec.Method method, boolean sampledRollouts) {
        super(spec, networks, seeds);
        this.init = switch (method) {
            case LATENT_REAL_INIT -> LatentModel.Init.REAL;
            case LATENT_RANDOM_INIT -> LatentModel.Init.RANDOM;
            default -> LatentModel.Init.SIM;
        };
        this.sampledRollouts = sampledRollouts;
    }

    @Override
    public RoundReport train(long round, RoundData data, RunSettings settings) {
        long start = System.nanoTime();
        Transitions sim = data.sim();
        Transitions real = data.real();
        if (sim.size() < 2 || real.size() < 2) {
            throw new IllegalStateException("a latent round needs at least 2 transitions of each domain, got " + sim.size()
                    + " sim and " + real.size() + " real");
        }
        DynamicsModel.TrainingReport simReport = null;
        List<String> notes = new ArrayList<>();
        if (model == null) {
            int maxEpochs = settings.integer(RunParameter.MAX_EPOCHS);
            DynamicsModel fitted = new DynamicsModel(spec.obsDim(), spec.actDim(),
                    networks.ensemble(seeds.of(RunSeeds.Stream.ENSEMBLE), maxEpochs));
            simReport = fitted.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
            simModel = fitted;
            model = LatentModel.create(init, simModel, sim, real, networks.ensemble(seeds.of(RunSeeds.Stream.ENSEMBLE, 1),
                    maxEpochs), latentConfig(settings));
        } else {
            notes.addAll(unapplied(model.config(), latentConfig(settings)));
        }
        int steps = settings.integer(RunParameter.JOINT_STEPS);
        SplittableRandom rng = new SplittableRandom(seeds.of(RunSeeds.Stream.LATENT, round));
        LatentModel.Losses[] losses = GapAnalysis.trainJointly(model, sim, real, steps, rng,
                settings.number(RunParameter.DIVERGENCE_FACTOR));
        GapAnalysis.Measures measures = GapAnalysis.measure(model, simModel, sim, real, rng.nextLong());
        return new RoundReport(round, sim.size() + real.size(), simReport, steps, losses[0], losses[1], measures, notes,
                (System.nanoTime() - start) / 1e9);
    }

    private LatentConfig latentConfig(RunSettings settings) {
        return networks.latent(settings, seeds.of(RunSeeds.Stream.LATENT));
    }

    /** The settings of {@code wanted} that differ from the model's own. */
    private static List<String> unapplied(LatentConfig own, LatentConfig wanted) {
        List<String> out = new ArrayList<>();
        double[] a = {own.lambdaAe(), own.lambdaDec(), own.lambdaCorr(), own.lambdaAnchor(), own.trainSimAutoencoder() ? 1 : 0};
        double[] b = {wanted.lambdaAe(), wanted.lambdaDec(), wanted.lambdaCorr(), wanted.lambdaAnchor(),
                wanted.trainSimAutoencoder() ? 1 : 0};
        String[] names = {"lambdaAe", "lambdaDec", "lambdaCorr", "lambdaAnchor", "trainSimAutoencoder"};
        for (int i = 0; i < names.length; i++) {
            if (a[i] != b[i]) {
                out.add(String.format(Locale.ROOT, "%s is %s in the run's settings but %s in its latent model, fixed when "
                        + "the model was created", names[i], b[i], a[i]));
            }
        }
        return out;
    }

    @Override
    public boolean trained() {
        return model != null;
    }

    /** The latent model (null before its first round). */
    public LatentModel model() {
        return model;
    }

    /** The sim ensemble the latent model's gap is measured against (null before its first round). */
    public DynamicsModel simModel() {
        return simModel;
    }

    @Override
    public void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng, double[][] next,
                        double[] rew) {
        model.step(d, obs, act, obs.length, !sampled, rng, next, rew);
    }

    @Override
    int startsIn(Domain d, int count, RoundData data, RunSettings settings) {
        int fromReal = realStarts(count, settings);
        return d == Domain.REAL ? fromReal : count - fromReal;
    }

    @Override
    RolloutModel rolloutModel(Domain d) {
        return model.rolloutModel(d, sampledRollouts);
    }

    @Override
    boolean latent() {
        return true;
    }

    @Override
    public void save(Path folder, long version) throws IOException {
        simModel.save(folder.resolve(SIM_CHECKPOINT), version);
        model.save(folder.resolve(LATENT_CHECKPOINT), version);
    }

    @Override
    public OptionalLong restore(Path folder, RoundData data, RunSettings settings) {
        Path simFile = folder.resolve(SIM_CHECKPOINT);
        Path latentFile = folder.resolve(LATENT_CHECKPOINT);
        if (!Files.exists(simFile) || !Files.exists(latentFile) || data.sim().size() == 0 || data.real().size() == 0) {
            return OptionalLong.empty();
        }
        int maxEpochs = settings.integer(RunParameter.MAX_EPOCHS);
        DynamicsModel sim = new DynamicsModel(spec.obsDim(), spec.actDim(),
                networks.ensemble(seeds.of(RunSeeds.Stream.ENSEMBLE), maxEpochs));
        sim.load(simFile);
        // Shaped (and standardised) on the data, then every network and the standardisation overwritten by the file.
        LatentModel latent = LatentModel.random(data.sim(), data.real(), spec.obsDim(), spec.actDim(),
                networks.ensemble(seeds.of(RunSeeds.Stream.ENSEMBLE, 1), maxEpochs), latentConfig(settings));
        long version = latent.load(latentFile);
        simModel = sim;
        model = latent;
        return OptionalLong.of(version);
    }

    @Override
    public String toString() {
        return "latent model (" + init + " init, hidden " + Arrays.toString(networks.latentHidden()) + ")";
    }
}

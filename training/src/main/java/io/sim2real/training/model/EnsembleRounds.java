package io.sim2real.training.model;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSeeds;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.RolloutModel;
import io.sim2real.nn.latent.Transitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * MBPO's model rounds (mbpo, mbpo-sim-only, mbpo-mixed): each round fits the run's dynamics ensemble to every
 * transition of its ensemble domains ({@link RunSettings#ensembleDomains()}: sim rows first, then real), at most
 * {@code maxEpochs} epochs with early stopping on its hold-out set. Its rollouts start from the one domain of an
 * ensemble that sees one. The ensemble is seeded from the run's {@code ENSEMBLE} stream; a
 * changed {@code maxEpochs} takes effect at the next round (the ensemble keeps its weights, standardisation and
 * elites; its optimiser and data shuffling start afresh). An ensemble of both domains (mbpo-mixed, mbpo on both) starts
 * the run's {@code realStartShare} of its rollouts from real states (none while the round has no real transition), the
 * rest from sim states, as the latent methods do.
 */
public final class EnsembleRounds extends ModelRounds {

    static final String CHECKPOINT = "dynamics.ckpt";

    private DynamicsModel model;
    private boolean trained;

    EnsembleRounds(EnvSpec spec, ModelNetworks networks, RunSeeds seeds) {
        super(spec, networks, seeds);
    }

    @Override
    public RoundReport train(long round, RoundData data, RunSettings settings) {
        long start = System.nanoTime();
        Transitions rows = null;
        for (Domain d : Domain.values()) {
            if (settings.ensembleDomains().contains(d) && data.size(d) > 0) {
                rows = rows == null ? data.of(d) : rows.concat(data.of(d));
            }
        }
        if (rows == null || rows.size() < 2) {
            throw new IllegalStateException("a model round needs at least 2 transitions of " + settings.ensembleDomains());
        }
        withEpochs(settings.integer(RunParameter.MAX_EPOCHS));
        DynamicsModel.TrainingReport report = model.train(rows.obs(), rows.act(), rows.rew(), rows.nextObs(), rows.size());
        trained = true;
        return new RoundReport(round, rows.size(), report, 0, null, null, null, List.of(), (System.nanoTime() - start) / 1e9);
    }

    /** The ensemble, made (or remade, keeping what it learnt) to train at most {@code maxEpochs} epochs a round. */
    private void withEpochs(int maxEpochs) {
        if (model == null) {
            model = new DynamicsModel(spec.obsDim(), spec.actDim(), networks.ensemble(seeds.of(RunSeeds.Stream.ENSEMBLE),
                    maxEpochs));
        } else if (model.config().maxEpochs() != maxEpochs) {
            DynamicsModel next = new DynamicsModel(spec.obsDim(), spec.actDim(), model.config().withEpochs(maxEpochs));
            next.copyFrom(model);
            model = next;
        }
    }

    @Override
    public boolean trained() {
        return trained;
    }

    /** The run's dynamics ensemble (null before its first round). */
    public DynamicsModel model() {
        return model;
    }

    @Override
    public void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng, double[][] next,
                        double[] rew) {
        model.step(obs, act, obs.length, !sampled, rng, next, rew);
    }

    @Override
    int startsIn(Domain d, int count, RoundData data, RunSettings settings) {
        if (settings.ensembleDomains().size() == 1) {
            return settings.ensembleDomains().contains(d) ? count : 0;
        }
        // An ensemble of both domains: the run's realStartShare from real states, while the round has any.
        int fromReal = data.size(Domain.REAL) > 0 ? realStarts(count, settings) : 0;
        return d == Domain.REAL ? fromReal : count - fromReal;
    }

    @Override
    RolloutModel rolloutModel(Domain d) {
        return model;
    }

    @Override
    boolean latent() {
        return false;
    }

    @Override
    public void save(Path folder, long version) throws IOException {
        model.save(folder.resolve(CHECKPOINT), version);
    }

    @Override
    public OptionalLong restore(Path folder, RoundData data, RunSettings settings) {
        Path file = folder.resolve(CHECKPOINT);
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        DynamicsModel loaded = new DynamicsModel(spec.obsDim(), spec.actDim(),
                networks.ensemble(seeds.of(RunSeeds.Stream.ENSEMBLE), settings.integer(RunParameter.MAX_EPOCHS)));
        long version = loaded.load(file);
        model = loaded;
        trained = true;
        return OptionalLong.of(version);
    }
}

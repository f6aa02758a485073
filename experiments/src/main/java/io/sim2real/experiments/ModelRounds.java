package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.nn.ActorRunner;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.RolloutModel;
import io.sim2real.nn.Rollouts;
import io.sim2real.nn.latent.GapAnalysis;
import io.sim2real.nn.latent.LatentConfig;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.replay.TransitionStore;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The model side of {@code sim2real train}, one implementation per method, as model-service runs it: what a model
 * round trains, the model that branched rollouts step, and where the rollouts start; and the normalised one-step
 * error by which a round's model is checked against MuJoCo.
 */
abstract class ModelRounds {

    protected final EnvSpec spec = EnvSpec.HALF_CHEETAH;

    /** Trains on the data so far (the real data may be empty). Returns what the round found, for the log. */
    abstract String train(Transitions sim, Transitions real, SplittableRandom rng);

    /** The model a rollout starting in domain d steps, and whether its states are latent. */
    abstract RolloutModel rolloutModel(Domain d);

    abstract boolean latent();

    /** The share of rollouts that start from real states (the rest from sim states). */
    abstract double realStartShare();

    /** One model step in observation space for start states of domain d: its mean, or sampled as rollouts sample. */
    abstract void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng, double[][] next,
                          double[] rew);

    /** Refills {@code sink} with {@code count} rollouts of length 1 from the stores' states; returns how many were kept. */
    long rollouts(TransitionStore sim, TransitionStore real, ActorRunner policy, int count, long version,
                  SplittableRandom rng, TransitionStore sink) {
        int fromReal = real.size() > 0 ? (int) Math.round(count * realStartShare()) : 0;
        long made = 0;
        for (Domain d : Domain.values()) {
            int n = d == Domain.REAL ? fromReal : count - fromReal;
            if (n == 0) {
                continue;
            }
            TransitionStore store = d == Domain.SIM ? sim : real;
            double[][] starts = store.sampleObservations(n, rng);
            made += Rollouts.generate(rolloutModel(d), latent(), spec, starts, 1, "train", version, d, 5000, rng,
                    Optional.of(policy), sink::add);
        }
        return made;
    }

    /**
     * Normalised one-step error on transitions of domain d: the mean over dimensions of the squared error of the
     * predicted next observation (and reward), each divided by the variance of that dimension's change in the
     * data. 0 is perfect; 1 is no better than predicting the mean change. Sampled predictions add the model's
     * own noise, as rollouts see it.
     */
    double fidelity(Domain d, Transitions t, boolean sampled, SplittableRandom rng) {
        int n = t.size();
        if (n < 2) {
            return Double.NaN;
        }
        double[][] next = new double[n][];
        double[] rew = new double[n];
        predict(d, t.obs(), t.act(), sampled, rng, next, rew);
        int dims = t.obs()[0].length;
        double total = 0;
        for (int j = 0; j <= dims; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += change(t, i, j) / n;
            }
            double variance = 0;
            double error = 0;
            for (int i = 0; i < n; i++) {
                double c = change(t, i, j);
                variance += (c - mean) * (c - mean) / n;
                double predicted = j < dims ? next[i][j] - t.obs()[i][j] : rew[i];
                error += (predicted - c) * (predicted - c) / n;
            }
            total += error / Math.max(variance, 1e-12);
        }
        return total / (dims + 1);
    }

    private static double change(Transitions t, int i, int j) {
        int dims = t.obs()[i].length;
        return j < dims ? t.nextObs()[i][j] - t.obs()[i][j] : t.rew()[i];
    }

    /** MBPO: one ensemble on simulator data. Mixed: one ensemble on both domains' data, rollouts from sim starts. */
    static final class Ensemble extends ModelRounds {
        private final DynamicsModel model;
        private final boolean mixed;

        Ensemble(EnsembleConfig config, boolean mixed) {
            this.model = new DynamicsModel(17, 6, config);
            this.mixed = mixed;
        }

        @Override
        String train(Transitions sim, Transitions real, SplittableRandom rng) {
            Transitions data = mixed && real.size() > 0 ? sim.concat(real) : sim;
            DynamicsModel.TrainingReport report = model.train(data.obs(), data.act(), data.rew(), data.nextObs(), data.size());
            return String.format(Locale.ROOT, "ensemble on %d transitions, %d epochs, hold-out MSE %.4f", data.size(),
                    report.epochs(), report.eliteHoldoutMse());
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
        double realStartShare() {
            return 0;
        }

        @Override
        void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng, double[][] next,
                     double[] rew) {
            model.step(obs, act, obs.length, !sampled, rng, next, rew);
        }
    }

    /**
     * The latent method: the first round trains a single-domain ensemble (sim-init: on sim data; real-init: on the
     * real data) and builds the latent model from it; every round then trains it jointly for {@code jointSteps}
     * steps. A share {@code realStarts} of the rollouts start from real states (METHOD.md: either domain; 0.5 as
     * model-service draws them), the rest from sim states. Rollouts step with sampled predictions, as MBPO's do, or
     * with a random elite's mean ({@code sampledRollouts = false}).
     */
    static final class Latent extends ModelRounds {
        private final LatentModel.Init init;
        private final EnsembleConfig ensemble;
        private final LatentConfig config;
        private final int jointSteps;
        private final double realStarts;
        private final boolean sampledRollouts;
        private LatentModel model;
        private DynamicsModel simModel;

        Latent(LatentModel.Init init, EnsembleConfig ensemble, LatentConfig config, int jointSteps, double realStarts,
               boolean sampledRollouts) {
            this.init = init;
            this.ensemble = ensemble;
            this.config = config;
            this.jointSteps = jointSteps;
            this.realStarts = realStarts;
            this.sampledRollouts = sampledRollouts;
        }

        @Override
        String train(Transitions sim, Transitions real, SplittableRandom rng) {
            if (real.size() == 0) {
                throw new IllegalStateException("the latent method needs real data");
            }
            if (model == null) {
                simModel = new DynamicsModel(17, 6, ensemble);
                simModel.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
                model = LatentModel.create(init, simModel, sim, real, ensemble.withSeed(ensemble.seed() + 1), config);
            }
            LatentModel.Losses[] losses = GapAnalysis.trainJointly(model, sim, real, jointSteps, rng, 1000);
            GapAnalysis.Measures m = GapAnalysis.measure(model, simModel, sim, real, config.seed());
            return String.format(Locale.ROOT, "latent %d joint steps, loss %.3f -> %.3f, G %.4f, KL ratio %.1f", jointSteps,
                    losses[0].total(), losses[1].total(), m.mappingDistance(), m.klRatio());
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
        double realStartShare() {
            return realStarts;
        }

        @Override
        void predict(Domain d, double[][] obs, double[][] act, boolean sampled, SplittableRandom rng, double[][] next,
                     double[] rew) {
            model.step(d, obs, act, obs.length, !sampled, rng, next, rew);
        }
    }
}

package io.sim2real.nn.latent;

import io.sim2real.contracts.Domain;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.NonFiniteException;
import java.util.SplittableRandom;

/**
 * The gap measurements of METHOD.md, and the gap-only procedure a team runs first on its own robot's log: train a
 * single-domain ensemble, build the latent model from it, train it jointly on both domains, measure.
 */
public final class GapAnalysis {

    /** Observations used for the measurements at most (a uniform, seeded sample beyond that). */
    public static final int MAX_MEASURED_ROWS = 5000;

    private GapAnalysis() {
    }

    /**
     * The gap, measured on real and sim data.
     *
     * @param mappingDistance G = mean over real observations of |m(p_real(o)) - p_real(o)|_2, in observation units
     * @param latentKl        KL(real cloud || sim cloud) of Gaussian fits of p_real(o_real) and p_sim(o_sim)
     * @param withinKl        the same KL between two random halves of one domain's cloud, averaged over domains
     * @param klRatio         latentKl / withinKl
     * @param oneStepError    the sim-trained ensemble's one-step error on real transitions (standardised MSE)
     * @param disagreement    the sim-trained ensemble's elites' disagreement on real transitions (standardised)
     */
    public record Measures(double mappingDistance, double latentKl, double withinKl, double klRatio,
                           double oneStepError, double disagreement) {
    }

    /** What a gap-only run did and found. */
    public record Report(Measures measures, LatentModel.Losses firstLosses, LatentModel.Losses lastLosses, int steps,
                         double simHoldoutMse, double seconds) {
    }

    /** How to run a gap-only measurement. */
    public record Settings(LatentModel.Init init, EnsembleConfig ensemble, LatentConfig latent, int jointSteps) {
    }

    /** Measures the gap of a trained latent model; {@code simModel} is the ensemble trained on sim data only. */
    public static Measures measure(LatentModel model, DynamicsModel simModel, Transitions sim, Transitions real, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] realObs = sample(real.obs(), rng);
        double[][] simObs = sample(sim.obs(), rng);
        double[][] zReal = model.encode(Domain.REAL, realObs);
        double[][] mapped = model.mapToSim(zReal);
        double distance = 0;
        for (int i = 0; i < zReal.length; i++) {
            double s = 0;
            for (int j = 0; j < zReal[i].length; j++) {
                double d = mapped[i][j] - zReal[i][j];
                s += d * d;
            }
            distance += Math.sqrt(s) / zReal.length;
        }
        double[][] zSim = model.encode(Domain.SIM, simObs);
        double cross = GaussianFit.of(zReal).klTo(GaussianFit.of(zSim));
        double within = 0.5 * (halvesKl(zSim) + halvesKl(zReal));
        DynamicsModel.Evaluation onReal = simModel.evaluate(real.obs(), real.act(), real.rew(), real.nextObs(), real.size());
        return new Measures(distance, cross, within, cross / within, onReal.oneStepMse(), onReal.disagreement());
    }

    /** KL between the Gaussian fits of the two halves of a cloud (already in random order). */
    private static double halvesKl(double[][] cloud) {
        int half = cloud.length / 2;
        return GaussianFit.of(cloud, 0, half).klTo(GaussianFit.of(cloud, half, cloud.length));
    }

    /** Up to MAX_MEASURED_ROWS rows in random order. */
    private static double[][] sample(double[][] rows, SplittableRandom rng) {
        double[][] shuffled = rows.clone();
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double[] t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        return java.util.Arrays.copyOf(shuffled, Math.min(shuffled.length, MAX_MEASURED_ROWS));
    }

    /**
     * Joint training for {@code steps} steps. Stops with {@link NonFiniteException} on a NaN or infinite loss or
     * gradient, or when the loss exceeds {@code divergenceFactor} times its first value (divergence).
     */
    public static LatentModel.Losses[] trainJointly(LatentModel model, Transitions sim, Transitions real, int steps,
                                                    SplittableRandom rng, double divergenceFactor) {
        LatentModel.Losses first = null;
        LatentModel.Losses last = null;
        for (int s = 0; s < steps; s++) {
            last = model.trainStep(sim, real, rng);
            if (first == null) {
                first = last;
            } else if (Math.abs(last.total()) > divergenceFactor * Math.max(1.0, Math.abs(first.total()))) {
                throw new NonFiniteException("latent model diverged at step " + s + ": loss " + last.total()
                        + " against " + first.total() + " at the start");
            }
        }
        return new LatentModel.Losses[] {first, last};
    }

    /** The gap-only procedure on two domains' data. */
    public static Report run(Transitions sim, Transitions real, Settings settings, int obsDim, int actDim) {
        long start = System.nanoTime();
        DynamicsModel simModel = new DynamicsModel(obsDim, actDim, settings.ensemble());
        DynamicsModel.TrainingReport simReport = simModel.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
        Report report = run(sim, real, settings, simModel, simReport.eliteHoldoutMse());
        return new Report(report.measures(), report.firstLosses(), report.lastLosses(), report.steps(),
                report.simHoldoutMse(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * The gap-only procedure with an ensemble already trained on {@code sim} (shared by several real domains
     * measured against the same simulator data; it is copied, not changed).
     */
    public static Report run(Transitions sim, Transitions real, Settings settings, DynamicsModel simModel,
                             double simHoldoutMse) {
        long start = System.nanoTime();
        LatentModel model = LatentModel.create(settings.init(), simModel, sim, real, settings.ensemble(), settings.latent());
        SplittableRandom rng = new SplittableRandom(settings.latent().seed());
        LatentModel.Losses[] losses = trainJointly(model, sim, real, settings.jointSteps(), rng, 1e3);
        Measures measures = measure(model, simModel, sim, real, settings.latent().seed() + 1);
        return new Report(measures, losses[0], losses[1], settings.jointSteps(), simHoldoutMse,
                (System.nanoTime() - start) / 1e9);
    }
}

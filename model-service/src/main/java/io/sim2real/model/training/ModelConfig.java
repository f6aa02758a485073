package io.sim2real.model.training;

import io.smallrye.config.ConfigMapping;
import java.util.List;

/** model-service's settings ({@code sim2real.model.*}; defaults and meanings in application.properties). */
@ConfigMapping(prefix = "sim2real.model")
public interface ModelConfig {

    /** Retrain after this many new transitions of a run's training domains. */
    int trainEvery();

    /** ... once the run has at least this many. */
    int minTransitions();

    int rolloutsPerRound();

    /** MBPO's [start_epoch, end_epoch, start_len, end_len]. */
    String rolloutSchedule();

    int rolloutBatchSize();

    int members();

    int elites();

    List<Integer> hidden();

    int maxEpochs();

    int threads();

    String checkpointDir();

    int storeCapacity();

    /** The latent sim-to-real model ({@code sim2real.model.latent.*}). */
    Latent latent();

    /** The gap probe ({@code sim2real.model.probe.*}). */
    Probe probe();

    interface Probe {

        /** Measure after every this many new real transitions of a run; 0 turns the probe off. */
        int every();

        /** Rows a side needs before it is measured (pairs for counterfactual, each store's rows for unpaired). */
        int minRows();

        /** Counterfactual pairs kept per run, the newest (unset: the probe's window, GapProbe.Config.maxRows). */
        java.util.Optional<Integer> window();

        /**
         * Overrides of the probe's fixed configuration (GapProbe.Config.defaults), for tests only: values measured with
         * other settings do not compare with the defaults'.
         */
        java.util.Optional<Integer> jointSteps();

        java.util.Optional<Integer> seeds();

        java.util.Optional<Integer> batchSize();

        /** The probe's configuration: GapProbe's defaults with the overrides above. */
        default io.sim2real.nn.latent.GapProbe.Config config() {
            io.sim2real.nn.latent.GapProbe.Config c = io.sim2real.nn.latent.GapProbe.Config.defaults();
            if (jointSteps().isPresent()) {
                c = c.withJointSteps(jointSteps().get());
            }
            if (seeds().isPresent()) {
                c = c.withSeeds(seeds().get());
            }
            if (batchSize().isPresent()) {
                c = c.withNetworks(c.members(), c.elites(), c.ensembleHidden(), c.ensembleEpochs(), c.latentHidden(),
                        batchSize().get());
            }
            return c;
        }
    }

    /** The drift alarm ({@code sim2real.model.drift.*}). */
    Drift drift();

    interface Drift {

        /** Counterfactual pairs of a run (its first, whole batches) that fix the discrepancy's units. */
        int unitsRows();

        /** Probe rounds whose G form the reference of the G-series detector. */
        int gReference();

        /** The G-series detector's smallest σ, in G's units. */
        double gMinScale();

        /** The detector on per-pair discrepancies: DriftDetector's defaults for them. */
        default io.sim2real.nn.calibration.DriftDetector.Config discrepancies() {
            return io.sim2real.nn.calibration.DriftDetector.Config.forDiscrepancies();
        }

        /** The detector on the probe's G series. */
        default io.sim2real.nn.calibration.DriftDetector.Config series() {
            return io.sim2real.nn.calibration.DriftDetector.Config.forSeries(gReference(), gMinScale());
        }
    }

    interface Latent {

        /** Retrain after this many new transitions of either domain, once each domain has min-transitions. */
        int trainEvery();

        int minTransitions();

        /** Joint training steps per round (a RunSpec may override with the parameter jointSteps). */
        int jointSteps();

        /** Hidden layers of the encoders, decoders and mapping. */
        List<Integer> hidden();

        /** Transitions of each domain per joint step. */
        int batchSize();

        double learningRate();

        /** Loss weights; RunSpec parameters lambdaAe, lambdaDec, lambdaCorr override them. */
        double lambdaAe();

        double lambdaDec();

        double lambdaCorr();

        /** A round stops as diverged when the joint loss exceeds this multiple of its first value. */
        double divergenceFactor();

        /**
         * The share of each round's rollouts that start from real states, the rest from sim states (METHOD.md: either
         * domain). A RunSpec may override it with the parameter realStartShare.
         */
        double realStartShare();

        /**
         * Whether joint training changes the sim encoder and decoder (METHOD.md as written) or keeps them the identity,
         * so that the latent space is the simulator's observation space. Unset: trained for gap-only runs (a lower
         * noise floor of G), kept for the training methods (their rollouts; docs/RESULTS.md). A RunSpec may override
         * it with the parameter trainSimAutoencoder (1 or 0).
         */
        java.util.Optional<Boolean> trainSimAutoencoder();
    }

    /** The dynamics ensemble these settings describe (MBPO's HalfCheetah model by default). */
    default io.sim2real.nn.EnsembleConfig ensemble(long seed) {
        int[] sizes = hidden().stream().mapToInt(Integer::intValue).toArray();
        return io.sim2real.nn.EnsembleConfig.mbpo(seed).withSize(members(), elites(), sizes).withEpochs(maxEpochs())
                .withThreads(threads());
    }
}

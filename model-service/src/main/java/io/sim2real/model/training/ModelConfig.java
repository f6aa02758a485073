package io.sim2real.model.training;

import io.smallrye.config.ConfigMapping;
import java.util.List;

/**
 * model-service's settings ({@code sim2real.model.*}; defaults and meanings in application.properties): network sizes,
 * rollout batching, checkpoints, stores and the gap probe. When a run's model rounds happen, how many rollouts and
 * epochs they make and the latent model's training are the run's own settings (RunSpec parameters, their deployment
 * defaults {@code sim2real.run.*}: io.sim2real.methods.RunParameter).
 */
@ConfigMapping(prefix = "sim2real.model")
public interface ModelConfig {

    /** MBPO's [start_epoch, end_epoch, start_len, end_len]. */
    String rolloutSchedule();

    int rolloutBatchSize();

    int members();

    int elites();

    List<Integer> hidden();

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

        /** Hidden layers of the encoders, decoders and mapping. */
        List<Integer> hidden();

        /** Transitions of each domain per joint step. */
        int batchSize();

        double learningRate();
    }

    /** The network sizes of every run's models (MBPO's HalfCheetah ensemble by default). */
    default io.sim2real.training.model.ModelNetworks networks() {
        return new io.sim2real.training.model.ModelNetworks(members(), elites(),
                hidden().stream().mapToInt(Integer::intValue).toArray(), threads(),
                latent().hidden().stream().mapToInt(Integer::intValue).toArray(), latent().batchSize(),
                latent().learningRate());
    }
}

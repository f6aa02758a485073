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
}

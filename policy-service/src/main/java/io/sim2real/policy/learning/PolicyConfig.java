package io.sim2real.policy.learning;

import io.smallrye.config.ConfigMapping;
import java.util.List;

/**
 * policy-service's settings ({@code sim2real.policy.*}; defaults and meanings in application.properties): how this
 * service learns, not what a run is. A run's own settings (updatesPerStep, realRatio, learnerMinTransitions) are run
 * parameters, read from the run's effective settings; a deployment's defaults for them are {@code sim2real.run.*}.
 */
@ConfigMapping(prefix = "sim2real.policy")
public interface PolicyConfig {

    int batchSize();

    List<Integer> hidden();

    long snapshotEvery();

    int envCapacity();

    int modelCapacity();

    long maxPendingUpdates();

    /** Where each run's learner checkpoint goes: {@code <checkpoint-dir>/<runId>/sac.ckpt}. */
    String checkpointDir();

    /** A checkpoint every this many updates between snapshots (0: only at snapshots and on a graceful stop). */
    long checkpointEvery();
}

package io.sim2real.policy.learning;

import io.smallrye.config.ConfigMapping;
import java.util.List;

/** policy-service's settings ({@code sim2real.policy.*}; defaults and meanings in application.properties). */
@ConfigMapping(prefix = "sim2real.policy")
public interface PolicyConfig {

    /** G: SAC updates owed per new environment transition (a RunSpec's parameters.updatesPerStep overrides it). */
    double updatesPerStep();

    /** Share of each batch from environment data when model rollouts exist (parameters.realRatio overrides it). */
    double realRatio();

    int batchSize();

    List<Integer> hidden();

    int minTransitions();

    long snapshotEvery();

    int envCapacity();

    int modelCapacity();

    long maxPendingUpdates();

    /** Where each run's learner checkpoint goes: {@code <checkpoint-dir>/<runId>/sac.ckpt}. */
    String checkpointDir();

    /** A checkpoint every this many updates between snapshots (0: only at snapshots and on a graceful stop). */
    long checkpointEvery();
}

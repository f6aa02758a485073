package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * Model-generated transitions on {@code sim2real.rollouts}: one slice of a round of branched rollouts.
 * {@code latent} says whether they came from the latent sim-to-real model (decoded into
 * {@code startDomain}'s observation space) or from an observation-space MBPO ensemble.
 * {@code round} numbers the model's rollout rounds, so a consumer can keep only the latest ones.
 *
 * @param coversEnvStep the training-domain transitions of the run the round's model was fitted to (its first
 *                      {@code coversEnvStep}), when the round follows the run's lockstep schedule; null otherwise
 * @param roundRows     every row of the round, over all its batches, when known before the first batch is sent (a
 *                      lockstep round): a consumer has the whole round once it holds that many; null otherwise
 */
public record RolloutBatch(
        int schemaVersion,
        String runId,
        long modelVersion,
        long round,
        boolean latent,
        Domain startDomain,
        double[][] obs,
        double[][] act,
        double[] rew,
        double[][] nextObs,
        boolean[] done,
        Long coversEnvStep,
        Long roundRows) implements Sim2RealMessage {

    /** A slice of a round that does not follow a lockstep schedule. */
    public RolloutBatch(int schemaVersion, String runId, long modelVersion, long round, boolean latent, Domain startDomain,
                        double[][] obs, double[][] act, double[] rew, double[][] nextObs, boolean[] done) {
        this(schemaVersion, runId, modelVersion, round, latent, startDomain, obs, act, rew, nextObs, done, null, null);
    }

    public int size() {
        return rew == null ? 0 : rew.length;
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        nonNegative(modelVersion, "modelVersion");
        nonNegative(round, "round");
        present(startDomain, "startDomain");
        present(rew, "rew");
        int n = rew.length;
        if (n == 0) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "batch has no transitions");
        }
        matrix(obs, n, spec.obsDim(), "obs");
        matrix(act, n, spec.actDim(), "act");
        bounded(act, spec.actionLow(), spec.actionHigh(), "act");
        vector(rew, n, "rew");
        matrix(nextObs, n, spec.obsDim(), "nextObs");
        present(done, "done");
        length(done.length, n, "done");
        if (coversEnvStep != null) {
            nonNegative(coversEnvStep, "coversEnvStep");
        }
        if (roundRows != null && roundRows < n) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "field 'roundRows' is "
                    + roundRows + ", fewer than this batch's " + n + " rows");
        }
    }
}

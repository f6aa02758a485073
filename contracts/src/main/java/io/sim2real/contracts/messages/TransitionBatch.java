package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * Environment transitions of one run, one domain and one env, on {@code sim2real.transitions}.
 * Row i of every array describes the same transition. {@code done[i]} marks a true terminal state
 * (no bootstrapping); {@code truncated[i]} marks an episode cut by its time limit. {@code truncated}
 * may be omitted, meaning all false.
 */
public record TransitionBatch(
        int schemaVersion,
        String runId,
        Domain domain,
        String envId,
        long policyVersion,
        long[] episodeIds,
        int[] stepIndices,
        double[][] obs,
        double[][] act,
        double[] rew,
        double[][] nextObs,
        boolean[] done,
        boolean[] truncated) implements Sim2RealMessage {

    /** Number of transitions in the batch. */
    public int size() {
        return rew == null ? 0 : rew.length;
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        present(domain, "domain");
        text(envId, "envId");
        nonNegative(policyVersion, "policyVersion");
        present(rew, "rew");
        int n = rew.length;
        if (n == 0) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "batch has no transitions");
        }
        present(episodeIds, "episodeIds");
        length(episodeIds.length, n, "episodeIds");
        present(stepIndices, "stepIndices");
        length(stepIndices.length, n, "stepIndices");
        for (int i = 0; i < n; i++) {
            nonNegative(stepIndices[i], "stepIndices[" + i + "]");
        }
        matrix(obs, n, spec.obsDim(), "obs");
        matrix(act, n, spec.actDim(), "act");
        bounded(act, spec.actionLow(), spec.actionHigh(), "act");
        vector(rew, n, "rew");
        matrix(nextObs, n, spec.obsDim(), "nextObs");
        present(done, "done");
        length(done.length, n, "done");
        if (truncated != null) {
            length(truncated.length, n, "truncated");
        }
    }
}

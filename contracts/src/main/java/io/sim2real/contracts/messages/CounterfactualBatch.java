package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.InvalidRecordException;

/**
 * Real transitions paired with what the simulator predicts from the same state and action, on
 * {@code sim2real.counterfactuals}: env-service puts MuJoCo in the state {@code obs[i]} describes, applies
 * {@code act[i]} and records {@code simNextObs[i]} beside the real {@code realNextObs[i]}. One batch per real
 * TransitionBatch, in the same order, so the pair of a transition is found by its source position.
 *
 * @param sourcePartition the partition of {@code sim2real.transitions} the real batch was read from
 * @param sourceOffset    its offset there: consumers use (partition, offset) to apply each batch once
 * @param skipped         rows of the source batch left out because the simulator could not take their state
 *                        (non-finite after setting it); the batch holds the others
 */
public record CounterfactualBatch(
        int schemaVersion,
        String runId,
        String envId,
        int sourcePartition,
        long sourceOffset,
        double[][] obs,
        double[][] act,
        double[][] realNextObs,
        double[][] simNextObs,
        int skipped) implements Sim2RealMessage {

    /** Number of pairs in the batch. */
    public int size() {
        return obs == null ? 0 : obs.length;
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        text(envId, "envId");
        nonNegative(sourcePartition, "sourcePartition");
        nonNegative(sourceOffset, "sourceOffset");
        nonNegative(skipped, "skipped");
        present(obs, "obs");
        int n = obs.length;
        if (n == 0) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "batch has no pairs");
        }
        matrix(obs, n, spec.obsDim(), "obs");
        matrix(act, n, spec.actDim(), "act");
        bounded(act, spec.actionLow(), spec.actionHigh(), "act");
        matrix(realNextObs, n, spec.obsDim(), "realNextObs");
        matrix(simNextObs, n, spec.obsDim(), "simNextObs");
    }
}

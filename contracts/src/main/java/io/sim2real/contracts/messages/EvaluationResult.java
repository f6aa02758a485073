package io.sim2real.contracts.messages;

import static io.sim2real.contracts.validation.Checks.*;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.util.Arrays;

/**
 * The outcome of evaluating one policy version in one domain on {@code sim2real.evaluations}:
 * one entry per episode in {@code seeds}, {@code returns} and {@code lengths}.
 */
public record EvaluationResult(
        int schemaVersion,
        String runId,
        Domain domain,
        long policyVersion,
        long envStep,
        boolean deterministic,
        long[] seeds,
        double[] returns,
        int[] lengths) implements Sim2RealMessage {

    public double meanReturn() {
        return Arrays.stream(returns).average().orElse(Double.NaN);
    }

    @Override
    public void validate(EnvSpec spec) throws InvalidRecordException {
        knownSchemaVersion(schemaVersion);
        validRunId(runId);
        present(domain, "domain");
        nonNegative(policyVersion, "policyVersion");
        nonNegative(envStep, "envStep");
        present(returns, "returns");
        int n = returns.length;
        if (n == 0) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "no episodes");
        }
        vector(returns, n, "returns");
        present(seeds, "seeds");
        length(seeds.length, n, "seeds");
        present(lengths, "lengths");
        length(lengths.length, n, "lengths");
        for (int i = 0; i < n; i++) {
            if (lengths[i] <= 0) {
                throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE,
                        "field 'lengths[" + i + "]' is " + lengths[i] + ", must be > 0");
            }
        }
    }
}

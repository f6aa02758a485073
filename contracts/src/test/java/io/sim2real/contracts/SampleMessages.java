package io.sim2real.contracts;

import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.List;
import java.util.Map;

/** Valid messages for HalfCheetah's shape, for tests to start from and break on purpose. */
public final class SampleMessages {

    private SampleMessages() {
    }

    public static double[][] matrix(int n, int width, double scale) {
        double[][] m = new double[n][width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                m[i][j] = scale * Math.sin(1 + i * width + j);
            }
        }
        return m;
    }

    public static TransitionBatch transitions(int n) {
        EnvSpec s = EnvSpec.HALF_CHEETAH;
        long[] episodes = new long[n];
        int[] steps = new int[n];
        double[] rew = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i;
            rew[i] = 0.1 * i;
        }
        return new TransitionBatch(SchemaVersion.CURRENT, "run-1", Domain.REAL, "env-0", 3, episodes, steps,
                matrix(n, s.obsDim(), 2.0), matrix(n, s.actDim(), 0.9), rew, matrix(n, s.obsDim(), 2.0),
                new boolean[n], new boolean[n]);
    }

    public static RolloutBatch rollouts(int n) {
        EnvSpec s = EnvSpec.HALF_CHEETAH;
        return new RolloutBatch(SchemaVersion.CURRENT, "run-1", 2, 5, true, Domain.SIM,
                matrix(n, s.obsDim(), 1.0), matrix(n, s.actDim(), 0.5), new double[n], matrix(n, s.obsDim(), 1.0),
                new boolean[n]);
    }

    public static PolicySnapshot policy() {
        byte[] weights = new byte[4 * 10];
        weights[3] = 0x3f;
        return new PolicySnapshot(SchemaVersion.CURRENT, "run-1", 7, 1000, "tanh-gaussian-mlp-256-256", 17, 6,
                weights, PolicySnapshot.sha256Of(weights), null);
    }

    public static GapMeasurement gap() {
        return new GapMeasurement(SchemaVersion.CURRENT, "run-1", "gravity", 1.5,
                GapMeasurement.Metric.MAPPING_DISTANCE, 0.42, 3, 5000, 1_700_000_000_000L);
    }

    public static EvaluationResult evaluation() {
        return new EvaluationResult(SchemaVersion.CURRENT, "run-1", Domain.SIM, 7, 5000, true,
                new long[] {1, 2}, new double[] {-250.5, -301.0}, new int[] {1000, 1000});
    }

    public static RunSpec run() {
        return new RunSpec(SchemaVersion.CURRENT, "run-1", RunSpec.Method.MBPO, RunSpec.Mode.LOCKSTEP, 42, 30_000,
                new RunSpec.DomainSpec("gravity-1.5", Map.of("gravity", 1.5)), List.of(Domain.SIM, Domain.REAL),
                Map.of("updatesPerStep", 20.0), 1_700_000_000_000L);
    }
}

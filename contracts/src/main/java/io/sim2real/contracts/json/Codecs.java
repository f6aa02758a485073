package io.sim2real.contracts.json;

import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;

/** One codec per message type. */
public final class Codecs {

    public static final MessageCodec<TransitionBatch> TRANSITION_BATCH = MessageCodec.of(TransitionBatch.class);
    public static final MessageCodec<RolloutBatch> ROLLOUT_BATCH = MessageCodec.of(RolloutBatch.class);
    public static final MessageCodec<PolicySnapshot> POLICY_SNAPSHOT = MessageCodec.of(PolicySnapshot.class);
    public static final MessageCodec<GapMeasurement> GAP_MEASUREMENT = MessageCodec.of(GapMeasurement.class);
    public static final MessageCodec<EvaluationResult> EVALUATION_RESULT = MessageCodec.of(EvaluationResult.class);
    public static final MessageCodec<RunSpec> RUN_SPEC = MessageCodec.of(RunSpec.class);
    public static final MessageCodec<CounterfactualBatch> COUNTERFACTUAL_BATCH = MessageCodec.of(CounterfactualBatch.class);

    private Codecs() {
    }
}

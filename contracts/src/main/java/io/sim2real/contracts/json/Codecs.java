package io.sim2real.contracts.json;

import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.protobuf.CounterfactualBatchV2;
import io.sim2real.contracts.protobuf.PolicySnapshotV2;
import io.sim2real.contracts.protobuf.RolloutBatchV2;
import io.sim2real.contracts.protobuf.TransitionBatchV2;
import java.util.List;

/** One codec per message type; the numeric ones also read and write schema version 2 (Protobuf). */
public final class Codecs {

    public static final MessageCodec<TransitionBatch> TRANSITION_BATCH = MessageCodec.of(TransitionBatch.class, new TransitionBatchV2());
    public static final MessageCodec<RolloutBatch> ROLLOUT_BATCH = MessageCodec.of(RolloutBatch.class, new RolloutBatchV2(io.sim2real.contracts.protobuf.Precision.EXACT));
    public static final MessageCodec<PolicySnapshot> POLICY_SNAPSHOT = MessageCodec.of(PolicySnapshot.class, new PolicySnapshotV2());
    public static final MessageCodec<GapMeasurement> GAP_MEASUREMENT = MessageCodec.of(GapMeasurement.class);
    public static final MessageCodec<EvaluationResult> EVALUATION_RESULT = MessageCodec.of(EvaluationResult.class);
    public static final MessageCodec<RunSpec> RUN_SPEC = MessageCodec.of(RunSpec.class);
    public static final MessageCodec<CounterfactualBatch> COUNTERFACTUAL_BATCH = MessageCodec.of(CounterfactualBatch.class, new CounterfactualBatchV2());

    public static final List<MessageCodec<?>> ALL = List.of(TRANSITION_BATCH, ROLLOUT_BATCH, POLICY_SNAPSHOT,
            GAP_MEASUREMENT, EVALUATION_RESULT, RUN_SPEC, COUNTERFACTUAL_BATCH);

    /** The codec of a message type. */
    @SuppressWarnings("unchecked")
    public static <T extends io.sim2real.contracts.messages.Sim2RealMessage> MessageCodec<T> of(Class<T> type) {
        for (MessageCodec<?> c : ALL) {
            if (c.type() == type) {
                return (MessageCodec<T>) c;
            }
        }
        throw new IllegalArgumentException("no codec for " + type.getName());
    }

    private Codecs() {
    }
}

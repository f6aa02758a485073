package io.sim2real.policy.learning;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import io.sim2real.service.replay.ConsumedOffsets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Feeds the learner: environment transitions (rebuilt from the log at start, each applied once) and model
 * rollouts (only new ones matter: MBPO keeps the latest rollouts). Both hand the learner the record's partition and
 * offset, which its checkpoints record.
 */
@ApplicationScoped
public class DataConsumers {

    @Inject
    InboundRecords inbound;

    @Inject
    PolicyLearner learner;

    @Inject
    ConsumedOffsets offsets;

    @Incoming("transitions")
    public CompletionStage<Void> transitions(Message<byte[]> record) {
        return inbound.process(record, Codecs.TRANSITION_BATCH,
                (batch, source) -> offsets.applyOnce(source, () -> learner.onTransitions(batch, source)));
    }

    @Incoming("rollouts")
    public CompletionStage<Void> rollouts(Message<byte[]> record) {
        return inbound.process(record, Codecs.ROLLOUT_BATCH, (batch, source) -> learner.onRollouts(batch, source));
    }
}

package io.sim2real.policy.learning;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import io.sim2real.service.replay.ConsumedOffsets;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Feeds the learner: environment transitions (rebuilt from the log at start, each applied once) and model
 * rollouts (only new ones matter: MBPO keeps the latest rollouts). Both hand the learner the record's partition and
 * offset, which its checkpoints record.
 *
 * <p>Both run on a worker thread, one record at a time in the channel's order ({@code @Blocking}, ordered): a run's first
 * record builds its learner (a Sac of ND4J arrays, its replay buffers, its checkpoint read from disk), and a record may
 * wait for the learner's lock while the learning thread copies its state; neither may hold up a Vert.x event loop.
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
    @Blocking
    public CompletionStage<Void> transitions(Message<byte[]> record) {
        return inbound.process(record, Codecs.TRANSITION_BATCH,
                (batch, source) -> offsets.applyOnce(source, () -> learner.onTransitions(batch, source)));
    }

    @Incoming("rollouts")
    @Blocking
    public CompletionStage<Void> rollouts(Message<byte[]> record) {
        return inbound.process(record, Codecs.ROLLOUT_BATCH, (batch, source) -> learner.onRollouts(batch, source));
    }
}

package io.sim2real.model.store;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.model.probe.GapProbeService;
import io.sim2real.model.training.LatentTrainer;
import io.sim2real.model.training.ModelTrainer;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import io.smallrye.reactive.messaging.annotations.Blocking;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code sim2real.transitions} into the stores and tells the trainers and the gap probe about new data. It runs
 * on a worker thread, one record at a time in the channel's order ({@code @Blocking}, ordered): a run's first record
 * builds its networks and reads its checkpoints from disk, which is no work for a Vert.x event loop.
 */
@ApplicationScoped
public class TransitionConsumer {

    @Inject
    InboundRecords inbound;

    @Inject
    StoreRegistry stores;

    @Inject
    ModelTrainer trainer;

    @Inject
    LatentTrainer latent;

    @Inject
    GapProbeService probe;

    @Incoming("transitions")
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.process(record, Codecs.TRANSITION_BATCH, (batch, source) -> {
            if (stores.add(batch, source)) {
                trainer.onTransitions(batch.runId(), batch.domain(), batch.size());
                latent.onTransitions(batch.runId(), batch.domain(), batch.size());
                probe.onTransitions(batch.runId(), batch.domain());
            }
        });
    }
}

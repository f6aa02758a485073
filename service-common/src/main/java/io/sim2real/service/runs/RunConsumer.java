package io.sim2real.service.runs;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.service.messaging.InboundRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Every service keeps the current run definitions. The {@code runs} channel is configured once for all
 * services in service-common's microprofile-config.properties: each instance reads the compacted topic
 * whole at start, with a throw-away consumer group.
 *
 * Reads run definitions (and their deletions) from {@code sim2real.runs} into the {@link RunRegistry}. */
@ApplicationScoped
public class RunConsumer {

    @Inject
    InboundRecords inbound;

    @Inject
    RunRegistry registry;

    @Incoming("runs")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        return inbound.processCompacted(record, Codecs.RUN_SPEC, registry::put, registry::remove);
    }
}

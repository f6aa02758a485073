package io.sim2real.env.acting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Sends transition batches to {@code sim2real.transitions}, keyed by run, and waits for the broker's ack. */
@ApplicationScoped
public class TransitionPublisher {

    @Inject
    @Channel("transitions-out")
    MutinyEmitter<Record<String, TransitionBatch>> emitter;

    @Inject
    EnvSpec spec;

    @Inject
    MeterRegistry registry;

    @Inject
    PublishedTransitions published;

    /** Validates first: this service never publishes what its consumers would dead-letter. */
    public void publish(TransitionBatch batch) {
        try {
            batch.validate(spec);
        } catch (InvalidRecordException e) {
            throw new IllegalStateException("refusing to publish an invalid batch: " + e.getMessage(), e);
        }
        emitter.sendAndAwait(Record.of(batch.runId(), batch));
        published.add(batch.runId(), batch.domain(), batch.size());
        Counter.builder("sim2real.env.transitions.published")
                .description("Environment transitions published, by domain")
                .tag("domain", batch.domain().wireName())
                .register(registry)
                .increment(batch.size());
    }
}

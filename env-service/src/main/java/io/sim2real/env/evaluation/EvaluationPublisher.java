package io.sim2real.env.evaluation;

import io.sim2real.contracts.messages.EvaluationResult;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Sends evaluation results to {@code sim2real.evaluations}, keyed by run, and waits for the broker's ack. */
@ApplicationScoped
public class EvaluationPublisher {

    @Inject
    @Channel("evaluations-out")
    MutinyEmitter<Record<String, EvaluationResult>> emitter;

    public void publish(EvaluationResult result) {
        emitter.sendAndAwait(Record.of(result.runId(), result));
    }
}

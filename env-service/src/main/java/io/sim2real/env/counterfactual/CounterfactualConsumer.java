package io.sim2real.env.counterfactual;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.physics.halfcheetah.CounterfactualSimulator;
import io.sim2real.service.messaging.InboundRecords;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Pairs every real-domain TransitionBatch on {@code sim2real.transitions} (env-service's own real collections, dataset
 * replays, a robot bridge's batches) with the nominal simulator's prediction from the same states and actions
 * ({@link CounterfactualSimulator}) and publishes a {@link CounterfactualBatch} on {@code sim2real.counterfactuals},
 * keyed by the run, naming the source record's partition and offset.
 *
 * <p>The channel's consumer group ({@code env-service-counterfactuals}) commits, so several env-service instances
 * share the partitions and a restart goes on from the last record done. Sim-domain batches are acked unread
 * ({@link BatchDomain}). The simulator runs on this class's own thread, one record at a time in offset order; a
 * record is acked only once its pairs are on the broker (a kill pairs it again; consumers apply a source position
 * once). A record none of whose rows the simulator can take is dead-lettered (OUT_OF_RANGE); an invalid batch is
 * dead-lettered by {@link InboundRecords} with its reason.
 */
@ApplicationScoped
public class CounterfactualConsumer {

    private static final Logger LOG = Logger.getLogger(CounterfactualConsumer.class);

    @Inject
    InboundRecords inbound;

    @Inject
    @Channel("counterfactuals-out")
    MutinyEmitter<Record<String, byte[]>> emitter;

    @Inject
    EnvSpec spec;

    @Inject
    MeterRegistry registry;

    /** Whether real transitions are paired at all; off, the channel still reads and commits, and pairs nothing. */
    @ConfigProperty(name = "sim2real.env.counterfactuals.enabled", defaultValue = "true")
    boolean enabled;

    /** Simulator envs stepped together: a batch of n rows takes ceil(n / width) steps. */
    @ConfigProperty(name = "sim2real.env.counterfactuals.width", defaultValue = "64")
    int width;

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "counterfactuals");
        t.setDaemon(true);
        return t;
    });
    /** Used on the worker thread only. */
    private CounterfactualSimulator simulator;
    private Counter pairs;
    private Counter skipped;

    @PostConstruct
    void init() {
        if (width < 1) {
            throw new IllegalArgumentException("sim2real.env.counterfactuals.width must be >= 1, got " + width);
        }
        pairs = Counter.builder("sim2real.env.counterfactuals.pairs")
                .description("Counterfactual pairs published on sim2real.counterfactuals (real transitions paired with"
                        + " the simulator's next state)")
                .register(registry);
        skipped = Counter.builder("sim2real.env.counterfactuals.skipped")
                .description("Rows of real transition batches left unpaired: states the simulator cannot take")
                .register(registry);
    }

    @Incoming("counterfactual-sources")
    public CompletionStage<Void> consume(Message<byte[]> record) {
        if (!enabled || BatchDomain.of(record.getPayload()).orElse(null) == Domain.SIM) {
            return record.ack();
        }
        return CompletableFuture.supplyAsync(() -> inbound.process(record, Codecs.TRANSITION_BATCH, this::pairAndPublish),
                worker).thenCompose(done -> done);
    }

    /** On the worker thread. */
    private void pairAndPublish(TransitionBatch batch, IncomingKafkaRecordMetadata<?, ?> source) throws Exception {
        if (batch.domain() != Domain.REAL) {
            return;
        }
        if (source == null) {
            throw new IllegalStateException("a transition batch without its Kafka position cannot be paired");
        }
        if (simulator == null) {
            simulator = new CounterfactualSimulator(width);
        }
        CounterfactualSimulator.Pairs p = simulator.pair(batch.obs(), batch.act(), batch.nextObs());
        skipped.increment(p.skipped());
        if (p.size() == 0) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "each of the batch's "
                    + batch.size() + " rows describes a state the simulator cannot take (a value beyond 1e10, or a step"
                    + " MuJoCo found unstable): no counterfactual pairs");
        }
        CounterfactualBatch out = new CounterfactualBatch(SchemaVersion.CURRENT, batch.runId(), batch.envId(),
                source.getPartition(), source.getOffset(), p.obs(), p.act(), p.realNextObs(), p.simNextObs(),
                p.skipped());
        out.validate(spec);
        byte[] value = Codecs.COUNTERFACTUAL_BATCH.encode(out);
        if (value.length > Topics.MAX_RECORD_BYTES - 1024) {
            throw new InvalidRecordException(InvalidRecordException.Reason.OUT_OF_RANGE, "the batch's " + p.size()
                    + " pairs take " + value.length + " bytes, more than a record may (" + Topics.MAX_RECORD_BYTES
                    + "); publish smaller transition batches");
        }
        emitter.sendAndAwait(Record.of(batch.runId(), value));
        pairs.increment(p.size());
        if (p.skipped() > 0) {
            LOG.warnf("run %s: %d of %d rows of the real batch at %s-%d@%d describe states the simulator cannot take;"
                    + " paired the others", batch.runId(), p.skipped(), batch.size(), source.getTopic(),
                    source.getPartition(), source.getOffset());
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        worker.submit(() -> {
            if (simulator != null) {
                simulator.close();
                simulator = null;
            }
        });
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

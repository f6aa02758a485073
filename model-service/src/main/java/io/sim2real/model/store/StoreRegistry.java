package io.sim2real.model.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.model.training.ModelConfig;
import io.sim2real.replay.TransitionStore;
import io.sim2real.service.replay.ConsumedOffsets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/** The transition stores of every run and domain, and where in the log they end. */
@ApplicationScoped
public class StoreRegistry {

    /** A store's key. */
    public record Key(String runId, Domain domain) {
    }

    @Inject
    ModelConfig config;

    @Inject
    MeterRegistry registry;

    private final Map<Key, TransitionStore> stores = new ConcurrentHashMap<>();
    @Inject
    ConsumedOffsets offsets;

    /** Adds a batch unless this process already applied the record it came in. */
    public boolean add(TransitionBatch batch, IncomingKafkaRecordMetadata<?, ?> source) {
        return offsets.applyOnce(source, () -> store(batch.runId(), batch.domain()).add(batch));
    }

    public TransitionStore store(String runId, Domain domain) {
        return stores.computeIfAbsent(new Key(runId, domain), k -> {
            TransitionStore s = new TransitionStore(config.storeCapacity());
            Gauge.builder("sim2real.model.store.transitions", s, TransitionStore::size)
                    .description("Transitions held in model-service's store, by run and domain")
                    .tag("run", k.runId()).tag("domain", k.domain().wireName()).register(registry);
            return s;
        });
    }

    public Optional<TransitionStore> find(String runId, Domain domain) {
        return Optional.ofNullable(stores.get(new Key(runId, domain)));
    }

    public Map<Key, TransitionStore> all() {
        return Map.copyOf(stores);
    }

}

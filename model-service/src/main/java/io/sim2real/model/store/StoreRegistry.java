package io.sim2real.model.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.model.training.ModelConfig;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.replay.TransitionStore;
import io.sim2real.service.replay.ConsumedOffsets;
import io.sim2real.training.model.RoundData;
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

    /** Transitions of the run's domain this process has added since its start (0 without a store). */
    public long added(String runId, Domain d) {
        return find(runId, d).map(TransitionStore::added).orElse(0L);
    }

    /** Transitions of the run's domain the store holds now (0 without a store). */
    public int size(String runId, Domain d) {
        return find(runId, d).map(TransitionStore::size).orElse(0);
    }

    /** What the store holds of the run's domain now (none without a store). */
    public Transitions held(String runId, Domain d) {
        return find(runId, d).map(s -> of(s.snapshot())).orElse(RoundData.none());
    }

    /**
     * The run's transitions of a domain as the store received them, all of them since its start: a lockstep round
     * covers exactly its first b_r, so a store that has evicted any of them cannot serve it.
     */
    public Transitions sinceStart(String runId, Domain d) {
        Optional<TransitionStore> store = find(runId, d);
        if (store.isEmpty()) {
            return RoundData.none();
        }
        TransitionStore.Snapshot s = store.get().snapshot();
        long dropped = store.get().added() - s.size();
        if (dropped > 0) {
            throw new IllegalStateException("the store no longer holds the run's first transitions (" + dropped
                    + " evicted; sim2real.model.store-capacity)");
        }
        return of(s);
    }

    private static Transitions of(TransitionStore.Snapshot s) {
        return new Transitions(s.obs(), s.act(), s.rew(), s.nextObs());
    }

}

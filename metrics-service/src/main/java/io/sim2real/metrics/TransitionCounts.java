package io.sim2real.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.TransitionBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts environment transitions per run and domain, exported as {@code sim2real_transitions_total{run,domain}}.
 */
@ApplicationScoped
public class TransitionCounts {

    public static final String METRIC = "sim2real.transitions";

    private record RunDomain(String run, Domain domain) {
    }

    @Inject
    MeterRegistry registry;

    private final Map<RunDomain, Counter> counters = new ConcurrentHashMap<>();

    public void record(TransitionBatch batch) {
        counters.computeIfAbsent(new RunDomain(batch.runId(), batch.domain()), key -> Counter.builder(METRIC)
                        .description("Environment transitions received, by run and domain")
                        .tag("run", key.run())
                        .tag("domain", key.domain().wireName())
                        .register(registry))
                .increment(batch.size());
    }

    /** Counts so far: run, then domain, then transitions. */
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        counters.forEach((key, counter) -> out.computeIfAbsent(key.run(), r -> new TreeMap<>())
                .put(key.domain().wireName(), (long) counter.count()));
        return out;
    }
}

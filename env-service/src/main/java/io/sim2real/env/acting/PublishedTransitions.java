package io.sim2real.env.acting;

import io.sim2real.contracts.Domain;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Transitions this env-service process has published on {@code sim2real.transitions} (acknowledged by the
 * broker), per run and domain: collections and dataset replays alike. Kept in memory from the process's start.
 */
@ApplicationScoped
public class PublishedTransitions {

    private final Map<String, AtomicLongArray> counts = new ConcurrentHashMap<>();

    public void add(String runId, Domain domain, long transitions) {
        counts.computeIfAbsent(runId, id -> new AtomicLongArray(Domain.values().length))
                .addAndGet(domain.ordinal(), transitions);
    }

    /** Forgets the counts of the runs given: they are not this instance's, or are about to be counted afresh. */
    public void forget(java.util.function.Predicate<String> runIds) {
        counts.keySet().removeIf(runIds);
    }

    /** The run's published transitions in the given domains (each domain counted once). */
    public long count(String runId, Collection<Domain> domains) {
        AtomicLongArray c = counts.get(runId);
        if (c == null) {
            return 0;
        }
        long sum = 0;
        for (Domain d : domains.isEmpty() ? EnumSet.noneOf(Domain.class) : EnumSet.copyOf(domains)) {
            sum += c.get(d.ordinal());
        }
        return sum;
    }
}

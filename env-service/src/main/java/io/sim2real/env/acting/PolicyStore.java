package io.sim2real.env.acting;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.nn.LatestPolicies;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The newest policy snapshot of each run, as read from {@code sim2real.policies}; a lockstep collection waits
 * here for one that has trained on enough environment steps.
 */
@ApplicationScoped
public class PolicyStore {

    /** How often a waiter checks its stop condition when no snapshot arrives. */
    private static final long CHECK_MILLIS = 200;

    private final LatestPolicies latest = new LatestPolicies();
    private final Object arrivals = new Object();

    /** Keeps the snapshot if it is the run's newest; refuses one whose network cannot be built. */
    public void put(PolicySnapshot snapshot) throws InvalidRecordException {
        latest.put(snapshot);
        wakeWaiters();
    }

    public Optional<PolicySnapshot> latest(String runId) {
        return latest.latest(runId);
    }

    /**
     * Blocks the calling thread (never an event-loop thread) until the run's newest snapshot has
     * {@code envStep >= minEnvStep}, and returns it; returns empty when {@code timeout} passes or {@code stop}
     * becomes true first (checked at every arrival, at {@link #wakeWaiters()} and every 200 ms).
     */
    public Optional<PolicySnapshot> awaitEnvStep(String runId, long minEnvStep, Duration timeout, BooleanSupplier stop)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrivals) {
            while (true) {
                Optional<PolicySnapshot> newest = latest(runId);
                if (newest.isPresent() && newest.get().envStep() >= minEnvStep) {
                    return newest;
                }
                long left = deadline - System.nanoTime();
                if (stop.getAsBoolean() || left <= 0) {
                    return Optional.empty();
                }
                arrivals.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), CHECK_MILLIS)));
            }
        }
    }

    /** Makes every waiter check its condition now (a collection was cancelled). */
    public void wakeWaiters() {
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
    }
}

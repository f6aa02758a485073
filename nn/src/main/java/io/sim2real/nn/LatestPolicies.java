package io.sim2real.nn;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The newest usable policy snapshot of each run (what a service keeps from {@code sim2real.policies}). */
public final class LatestPolicies {

    private final Map<String, PolicySnapshot> latest = new ConcurrentHashMap<>();

    /** Keeps the snapshot if it is its run's newest; one whose network cannot be built is refused with the reason. */
    public void put(PolicySnapshot snapshot) throws InvalidRecordException {
        try {
            PolicySnapshots.toActor(snapshot, 1);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(InvalidRecordException.Reason.MALFORMED, e.getMessage(), e);
        }
        latest.merge(snapshot.runId(), snapshot, (old, now) -> now.version() >= old.version() ? now : old);
    }

    public Optional<PolicySnapshot> latest(String runId) {
        return Optional.ofNullable(latest.get(runId));
    }
}

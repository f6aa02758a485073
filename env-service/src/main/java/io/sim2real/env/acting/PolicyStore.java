package io.sim2real.env.acting;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.nn.PolicySnapshots;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The newest policy snapshot of each run, as read from {@code sim2real.policies}. */
@ApplicationScoped
public class PolicyStore {

    private final Map<String, PolicySnapshot> latest = new ConcurrentHashMap<>();

    /** Keeps the snapshot if it is the run's newest; refuses one whose network cannot be built. */
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

package io.sim2real.env.acting;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.nn.LatestPolicies;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The newest policy snapshot of each run, as read from {@code sim2real.policies}. */
@ApplicationScoped
public class PolicyStore {

    private final LatestPolicies latest = new LatestPolicies();

    /** Keeps the snapshot if it is the run's newest; refuses one whose network cannot be built. */
    public void put(PolicySnapshot snapshot) throws InvalidRecordException {
        latest.put(snapshot);
    }

    public Optional<PolicySnapshot> latest(String runId) {
        return latest.latest(runId);
    }
}

package io.sim2real.training.acting;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import java.util.List;
import java.util.Optional;

/** Behaviour policies by name. */
public final class BehaviourPolicies {

    public static final List<String> NAMES = List.of("random", "scripted", "snapshot");

    private BehaviourPolicies() {
    }

    /**
     * A policy by name; "snapshot" acts with the run's newest policy snapshot ({@code snapshot}), sampling
     * actions, or their squashed mean when {@code deterministic}.
     */
    public static BehaviourPolicy create(String name, EnvSpec spec, long seed, Optional<PolicySnapshot> snapshot,
                                         boolean deterministic) {
        return switch (name == null ? "random" : name) {
            case "random" -> new RandomPolicy(spec, seed);
            case "scripted" -> new ScriptedPolicy();
            case "snapshot" -> new SnapshotPolicy(snapshot.orElseThrow(() -> new IllegalArgumentException(
                    "policy 'snapshot': no policy snapshot has been published for this run yet")), deterministic, seed);
            default -> throw new IllegalArgumentException("unknown behaviour policy '" + name + "' (known: " + NAMES + ")");
        };
    }
}

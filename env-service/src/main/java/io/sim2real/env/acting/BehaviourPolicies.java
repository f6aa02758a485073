package io.sim2real.env.acting;

import io.sim2real.contracts.EnvSpec;
import java.util.List;

/** Behaviour policies by name. */
public final class BehaviourPolicies {

    public static final List<String> NAMES = List.of("random", "scripted");

    private BehaviourPolicies() {
    }

    public static BehaviourPolicy create(String name, EnvSpec spec, long seed) {
        return switch (name == null ? "random" : name) {
            case "random" -> new RandomPolicy(spec, seed);
            case "scripted" -> new ScriptedPolicy();
            default -> throw new IllegalArgumentException("unknown behaviour policy '" + name + "' (known: " + NAMES
                    + "; policies from snapshots come with the policy-service)");
        };
    }
}

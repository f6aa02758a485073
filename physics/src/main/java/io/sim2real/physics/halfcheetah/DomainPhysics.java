package io.sim2real.physics.halfcheetah;

import io.sim2real.contracts.PerturbationKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The physics of one domain: a factor per perturbation kind (kinds not named keep their neutral value).
 * {@code moveAttachments} decides what a length change does to the bodies attached to the changed segment:
 * true (the default) moves them with the segment's end, so the robot's proportions change; false keeps them
 * where they were, so only the capsule grows.
 */
public final class DomainPhysics {

    private final Map<PerturbationKind, Double> factors;
    private final boolean moveAttachments;

    private DomainPhysics(Map<PerturbationKind, Double> factors, boolean moveAttachments) {
        EnumMap<PerturbationKind, Double> copy = new EnumMap<>(PerturbationKind.class);
        copy.putAll(factors); // not new EnumMap<>(factors): that refuses an empty map that is not an EnumMap
        this.factors = Collections.unmodifiableMap(copy);
        this.moveAttachments = moveAttachments;
    }

    public static DomainPhysics neutral() {
        return new DomainPhysics(new EnumMap<>(PerturbationKind.class), true);
    }

    /** From wire names ("gravity" -> 1.5); unknown kinds and out-of-range factors are rejected. */
    public static DomainPhysics of(Map<String, Double> byName) {
        DomainPhysics physics = neutral();
        for (Map.Entry<String, Double> e : byName.entrySet()) {
            PerturbationKind kind = PerturbationKind.fromWire(e.getKey()).orElseThrow(() ->
                    new IllegalArgumentException("unknown perturbation kind '" + e.getKey() + "'"));
            physics = physics.with(kind, e.getValue());
        }
        return physics;
    }

    public DomainPhysics with(PerturbationKind kind, double value) {
        if (!Double.isFinite(value) || value < kind.min() || value > kind.max()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s factor %s is outside [%s, %s]",
                    kind.wireName(), value, kind.min(), kind.max()));
        }
        if (kind.integral() && value != Math.rint(value)) {
            throw new IllegalArgumentException(kind.wireName() + " must be a whole number of steps, was " + value);
        }
        EnumMap<PerturbationKind, Double> copy = new EnumMap<>(PerturbationKind.class);
        copy.putAll(factors);
        copy.put(kind, value);
        return new DomainPhysics(copy, moveAttachments);
    }

    public DomainPhysics withMoveAttachments(boolean move) {
        return new DomainPhysics(factors, move);
    }

    public double factor(PerturbationKind kind) {
        return factors.getOrDefault(kind, kind.neutral());
    }

    public boolean moveAttachments() {
        return moveAttachments;
    }

    /** Factors that differ from neutral, by wire name, for descriptions and records. */
    public Map<String, Double> changed() {
        Map<String, Double> out = new java.util.TreeMap<>();
        factors.forEach((k, v) -> {
            if (v != k.neutral()) {
                out.put(k.wireName(), v);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return changed().isEmpty() ? "neutral" : changed() + (moveAttachments ? "" : " (attachments fixed)");
    }
}

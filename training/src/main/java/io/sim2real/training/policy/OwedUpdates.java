package io.sim2real.training.policy;

/**
 * How many SAC updates a run's transitions owe: G ({@code updatesPerStep}) per transition of its training domains
 * from the {@code learnerMinTransitions}-th on (MBPO's warm-up owes nothing). Counted cumulatively, so a fractional
 * G owes the same total however the transitions arrive in batches: the first n counted transitions owe
 * floor(G · n).
 */
public record OwedUpdates(double updatesPerStep, long minTransitions) {

    public OwedUpdates {
        if (!(updatesPerStep >= 0) || minTransitions < 1) {
            throw new IllegalArgumentException("need updatesPerStep >= 0 and minTransitions >= 1");
        }
    }

    /** The updates owed by the first {@code transitions} transitions of the run, in total. */
    public long total(long transitions) {
        long counted = Math.max(0, transitions - (minTransitions - 1));
        return (long) Math.floor(updatesPerStep * counted + 1e-9);
    }

    /** The updates owed by the transitions after the first {@code before}, up to the {@code after}-th. */
    public long between(long before, long after) {
        return total(after) - total(before);
    }
}

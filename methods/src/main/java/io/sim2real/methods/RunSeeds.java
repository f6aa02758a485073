package io.sim2real.methods;

/**
 * The one seed derivation of a run: every random stream of a run (SAC's networks, the learner's batches, the dynamics
 * ensemble, the latent model, each model round's rollouts, the environments) comes from the RunSpec's {@code seed}
 * and the stream's purpose, never from the run id, so the same RunSpec content under another run id is the same run.
 * A stream's seed is SplitMix64's finaliser of {@code seed + golden · (purpose id + 1) + index · odd}, the purpose ids
 * below being part of the contract (docs/CONTRACTS.md, "Seeds").
 */
public record RunSeeds(long seed) {

    /** The random streams of a run, with their fixed ids. */
    public enum Stream {
        /** SAC's initial weights and its sampling noise. */
        SAC(0),
        /** The learner's draws of batch rows. */
        BATCHES(1),
        /** The dynamics ensemble of MBPO runs, and the sim ensemble of latent runs. */
        ENSEMBLE(2),
        /** The latent model's networks and its joint training (index: the round). */
        LATENT(3),
        /** The start states, actions and sampled predictions of a round's rollouts (index: the round). */
        ROLLOUTS(4),
        /** The environments and actions of a collection (index: the collection's ordinal in the run). */
        COLLECTION(5);

        private final int id;

        Stream(int id) {
            this.id = id;
        }
    }

    /** The seed of a stream. */
    public long of(Stream stream) {
        return of(stream, 0);
    }

    /** The seed of the index-th stream of a kind (a round, a collection). */
    public long of(Stream stream, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream.id + 1) + index * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package io.sim2real.methods;

/**
 * Lockstep, defined once: what acts, what each model round covers and which rollouts each SAC update may use, as a
 * function of the run's settings and the count of its training-domain transitions (1-based, in publish order). The
 * in-process runner follows it step by step; the services follow it over Kafka (env-service by chunks, model-service by
 * round boundaries, policy-service by the rollouts it waits for), so that both make the same run.
 *
 * <ul>
 *   <li><b>Chunks.</b> Chunk c (c ≥ 1) is transitions (c−1)·K+1 … c·K, K = {@code lockstepChunk}. A chunk inside the
 *   first {@code initialRandomSteps} (a multiple of K) acts with uniform random actions; every later chunk acts with the
 *   policy after every update owed by the transitions before it ({@link #actingPolicyEnvStep}).</li>
 *   <li><b>Model rounds.</b> Round r (r ≥ 1) fits the model to transitions 1 … b_r, b_1 = {@code modelMinTransitions}
 *   and b_{r+1} = b_r + {@code trainEvery}, each rounded up to a multiple of K, so rounds fall on chunk boundaries; its
 *   rollouts act with the policy after every update owed by transitions ≤ b_r.</li>
 *   <li><b>Which rollouts an update uses.</b> The updates owed by a transition of chunk c mix in the rollouts of the
 *   newest round with b_r ≤ (c − 1 − {@code modelLag})·K, and only those (none before the first round: environment rows
 *   only). With modelLag 0 the learner waits for the round that covers the data before the chunk; with modelLag 1 it
 *   uses the round before, so that a round trains while the learner pays the next chunk.</li>
 *   <li><b>Two domains, a dataset.</b> A run that trains on sim and on a real dataset ({@code realDomain.source}, its
 *   {@code datasetRows} transitions) counts only its sim transitions, the ones it steps: chunks, rounds, snapshots'
 *   envSteps and owed updates are all in sim transitions, as above. The dataset is wholly the run's before its first
 *   update and its first round: the update owed by the n-th sim transition draws its environment rows from the dataset
 *   and the first n sim transitions ({@link #environmentRows}, the dataset first), and round r covers the first b_r sim
 *   transitions and the whole dataset. So neither the order in which real and sim records arrive nor when matters.</li>
 * </ul>
 *
 * @param datasetRows the real dataset's transitions that precede every counted one (0: a run on one domain)
 */
public record LockstepSchedule(long chunk, long initialRandomSteps, long firstRound, long roundEvery, int modelLag,
                               long datasetRows) {

    public LockstepSchedule {
        if (chunk < 1 || initialRandomSteps < 0 || initialRandomSteps % chunk != 0 || firstRound < chunk
                || firstRound % chunk != 0 || roundEvery < chunk || roundEvery % chunk != 0 || modelLag < 0 || modelLag > 1
                || datasetRows < 0) {
            throw new IllegalArgumentException("a lockstep schedule needs chunk >= 1, and initial random steps, the first "
                    + "round and the rounds' spacing as multiples of the chunk, modelLag 0 or 1 and no negative dataset");
        }
    }

    public LockstepSchedule(long chunk, long initialRandomSteps, long firstRound, long roundEvery, int modelLag) {
        this(chunk, initialRandomSteps, firstRound, roundEvery, modelLag, 0);
    }

    /** The same schedule for a run whose real dataset of {@code rows} transitions precedes its counted ones. */
    public LockstepSchedule withDataset(long rows) {
        return new LockstepSchedule(chunk, initialRandomSteps, firstRound, roundEvery, modelLag, rows);
    }

    /** Whether the run also trains on a real dataset (two domains). */
    public boolean hasDataset() {
        return datasetRows > 0;
    }

    /** The environment rows the updates owed by the n-th counted transition draw from: the dataset, then n of them. */
    public long environmentRows(long transition) {
        return datasetRows + transition;
    }

    /**
     * The schedule of a lockstep run with rounds: its first round and their spacing rounded up to whole chunks (a first
     * round of 0 or fewer transitions is at the first chunk boundary).
     */
    public static LockstepSchedule of(long chunk, long initialRandomSteps, long modelMinTransitions, long trainEvery,
                                      int modelLag) {
        return new LockstepSchedule(chunk, initialRandomSteps, wholeChunks(modelMinTransitions, chunk),
                wholeChunks(trainEvery, chunk), modelLag);
    }

    /** The schedule of a lockstep run without a model (SAC): chunks and random steps, no round ever. */
    public static LockstepSchedule withoutRounds(long chunk, long initialRandomSteps) {
        long never = Long.MAX_VALUE / 4 / chunk * chunk;
        return new LockstepSchedule(chunk, initialRandomSteps, never, never, 0);
    }

    /** Whether the schedule has model rounds. */
    public boolean hasRounds() {
        return firstRound < Long.MAX_VALUE / 4 / chunk * chunk;
    }

    private static long wholeChunks(long n, long chunk) {
        return Math.max(1, n <= 0 ? 1 : (n + chunk - 1) / chunk) * chunk;
    }

    /** The 1-based chunk of the n-th transition. */
    public long chunkOf(long transition) {
        return (transition - 1) / chunk + 1;
    }

    /** Whether chunk c acts with random actions. */
    public boolean random(long chunkIndex) {
        return chunkIndex * chunk <= initialRandomSteps;
    }

    /** The envStep of the policy chunk c acts with: every update owed by the transitions before it paid. */
    public long actingPolicyEnvStep(long chunkIndex) {
        return (chunkIndex - 1) * chunk;
    }

    /** b_r: the transitions round r (≥ 1) covers. */
    public long roundCovers(long round) {
        return firstRound + (round - 1) * roundEvery;
    }

    /** The round whose rollouts the updates owed by the n-th transition mix in; 0 for none. */
    public long roundFor(long transition) {
        long before = (chunkOf(transition) - 1 - modelLag) * chunk;
        if (before < firstRound) {
            return 0;
        }
        return (before - firstRound) / roundEvery + 1;
    }

    /** Whether a model round falls when the run has {@code transitions} (it covers exactly those). */
    public boolean roundAt(long transitions) {
        return transitions >= firstRound && (transitions - firstRound) % roundEvery == 0;
    }
}

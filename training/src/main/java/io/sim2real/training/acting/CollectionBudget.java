package io.sim2real.training.acting;

/**
 * The env-step arithmetic of one collection, apart from the envs and Kafka. A collection accounts for exactly
 * {@code envSteps} env steps, whatever its number of envs, batch size or restarts: each step's transition is
 * published, or dropped because its physics went unstable (and counted as such).
 *
 * <p>The envs step together, {@code numEnvs} at a time. Every vector step keeps all their results except the
 * collection's last, which keeps the first {@link #nextStep} envs' only: the others' steps are neither published
 * nor counted, and their episodes end one step earlier, as every episode in progress ends with the collection.
 * A chunk ({@link #chunkEnd}) ends after whole vector steps, so no episode has a gap. A collection resumed after a
 * restart owes {@code envSteps} less the transitions it had published ({@link #resumeAfter}): steps it had dropped
 * before the restart are taken again, as they were not counted anywhere a restart can read.
 */
public final class CollectionBudget {

    private final long envSteps;
    private final int numEnvs;
    private long accounted;

    public CollectionBudget(long envSteps, int numEnvs) {
        if (envSteps < 0) {
            throw new IllegalArgumentException("envSteps must be >= 0, got " + envSteps);
        }
        if (numEnvs < 1) {
            throw new IllegalArgumentException("numEnvs must be >= 1, got " + numEnvs);
        }
        this.envSteps = envSteps;
        this.numEnvs = numEnvs;
    }

    /** Goes on from {@code published} transitions published before a restart; call before the first step. */
    public void resumeAfter(long published) {
        if (published < 0) {
            throw new IllegalArgumentException("published must be >= 0, got " + published);
        }
        if (accounted != 0) {
            throw new IllegalStateException("resumeAfter must come before the first step");
        }
        // More than envSteps only for a collection that overshot before budgets were exact: it owes nothing.
        accounted = published;
    }

    /** Where a chunk of {@code steps} more env steps from here ends, never past the budget. */
    public long chunkEnd(long steps) {
        return Math.min(envSteps, accounted + Math.max(0, steps));
    }

    /**
     * How many envs' results (the first ones) the next vector step keeps on the way to {@code chunkEnd}: all
     * {@code numEnvs}, fewer only at the last step of the collection, 0 once the chunk is done.
     */
    public int nextStep(long chunkEnd) {
        if (accounted >= Math.min(chunkEnd, envSteps)) {
            return 0;
        }
        return (int) Math.min(numEnvs, envSteps - accounted);
    }

    /** Records a vector step that kept {@code kept} results (published or dropped as unstable). */
    public void took(int kept) {
        if (kept < 0 || kept > numEnvs || accounted + kept > Math.max(envSteps, accounted)) {
            throw new IllegalArgumentException("cannot keep " + kept + " results with " + remaining() + " steps left");
        }
        accounted += kept;
    }

    /** Env steps accounted for so far: published or dropped, those published before a restart included. */
    public long accounted() {
        return accounted;
    }

    public long remaining() {
        return Math.max(0, envSteps - accounted);
    }

    public boolean spent() {
        return accounted >= envSteps;
    }

    /**
     * The first episode id of a resumed part, past every id published before the restart, whose episode ids are
     * {@code count * numEnvs + env}: the next multiple of {@code numEnvs} above {@code maxEpisodeId} (0 when nothing
     * was published, {@code maxEpisodeId} -1).
     */
    public static long episodeIdOffset(long maxEpisodeId, int numEnvs) {
        return maxEpisodeId < 0 ? 0 : (maxEpisodeId / numEnvs + 1) * numEnvs;
    }
}

package io.sim2real.datasets;

import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.Checks;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole dataset in memory, column by column (row i of every column is transition i), in the order it
 * was recorded. Immutable: only {@link DatasetWriter} and {@link DatasetReader} make one, always complete
 * and valid, and every accessor hands out copies.
 */
public final class Dataset {

    private final DatasetHeader header;
    // Package-private so the writer can stream the columns to a file without copying them.
    final long[] episodeIds;
    final int[] stepIndices;
    final double[][] obs;
    final double[][] act;
    final double[] rew;
    final double[][] nextObs;
    final boolean[] done;
    final boolean[] truncated;

    /** Takes ownership of the arrays; callers have validated the rows and computed the header from them. */
    Dataset(DatasetHeader header, long[] episodeIds, int[] stepIndices, double[][] obs, double[][] act, double[] rew,
            double[][] nextObs, boolean[] done, boolean[] truncated) {
        int n = rew.length;
        if (header.transitions() != n || episodeIds.length != n || stepIndices.length != n || obs.length != n
                || act.length != n || nextObs.length != n || done.length != n || truncated.length != n) {
            throw new IllegalArgumentException("columns disagree with each other or with the header's "
                    + header.transitions() + " transitions");
        }
        this.header = header;
        this.episodeIds = episodeIds;
        this.stepIndices = stepIndices;
        this.obs = obs;
        this.act = act;
        this.rew = rew;
        this.nextObs = nextObs;
        this.done = done;
        this.truncated = truncated;
    }

    public DatasetHeader header() {
        return header;
    }

    /** Number of transitions. */
    public int size() {
        return rew.length;
    }

    /** Transition {@code i}, as a copy. */
    public Transition transition(int i) {
        return new Transition(episodeIds[i], stepIndices[i], obs[i].clone(), act[i].clone(), rew[i],
                nextObs[i].clone(), done[i], truncated[i]);
    }

    /**
     * The dataset as TransitionBatch messages of at most {@code batchSize} rows, in order (the last one
     * may be shorter). Domain from the header, policy version 0 (the policy that collected an offline
     * dataset is not one of the run's snapshots). Batches share no arrays with the dataset.
     *
     * @throws IllegalArgumentException if {@code runId} or {@code envId} would make the batches invalid,
     *         or {@code batchSize < 1}
     */
    public List<TransitionBatch> toBatches(String runId, String envId, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize is " + batchSize + ", must be >= 1");
        }
        try {
            Checks.validRunId(runId);
            Checks.text(envId, "envId");
        } catch (InvalidRecordException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        int n = size();
        List<TransitionBatch> batches = new ArrayList<>((n + batchSize - 1) / batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            batches.add(new TransitionBatch(SchemaVersion.CURRENT, runId, header.domain(), envId, 0,
                    Arrays.copyOfRange(episodeIds, from, to), Arrays.copyOfRange(stepIndices, from, to),
                    copyRows(obs, from, to), copyRows(act, from, to), Arrays.copyOfRange(rew, from, to),
                    copyRows(nextObs, from, to), Arrays.copyOfRange(done, from, to),
                    Arrays.copyOfRange(truncated, from, to)));
        }
        return batches;
    }

    private static double[][] copyRows(double[][] rows, int from, int to) {
        double[][] copy = new double[to - from][];
        for (int i = from; i < to; i++) {
            copy[i - from] = rows[i].clone();
        }
        return copy;
    }

    @Override
    public String toString() {
        return "Dataset[" + header.envName() + ", " + header.domain().wireName() + ", " + header.behaviour() + ", "
                + size() + " transitions]";
    }
}

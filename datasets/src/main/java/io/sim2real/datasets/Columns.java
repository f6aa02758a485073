package io.sim2real.datasets;

/** A dataset's column arrays while they are filled row by row (by the reader and by the writer). */
final class Columns {

    private final long[] episodeIds;
    private final int[] steps;
    private final double[][] obs;
    private final double[][] act;
    private final double[] rew;
    private final double[][] nextObs;
    private final boolean[] done;
    private final boolean[] truncated;

    Columns(int n) {
        episodeIds = new long[n];
        steps = new int[n];
        obs = new double[n][];
        act = new double[n][];
        rew = new double[n];
        nextObs = new double[n][];
        done = new boolean[n];
        truncated = new boolean[n];
    }

    void set(int i, Transition t) {
        episodeIds[i] = t.episodeId();
        steps[i] = t.step();
        obs[i] = t.obs();
        act[i] = t.act();
        rew[i] = t.rew();
        nextObs[i] = t.nextObs();
        done[i] = t.done();
        truncated[i] = t.truncated();
    }

    Dataset toDataset(DatasetHeader header) {
        return new Dataset(header, episodeIds, steps, obs, act, rew, nextObs, done, truncated);
    }
}

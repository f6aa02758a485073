package io.sim2real.nn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MBPO's probabilistic dynamics model: an ensemble predicting (next observation - observation, reward) from
 * (observation, action), with standardised inputs and targets, trained with a hold-out set, early stopping
 * and elites; rollouts sample a random elite per transition (TS1) and draw from its Gaussian.
 */
public final class DynamicsModel implements RolloutModel {

    /** What a training round did. */
    public record TrainingReport(int epochs, double trainNll, double[] initialHoldoutMse, double[] holdoutMse,
                                 int[] elites, int trainRows, int holdoutRows, double seconds) {

        /** The mean hold-out error of the elites. */
        public double eliteHoldoutMse() {
            double mse = 0;
            for (int e : elites) {
                mse += holdoutMse[e] / elites.length;
            }
            return mse;
        }
    }

    private final int obsDim;
    private final int actDim;
    private final EnsembleConfig config;
    private final GaussianEnsemble ensemble;
    private final Standardizer inputs;
    private final Standardizer targets;
    private int[] elites;
    private final SplittableRandom random;

    public DynamicsModel(int obsDim, int actDim, EnsembleConfig config) {
        this.obsDim = obsDim;
        this.actDim = actDim;
        this.config = config;
        int maxBatch = Math.max(config.batchSize(), 4096);
        this.ensemble = new GaussianEnsemble(config.members(), obsDim + actDim, config.hidden(), obsDim + 1,
                config.activation(), maxBatch, config.learningRate(), config.weightDecay(), config.boundPenalty(),
                config.threads(), config.seed());
        this.inputs = new Standardizer(obsDim + actDim);
        this.targets = new Standardizer(obsDim + 1);
        this.elites = new int[config.elites()];
        for (int i = 0; i < elites.length; i++) {
            elites[i] = i;
        }
        this.random = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    }

    public int[] elites() {
        return elites.clone();
    }

    /** Sets the elites (as restored from a checkpoint that holds this model). */
    public void setElites(int[] members) {
        if (members.length != elites.length) {
            throw new IllegalArgumentException("expected " + elites.length + " elites, got " + members.length);
        }
        for (int e : members) {
            if (e < 0 || e >= ensemble.members()) {
                throw new IllegalArgumentException("no member " + e);
            }
        }
        elites = members.clone();
    }

    public GaussianEnsemble ensemble() {
        return ensemble;
    }

    /**
     * Trains on n transitions (row i of each array) until the hold-out error stops improving. Standardisation is
     * refitted on the training rows every round, as the data grows.
     */
    public TrainingReport train(double[][] obs, double[][] act, double[] rew, double[][] nextObs, int n) {
        long start = System.nanoTime();
        int holdout = Math.max(1, (int) Math.round(n * config.holdoutRatio()));
        int train = n - holdout;
        if (train < 1) {
            throw new IllegalArgumentException("need at least 2 transitions to train, got " + n);
        }
        int[] order = permutation(n, random);
        INDArray xTrain = F32.zeros(train, obsDim + actDim);
        INDArray yTrain = F32.zeros(train, obsDim + 1);
        INDArray xHold = F32.zeros(holdout, obsDim + actDim);
        INDArray yHold = F32.zeros(holdout, obsDim + 1);
        fill(obs, act, rew, nextObs, order, 0, train, xTrain, yTrain);
        fill(obs, act, rew, nextObs, order, train, n, xHold, yHold);
        inputs.fit(xTrain, train);
        targets.fit(yTrain, train);
        inputs.transform(xTrain, train);
        targets.transform(yTrain, train);
        inputs.transform(xHold, holdout);
        targets.transform(yHold, holdout);

        int members = ensemble.members();
        int batch = Math.min(config.batchSize(), train);
        INDArray[] xb = new INDArray[members];
        INDArray[] yb = new INDArray[members];
        for (int e = 0; e < members; e++) {
            xb[e] = F32.zeros(batch, obsDim + actDim);
            yb[e] = F32.zeros(batch, obsDim + 1);
        }
        double[] best = holdoutErrors(xHold, yHold, holdout);
        double[] initial = best.clone();
        List<List<INDArray>> bestWeights = snapshot();
        int sinceImprovement = 0;
        int epochs = 0;
        double lastNll = Double.NaN;
        int[][] perms = new int[members][];
        while (epochs < config.maxEpochs() && sinceImprovement < config.patience()) {
            for (int e = 0; e < members; e++) {
                perms[e] = permutation(train, random);
            }
            double nllSum = 0;
            int steps = 0;
            for (int from = 0; from + batch <= train; from += batch) {
                for (int e = 0; e < members; e++) {
                    gather(xTrain, perms[e], from, batch, xb[e]);
                    gather(yTrain, perms[e], from, batch, yb[e]);
                }
                nllSum += ensemble.trainStep(xb, yb, batch);
                steps++;
            }
            lastNll = nllSum / Math.max(1, steps);
            epochs++;
            double[] errors = holdoutErrors(xHold, yHold, holdout);
            boolean improved = false;
            for (int e = 0; e < members; e++) {
                if ((best[e] - errors[e]) / best[e] > config.minImprovement()) {
                    best[e] = errors[e];
                    copyMember(e, bestWeights.get(e));
                    improved = true;
                }
            }
            sinceImprovement = improved ? 0 : sinceImprovement + 1;
        }
        for (int e = 0; e < members; e++) {
            restoreMember(e, bestWeights.get(e));
        }
        double[] finalErrors = holdoutErrors(xHold, yHold, holdout);
        Integer[] byError = new Integer[members];
        for (int e = 0; e < members; e++) {
            byError[e] = e;
        }
        Arrays.sort(byError, (a, b) -> Double.compare(finalErrors[a], finalErrors[b]));
        elites = new int[config.elites()];
        for (int i = 0; i < elites.length; i++) {
            elites[i] = byError[i];
        }
        Arrays.sort(elites);
        return new TrainingReport(epochs, lastNll, initial, finalErrors, elites.clone(), train, holdout,
                (System.nanoTime() - start) / 1e9);
    }

    /** How the model does on transitions it was not trained on (a one-step check, e.g. on the other domain). */
    public record Evaluation(double oneStepMse, double disagreement, int rows) {
    }

    /**
     * The elites' mean prediction against the true (next observation - observation, reward), as mean squared
     * error in standardised target units, and the elites' disagreement: the variance of their means around
     * that mean, averaged over rows and dimensions, in the same units.
     */
    public Evaluation evaluate(double[][] obs, double[][] act, double[] rew, double[][] nextObs, int n) {
        int chunk = ensemble.maxBatch();
        int out = obsDim + 1;
        INDArray x = F32.zeros(chunk, obsDim + actDim);
        INDArray y = F32.zeros(chunk, out);
        INDArray[] means = new INDArray[elites.length];
        for (int k = 0; k < elites.length; k++) {
            means[k] = F32.zeros(chunk, out);
        }
        double squaredError = 0;
        double spread = 0;
        int[] identity = new int[chunk];
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            for (int k = 0; k < m; k++) {
                identity[k] = start + k;
            }
            fill(obs, act, rew, nextObs, identity, 0, m, x, y);
            inputs.transform(x, m);
            targets.transform(y, m);
            for (int k = 0; k < elites.length; k++) {
                ensemble.predict(elites[k], x, m, means[k], null);
            }
            FloatBuffer yv = F32.view(y);
            for (int i = 0; i < m * out; i++) {
                double mean = 0;
                for (INDArray mk : means) {
                    mean += F32.view(mk).get(i);
                }
                mean /= elites.length;
                double d = mean - yv.get(i);
                squaredError += d * d;
                for (INDArray mk : means) {
                    double e = F32.view(mk).get(i) - mean;
                    spread += e * e / elites.length;
                }
            }
        }
        return new Evaluation(squaredError / ((double) n * out), spread / ((double) n * out), n);
    }

    /** Fits the standardisation on data without training (a model that starts from random weights). */
    public void fitStandardization(double[][] obs, double[][] act, double[] rew, double[][] nextObs, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        INDArray x = F32.zeros(n, obsDim + actDim);
        INDArray y = F32.zeros(n, obsDim + 1);
        fill(obs, act, rew, nextObs, order, 0, n, x, y);
        inputs.fit(x, n);
        targets.fit(y, n);
    }

    /** Makes this model an exact copy of another of the same shape: weights, bounds, standardisation, elites. */
    public void copyFrom(DynamicsModel other) {
        List<INDArray> mine = ensemble.parameters();
        List<INDArray> theirs = other.ensemble.parameters();
        if (mine.size() != theirs.size() || obsDim != other.obsDim || actDim != other.actDim) {
            throw new IllegalArgumentException("models differ in shape");
        }
        for (int p = 0; p < mine.size(); p++) {
            if (!java.util.Arrays.equals(mine.get(p).shape(), theirs.get(p).shape())) {
                throw new IllegalArgumentException("models differ in shape at parameter " + p);
            }
            mine.get(p).assign(theirs.get(p));
        }
        inputs.restore(other.inputs.state());
        targets.restore(other.targets.state());
        elites = other.elites.clone();
    }

    /** Standardisation of the ensemble's input (observation, action). */
    public Standardizer inputStandardizer() {
        return inputs;
    }

    /** Standardisation of the ensemble's target (observation change, reward). */
    public Standardizer targetStandardizer() {
        return targets;
    }

    public EnsembleConfig config() {
        return config;
    }

    /** Mean squared error of every member on the hold-out set, in standardised target units. */
    private double[] holdoutErrors(INDArray x, INDArray y, int rows) {
        int members = ensemble.members();
        double[] errors = new double[members];
        int chunk = ensemble.maxBatch();
        INDArray scratch = F32.zeros(chunk, obsDim + 1);
        for (int start = 0; start < rows; start += chunk) {
            int m = Math.min(chunk, rows - start);
            INDArray xs = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + m), org.nd4j.linalg.indexing.NDArrayIndex.all());
            INDArray ys = y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + m), org.nd4j.linalg.indexing.NDArrayIndex.all());
            for (int e = 0; e < members; e++) {
                errors[e] += ensemble.meanSquaredError(e, xs, ys, m, scratch) * m / rows;
            }
        }
        return errors;
    }

    /**
     * One model step for each row: a random elite per row, its Gaussian sampled (or its mean when
     * {@code deterministic}). Returns next observations in {@code nextObsOut} and rewards in {@code rewOut}.
     */
    public void step(double[][] obs, double[][] act, int n, boolean deterministic, SplittableRandom rng,
                     double[][] nextObsOut, double[] rewOut) {
        int[] member = new int[n];
        for (int i = 0; i < n; i++) {
            member[i] = elites[rng.nextInt(elites.length)];
        }
        int chunk = ensemble.maxBatch();
        INDArray x = F32.zeros(chunk, obsDim + actDim);
        INDArray mean = F32.zeros(chunk, obsDim + 1);
        INDArray logVar = F32.zeros(chunk, obsDim + 1);
        int[] rows = new int[chunk];
        for (int e : elites) {
            int count = 0;
            for (int i = 0; i <= n; i++) {
                if (i < n && member[i] == e) {
                    rows[count++] = i;
                }
                if (count == chunk || (i == n && count > 0)) {
                    predictRows(e, obs, act, rows, count, x, mean, logVar, deterministic, rng, nextObsOut, rewOut);
                    count = 0;
                }
            }
        }
    }

    private void predictRows(int e, double[][] obs, double[][] act, int[] rows, int count, INDArray x, INDArray mean,
                             INDArray logVar, boolean deterministic, SplittableRandom rng, double[][] nextObsOut,
                             double[] rewOut) {
        FloatBuffer xv = F32.view(x);
        int in = obsDim + actDim;
        for (int k = 0; k < count; k++) {
            int i = rows[k];
            for (int j = 0; j < obsDim; j++) {
                xv.put(k * in + j, (float) ((obs[i][j] - inputs.mean(j)) / inputs.std(j)));
            }
            for (int j = 0; j < actDim; j++) {
                xv.put(k * in + obsDim + j, (float) ((act[i][j] - inputs.mean(obsDim + j)) / inputs.std(obsDim + j)));
            }
        }
        ensemble.predict(e, x, count, mean, logVar);
        FloatBuffer mv = F32.view(mean);
        FloatBuffer lv = F32.view(logVar);
        int out = obsDim + 1;
        for (int k = 0; k < count; k++) {
            int i = rows[k];
            double[] next = nextObsOut[i] == null ? (nextObsOut[i] = new double[obsDim]) : nextObsOut[i];
            for (int j = 0; j < out; j++) {
                double v = mv.get(k * out + j);
                if (!deterministic) {
                    v += Math.exp(0.5 * lv.get(k * out + j)) * rng.nextGaussian();
                }
                v = v * targets.std(j) + targets.mean(j);
                if (j < obsDim) {
                    next[j] = obs[i][j] + v;
                } else {
                    rewOut[i] = v;
                }
            }
        }
    }

    private void fill(double[][] obs, double[][] act, double[] rew, double[][] nextObs, int[] order, int from, int to,
                      INDArray x, INDArray y) {
        FloatBuffer xv = F32.view(x);
        FloatBuffer yv = F32.view(y);
        int in = obsDim + actDim;
        int out = obsDim + 1;
        for (int k = 0; k < to - from; k++) {
            int i = order[from + k];
            for (int j = 0; j < obsDim; j++) {
                xv.put(k * in + j, (float) obs[i][j]);
                yv.put(k * out + j, (float) (nextObs[i][j] - obs[i][j]));
            }
            for (int j = 0; j < actDim; j++) {
                xv.put(k * in + obsDim + j, (float) act[i][j]);
            }
            yv.put(k * out + obsDim, (float) rew[i]);
        }
    }

    private static void gather(INDArray source, int[] perm, int from, int count, INDArray target) {
        FloatBuffer s = F32.view(source);
        FloatBuffer t = F32.view(target);
        int cols = (int) source.columns();
        for (int k = 0; k < count; k++) {
            int row = perm[from + k];
            for (int c = 0; c < cols; c++) {
                t.put(k * cols + c, s.get(row * cols + c));
            }
        }
    }

    private List<List<INDArray>> snapshot() {
        List<List<INDArray>> out = new ArrayList<>();
        for (int e = 0; e < ensemble.members(); e++) {
            List<INDArray> copy = new ArrayList<>();
            for (INDArray p : ensemble.network().parameters(e)) {
                copy.add(p.dup());
            }
            out.add(copy);
        }
        return out;
    }

    private void copyMember(int e, List<INDArray> into) {
        List<INDArray> params = ensemble.network().parameters(e);
        for (int p = 0; p < params.size(); p++) {
            into.get(p).assign(params.get(p));
        }
    }

    private void restoreMember(int e, List<INDArray> from) {
        List<INDArray> params = ensemble.network().parameters(e);
        for (int p = 0; p < params.size(); p++) {
            params.get(p).assign(from.get(p));
        }
    }

    @Override
    public double[][] enter(double[][] obs) {
        return obs;
    }

    @Override
    public double[][] observe(double[][] states) {
        return states;
    }

    @Override
    public void step(double[][] states, double[][] act, int n, SplittableRandom rng, double[][] nextStates, double[] rew) {
        step(states, act, n, false, rng, nextStates, rew);
    }

    /** The checkpoint kind of a dynamics model. */
    public static final String CHECKPOINT_KIND = "dynamics-ensemble";

    /** Saves weights, bounds, standardisation and elites; {@code version} is the model version it records. */
    public void save(java.nio.file.Path file, long version) throws java.io.IOException {
        List<INDArray> arrays = new ArrayList<>(ensemble.parameters());
        arrays.add(row(inputs.state()));
        arrays.add(row(targets.state()));
        float[] e = new float[elites.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = elites[i];
        }
        arrays.add(row(e));
        Checkpoint.save(file, CHECKPOINT_KIND, java.util.Map.of("version", version, "obsDim", obsDim, "actDim", actDim,
                "members", ensemble.members(), "hidden", config.hidden(), "activation", config.activation().name()), arrays);
    }

    /** Loads a checkpoint of the same shape; returns the model version it recorded. */
    public long load(java.nio.file.Path file) {
        Checkpoint.Loaded loaded = Checkpoint.load(file, CHECKPOINT_KIND);
        List<INDArray> arrays = new ArrayList<>(ensemble.parameters());
        INDArray in = F32.zeros(1, 2L * inputs.columns());
        INDArray out = F32.zeros(1, 2L * targets.columns());
        INDArray el = F32.zeros(1, elites.length);
        arrays.add(in);
        arrays.add(out);
        arrays.add(el);
        loaded.restoreInto(arrays);
        float[] s = new float[2 * inputs.columns()];
        F32.view(in).get(0, s);
        inputs.restore(s);
        float[] t = new float[2 * targets.columns()];
        F32.view(out).get(0, t);
        targets.restore(t);
        for (int i = 0; i < elites.length; i++) {
            elites[i] = (int) F32.view(el).get(i);
        }
        return ((Number) loaded.header().meta().get("version")).longValue();
    }

    private static INDArray row(float[] values) {
        INDArray a = F32.zeros(1, values.length);
        F32.view(a).put(0, values);
        return a;
    }

    private static int[] permutation(int n, SplittableRandom r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

}

package io.sim2real.nn.calibration;

import io.sim2real.nn.Activation;
import io.sim2real.nn.Adam;
import io.sim2real.nn.EnsembleMlp;
import io.sim2real.nn.F32;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DARC's domain classifiers (Eysenbach et al. 2021, "Off-Dynamics Reinforcement Learning"): two binary classifiers
 * real-vs-sim, one on (s, a, s') and one on (s, a). With each classifier's logit corrected for the class priors
 * (log n_real / n_sim of its training set), the dynamics log-ratio of a transition is
 * <pre>
 *   Δr(s, a, s') = log p(real|s,a,s') − log p(sim|s,a,s') − [log p(real|s,a) − log p(sim|s,a)]
 *                ≈ log P_real(s'|s,a) − log P_sim(s'|s,a)
 * </pre>
 * (the (s, a) term removes what the (s, a, s') classifier learns from the two sides visiting different states and
 * taking different actions). Its mean over held-out real transitions estimates KL(P_real ‖ P_sim) of the dynamics,
 * in nats, averaged over the real side's states and actions.
 *
 * <p>Choices, all in {@link Config}: small ReLU MLPs (two hidden layers of 64), inputs standardised by the training
 * rows' mean and standard deviation, binary cross-entropy on the logit, Adam, a fixed number of epochs, a seeded
 * held-out split. The (s, a, s') classifier is fed (s, a, s' − s): s' is dominated by s (the state's spread is much
 * larger than one step's change in the position dimensions), so after standardisation the change, which carries the
 * dynamics, would be a small difference of two large inputs; fed directly, it is a unit-scale input.
 *
 * <p>The held-out split draws one permutation per side from the seed; sides of equal size get the same permutation,
 * so a counterfactual sim side (f_sim from the real side's states and actions, row for row) is split with its real
 * pairs and no held-out pair has its twin in the training set.
 *
 * <p>On deterministic simulators P(s'|s,a) is a point mass and the true KL between different physics is infinite;
 * the estimate is then a finite measure of how separable the two sides' transitions are for this classifier and
 * budget, growing with the gap. Compare values only across the same configuration and data sizes.
 */
public final class DomainClassifiers {

    /**
     * @param hidden           hidden layer widths (ReLU)
     * @param epochs           passes over the training rows, for each classifier
     * @param batchSize        rows per Adam step
     * @param learningRate     Adam's step size
     * @param weightDecay      L2 decay on the weights (not the biases)
     * @param heldOutFraction  share of each side held out for the KL and AUC estimates
     * @param seed             initialisation, split and minibatch order
     */
    public record Config(int[] hidden, int epochs, int batchSize, double learningRate, double weightDecay,
                         double heldOutFraction, long seed) {

        public Config {
            hidden = hidden.clone();
            if (hidden.length == 0 || Arrays.stream(hidden).anyMatch(h -> h < 1)) {
                throw new IllegalArgumentException("hidden widths must be positive, got " + Arrays.toString(hidden));
            }
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batchSize must be positive");
            }
            if (!(learningRate > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("learningRate must be positive and weightDecay non-negative");
            }
            if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
                throw new IllegalArgumentException("heldOutFraction must lie in (0, 1), was " + heldOutFraction);
            }
        }

        /** Two hidden layers of 64, 20 epochs of batches of 256, Adam 1e-3, decay 1e-4, 20% held out. */
        public static Config defaults(long seed) {
            return new Config(new int[] {64, 64}, 20, 256, 1e-3, 1e-4, 0.2, seed);
        }

        public Config withEpochs(int e) {
            return new Config(hidden, e, batchSize, learningRate, weightDecay, heldOutFraction, seed);
        }

        public Config withSeed(long s) {
            return new Config(hidden, epochs, batchSize, learningRate, weightDecay, heldOutFraction, s);
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }
    }

    /**
     * What the held-out rows say.
     *
     * @param klNats       mean Δr over held-out real transitions: the estimated KL(P_real ‖ P_sim) of the dynamics
     * @param auc          AUC of the (s, a, s') classifier on held-out rows of both sides (0.5: indistinguishable)
     * @param stateActionAuc AUC of the (s, a) classifier on held-out rows (how differently the sides visit states
     *                     and act; 0.5 for counterfactual pairs)
     * @param seconds      wall-clock time of training and evaluation
     */
    public record Report(double klNats, double auc, double stateActionAuc, int trainReal, int trainSim,
                         int heldOutReal, int heldOutSim, double seconds) {
    }

    private final Classifier transition;
    private final Classifier stateAction;
    private final Report report;

    private DomainClassifiers(Classifier transition, Classifier stateAction, Report report) {
        this.transition = transition;
        this.stateAction = stateAction;
        this.report = report;
    }

    /**
     * Trains both classifiers on the training share of each side and evaluates them on the held-out share.
     * Each side needs at least 10 rows (so that both shares hold some).
     */
    public static DomainClassifiers train(TransitionRows real, TransitionRows sim, Config config) {
        long start = System.nanoTime();
        if (real.size() < 10 || sim.size() < 10) {
            throw new IllegalArgumentException("need at least 10 rows a side, got " + real.size() + " real, " + sim.size() + " sim");
        }
        if (real.obsDim() != sim.obsDim() || real.actDim() != sim.actDim()) {
            throw new IllegalArgumentException("real and sim rows differ in shape");
        }
        int[][] realSplit = split(real.size(), config);
        int[][] simSplit = split(sim.size(), config);
        Classifier sas = Classifier.train(true, real, realSplit[0], sim, simSplit[0], config, config.seed());
        Classifier sa = Classifier.train(false, real, realSplit[0], sim, simSplit[0], config, config.seed() + 1);

        double[] realTransition = sas.logRatio(real, realSplit[1]);
        double[] realStateAction = sa.logRatio(real, realSplit[1]);
        double[] simTransition = sas.logRatio(sim, simSplit[1]);
        double[] simStateAction = sa.logRatio(sim, simSplit[1]);
        double kl = 0;
        for (int i = 0; i < realTransition.length; i++) {
            kl += realTransition[i] - realStateAction[i];
        }
        kl /= realTransition.length;
        Report report = new Report(kl, RankCorrelation.auc(realTransition, simTransition),
                RankCorrelation.auc(realStateAction, simStateAction), realSplit[0].length, simSplit[0].length,
                realSplit[1].length, simSplit[1].length, (System.nanoTime() - start) / 1e9);
        return new DomainClassifiers(sas, sa, report);
    }

    public Report report() {
        return report;
    }

    /** Δr(s, a, s') of every row: the estimated log P_real(s'|s,a) − log P_sim(s'|s,a). */
    public double[] logRatio(TransitionRows rows) {
        int[] all = new int[rows.size()];
        Arrays.setAll(all, i -> i);
        double[] t = transition.logRatio(rows, all);
        double[] sa = stateAction.logRatio(rows, all);
        for (int i = 0; i < t.length; i++) {
            t[i] -= sa[i];
        }
        return t;
    }

    /** {training rows, held-out rows} of one side: a seeded permutation, the held-out share at its end. */
    static int[][] split(int n, Config config) {
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        shuffle(perm, new SplittableRandom(config.seed() ^ 0x5EED5EEDL));
        int heldOut = Math.max(1, Math.min(n - 1, (int) Math.round(n * config.heldOutFraction())));
        return new int[][] {Arrays.copyOfRange(perm, 0, n - heldOut), Arrays.copyOfRange(perm, n - heldOut, n)};
    }

    static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** One real-vs-sim classifier: its features, standardiser, network and prior correction. */
    private static final class Classifier {

        private final boolean withNext;
        private final double[] mean;
        private final double[] std;
        private final EnsembleMlp net;
        /** log(n_real / n_sim) of the training rows: the logit's prior part, removed from every log-ratio. */
        private final double priorLogOdds;

        private Classifier(boolean withNext, double[] mean, double[] std, EnsembleMlp net, double priorLogOdds) {
            this.withNext = withNext;
            this.mean = mean;
            this.std = std;
            this.net = net;
            this.priorLogOdds = priorLogOdds;
        }

        static int width(boolean withNext, TransitionRows rows) {
            return rows.obsDim() + rows.actDim() + (withNext ? rows.obsDim() : 0);
        }

        /** Row i's features into {@code out} from {@code offset}: s, a and (with next) s' − s. */
        static void features(boolean withNext, TransitionRows rows, int i, float[] out, int offset) {
            double[] s = rows.obs()[i];
            double[] a = rows.act()[i];
            int k = offset;
            for (double v : s) {
                out[k++] = (float) v;
            }
            for (double v : a) {
                out[k++] = (float) v;
            }
            if (withNext) {
                double[] next = rows.nextObs()[i];
                for (int j = 0; j < s.length; j++) {
                    out[k++] = (float) (next[j] - s[j]);
                }
            }
        }

        static Classifier train(boolean withNext, TransitionRows real, int[] realRows, TransitionRows sim, int[] simRows,
                                Config config, long seed) {
            int width = width(withNext, real);
            int n = realRows.length + simRows.length;
            float[] x = new float[n * width];
            float[] y = new float[n];
            for (int k = 0; k < realRows.length; k++) {
                features(withNext, real, realRows[k], x, k * width);
                y[k] = 1;
            }
            for (int k = 0; k < simRows.length; k++) {
                features(withNext, sim, simRows[k], x, (realRows.length + k) * width);
            }
            double[] mean = new double[width];
            double[] std = new double[width];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < width; j++) {
                    mean[j] += x[r * width + j];
                }
            }
            for (int j = 0; j < width; j++) {
                mean[j] /= n;
            }
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < width; j++) {
                    double d = x[r * width + j] - mean[j];
                    std[j] += d * d;
                }
            }
            for (int j = 0; j < width; j++) {
                std[j] = Math.max(Math.sqrt(std[j] / n), 1e-8);
            }
            standardise(x, n, mean, std);

            int[] sizes = new int[config.hidden().length + 2];
            sizes[0] = width;
            System.arraycopy(config.hidden(), 0, sizes, 1, config.hidden().length);
            sizes[sizes.length - 1] = 1;
            int batch = Math.min(config.batchSize(), n);
            // maxBatch = batch, and every pass runs whole batches: a one-column output's row view is column-major in
            // ND4J, which Gemm refuses, so the network never makes views of its buffers.
            EnsembleMlp net = new EnsembleMlp(1, sizes, Activation.RELU, batch, seed);
            double[] decay = new double[net.parameters().size()];
            for (int p = 0; p < decay.length; p++) {
                decay[p] = net.isWeight(p) ? config.weightDecay() : 0;
            }
            Adam adam = new Adam(net.parameters(), net.gradients(), config.learningRate(), decay, 0);
            INDArray xb = F32.zeros(batch, width);
            INDArray gb = F32.zeros(batch, 1);
            FloatBuffer xv = F32.view(xb);
            FloatBuffer gv = F32.view(gb);
            float[] rowsHeap = new float[batch * width];
            float[] grad = new float[batch];
            float[] labels = new float[batch];
            int[] order = new int[n];
            Arrays.setAll(order, i -> i);
            SplittableRandom random = new SplittableRandom(seed ^ 0xC1A55L);
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                shuffle(order, random);
                for (int from = 0; from + batch <= n; from += batch) { // whole batches; the rest waits for the next epoch's order
                    for (int k = 0; k < batch; k++) {
                        int r = order[from + k];
                        System.arraycopy(x, r * width, rowsHeap, k * width, width);
                        labels[k] = y[r];
                    }
                    xv.put(0, rowsHeap, 0, batch * width);
                    INDArray z = net.forward(0, xb, batch);
                    FloatBuffer zv = F32.view(z);
                    for (int k = 0; k < batch; k++) {
                        // d/dz of the mean binary cross-entropy: (sigmoid(z) − y) / batch
                        grad[k] = (float) ((sigmoid(zv.get(k)) - labels[k]) / batch);
                    }
                    gv.put(0, grad, 0, batch);
                    net.backward(0, gb, batch, true, false);
                    adam.step();
                }
            }
            double prior = Math.log((double) realRows.length / simRows.length);
            return new Classifier(withNext, mean, std, net, prior);
        }

        /** The prior-corrected logit log p(real|·)/p(sim|·) − log n_real/n_sim of the given rows. */
        double[] logRatio(TransitionRows rows, int[] which) {
            int width = mean.length;
            if (width(withNext, rows) != width) {
                throw new IllegalArgumentException("rows of " + width(withNext, rows) + " features, the classifier has " + width);
            }
            double[] out = new double[which.length];
            int block = net.maxBatch();
            INDArray xb = F32.zeros(block, width);
            FloatBuffer xv = F32.view(xb);
            float[] heap = new float[block * width];
            for (int from = 0; from < which.length; from += block) {
                int count = Math.min(block, which.length - from);
                for (int k = 0; k < block; k++) {
                    features(withNext, rows, which[from + Math.min(k, count - 1)], heap, k * width); // a short block repeats its last row
                }
                standardise(heap, block, mean, std);
                xv.put(0, heap, 0, block * width);
                FloatBuffer z = F32.view(net.predict(0, xb, block));
                for (int k = 0; k < count; k++) {
                    out[from + k] = z.get(k) - priorLogOdds;
                }
            }
            return out;
        }

        static void standardise(float[] x, int rows, double[] mean, double[] std) {
            int width = mean.length;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < width; j++) {
                    int i = r * width + j;
                    x[i] = (float) ((x[i] - mean[j]) / std[j]);
                }
            }
        }
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
}

package io.sim2real.nn.latent;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.GapMeasurement.Pairing;
import io.sim2real.nn.DynamicsModel;
import io.sim2real.nn.EnsembleConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The gap probe: a measurement of the mapping distance G that is separate from the model that trains the policy
 * (METHOD.md, "Measuring the gap while training"). That model's own G drifts with its real encoder's gauge freedom;
 * a fresh latent model, both encoders trained from the identity for a fixed budget on the same data, does not (their
 * common drift cancels), so every measurement starts afresh in one fixed configuration:
 *
 * <ol>
 *   <li>Both sides are cut to their newest {@link Config#maxRows()} rows and put in the probe's fixed units
 *       (observations divided by {@link Config#obsScale()}, constant per dimension, so values compare across rounds
 *       and runs).</li>
 *   <li>For each of {@link Config#seeds()} seeds: a small ensemble is trained on the sim side, a latent model is built
 *       from it with identity encoders, decoders and mapping, both encoders trainable
 *       ({@link LatentConfig#trainSimAutoencoder()}), trained jointly for {@link Config#jointSteps()} steps, and
 *       G = mean over the real side's observations of |m(p_real(o)) - p_real(o)| is read off.</li>
 *   <li>The noise floor: the same procedure, per seed, with both sides from the simulator. For counterfactual pairs
 *       the sim side against itself: the same states and actions and identical dynamics, which is what identical
 *       physics gives, so G at identical physics equals its floor up to MuJoCo's rounding. Unpaired, the sim side
 *       split at random (by that seed) into disjoint halves, half A as the sim side and half B as the real side.</li>
 * </ol>
 *
 * <p>Pairings ({@link Pairing}): {@code COUNTERFACTUAL}, the sim side is the simulator's prediction from the real
 * side's states and actions (row i of each side shares (o, a)), so the sides differ only in the dynamics;
 * {@code UNPAIRED}, the sim side is the run's own newest sim transitions. A disjoint-halves floor would not fit
 * counterfactual pairs: it compares different states, which the pairs do not, and lies above G at identical physics
 * (measured: 0.133 against 0.093).
 *
 * <p>The probe runs on the calling thread (its ensembles with one training thread); {@link Result#cpuSeconds()} is
 * that thread's CPU time, all of the probe's work where BLAS is single-threaded (OMP_NUM_THREADS=1, as deployed).
 */
public final class GapProbe {

    /**
     * The probe's units: HalfCheetah's observation dimensions divided by these constants, the standard deviations of
     * the observations of {@value #SCALE_ROWS} random-policy transitions of the standard simulator
     * ({@value #SCALE_ENVS} parallel episodes, uniform actions in [-1, 1], seed {@value #SCALE_SEED}; measured with
     * {@link #measureScale} and checked by GapProbeUnitsTest). Fixed once: a G of 1 means one random-policy standard
     * deviation of each dimension, whatever a run's data.
     */
    public static final double[] HALF_CHEETAH_SCALE = {
        0.1747, 1.172, 0.2566, 0.2766, 0.2664, 0.3315, 0.3055, 0.2841, 0.7299, 0.7547, 1.549, 5.615, 6.860, 6.956,
        6.309, 6.704, 6.084};
    public static final int SCALE_ROWS = 20_000;
    public static final int SCALE_ENVS = 20;
    public static final long SCALE_SEED = 0;

    /**
     * The probe's fixed configuration.
     *
     * @param members        members of the sim-side ensemble (the latent model's initial dynamics)
     * @param elites         its elites
     * @param ensembleHidden its hidden layers
     * @param ensembleEpochs its training epochs at most (20% hold-out, early stopping as in {@link EnsembleConfig})
     * @param latentHidden   hidden layers of the encoders, decoders and mapping
     * @param batchSize      transitions per domain per joint step
     * @param jointSteps     joint training steps per seed
     * @param seeds          independent measurements (K); G is their mean, its spread their standard deviation
     * @param maxRows        the newest rows of each side used at most
     * @param seed           the first seed; seed k is {@code seed + k}, the same for every measurement, so that two
     *                       measurements of the same data agree exactly
     * @param obsScale       the fixed units: each observation dimension is divided by its value
     */
    public record Config(int members, int elites, int[] ensembleHidden, int ensembleEpochs, int[] latentHidden,
                         int batchSize, int jointSteps, int seeds, int maxRows, long seed, double[] obsScale) {

        public Config {
            ensembleHidden = ensembleHidden.clone();
            latentHidden = latentHidden.clone();
            obsScale = obsScale.clone();
            if (members < 1 || elites < 1 || elites > members || ensembleEpochs < 1 || batchSize < 1 || jointSteps < 1
                    || seeds < 1 || maxRows < 4) {
                throw new IllegalArgumentException("the gap probe needs 1 <= elites <= members, epochs, batchSize, "
                        + "jointSteps and seeds >= 1 and maxRows >= 4");
            }
            for (double s : obsScale) {
                if (!(s > 0) || !Double.isFinite(s)) {
                    throw new IllegalArgumentException("every observation scale must be positive and finite");
                }
            }
        }

        /**
         * The defaults: a 3-member (2 elites) 2 x 64 ensemble, at most 20 epochs; 1 x 64 residual networks; 200 joint
         * steps of 128 + 128 transitions; 3 seeds; the newest 5,000 rows; HalfCheetah's fixed units. About 6 CPU
         * seconds a measurement (3 seeds, each G and floor) on 4,000 rows; the joint steps are most of it. With 300
         * steps of 256 + 256 the floor is about 30% lower for 2.5 times the time.
         */
        public static Config defaults() {
            return new Config(3, 2, new int[] {64, 64}, 20, new int[] {64}, 128, 200, 3, 5000, 0, HALF_CHEETAH_SCALE);
        }

        public Config withSeeds(int seeds) {
            return new Config(members, elites, ensembleHidden, ensembleEpochs, latentHidden, batchSize, jointSteps, seeds,
                    maxRows, seed, obsScale);
        }

        public Config withJointSteps(int jointSteps) {
            return new Config(members, elites, ensembleHidden, ensembleEpochs, latentHidden, batchSize, jointSteps, seeds,
                    maxRows, seed, obsScale);
        }

        public Config withMaxRows(int maxRows) {
            return new Config(members, elites, ensembleHidden, ensembleEpochs, latentHidden, batchSize, jointSteps, seeds,
                    maxRows, seed, obsScale);
        }

        public Config withNetworks(int members, int elites, int[] ensembleHidden, int ensembleEpochs, int[] latentHidden,
                                   int batchSize) {
            return new Config(members, elites, ensembleHidden, ensembleEpochs, latentHidden, batchSize, jointSteps, seeds,
                    maxRows, seed, obsScale);
        }

        EnsembleConfig ensemble(long seed) {
            return EnsembleConfig.mbpo(seed).withSize(members, elites, ensembleHidden).withEpochs(ensembleEpochs).withThreads(1);
        }

        LatentConfig latent(long seed) {
            return LatentConfig.defaults(seed).withHidden(latentHidden).withBatchSize(batchSize).withSimAutoencoderTrained(true);
        }
    }

    /**
     * One measurement.
     *
     * @param pairing      what the sim side was
     * @param g            G, mean over seeds, in the probe's units
     * @param spread       the standard deviation of G over seeds (0 with one seed)
     * @param floor        the noise floor: mean over seeds of G with both sides from the simulator
     * @param floorSpread  its standard deviation over seeds
     * @param rows         real-side rows used (the floor uses half the sim side's rows per side)
     * @param cpuSeconds   CPU time of the calling thread
     * @param wallSeconds  elapsed time
     * @param perSeed      G of each seed
     * @param floorPerSeed the floor of each seed
     */
    public record Result(Pairing pairing, double g, double spread, double floor, double floorSpread, int rows,
                         double cpuSeconds, double wallSeconds, double[] perSeed, double[] floorPerSeed) {

        /** The combined standard deviation of G and its floor. */
        public double noise() {
            return Math.hypot(spread, floorSpread);
        }

        /** Whether G lies more than {@code sigmas} combined standard deviations above its floor. */
        public boolean exceedsFloor(double sigmas) {
            return g > floor + sigmas * noise();
        }
    }

    private static final double DIVERGENCE_FACTOR = 1e3;

    private final Config config;

    public GapProbe(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /**
     * Measures G between a sim side and a real side (in observation units as collected; the probe scales them).
     * For {@link Pairing#COUNTERFACTUAL} row i of each side must share its (o, a). Throws
     * {@link io.sim2real.nn.NonFiniteException} when a joint training diverges.
     */
    public Result measure(Transitions sim, Transitions real, Pairing pairing) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpu = threads.isCurrentThreadCpuTimeSupported();
        long cpuStart = cpu ? threads.getCurrentThreadCpuTime() : 0;
        long start = System.nanoTime();
        int obsDim = real.obs()[0].length;
        if (obsDim != config.obsScale().length) {
            throw new IllegalArgumentException("observations have " + obsDim + " dimensions, the probe's units "
                    + config.obsScale().length);
        }
        if (pairing == Pairing.COUNTERFACTUAL && sim.size() != real.size()) {
            throw new IllegalArgumentException("counterfactual pairs need one sim row per real row: " + sim.size()
                    + " sim, " + real.size() + " real");
        }
        if (sim.size() < 4 || real.size() < 2) {
            throw new IllegalArgumentException("the probe needs at least 4 sim and 2 real rows, got " + sim.size()
                    + " and " + real.size());
        }
        Transitions s = scaled(newest(sim, config.maxRows()));
        Transitions r = scaled(newest(real, config.maxRows()));
        int k = config.seeds();
        double[] g = new double[k];
        double[] floor = new double[k];
        for (int i = 0; i < k; i++) {
            long seed = config.seed() + i;
            g[i] = distance(s, r, seed);
            floor[i] = floorDistance(s, pairing, seed);
        }
        double cpuSeconds = cpu ? (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9 : Double.NaN;
        return new Result(pairing, mean(g), std(g), mean(floor), std(floor), r.size(), cpuSeconds,
                (System.nanoTime() - start) / 1e9, g, floor);
    }

    /**
     * G when both sides come from the simulator, with one seed: for counterfactual pairs the sim side against itself
     * (the same states and actions, identical dynamics: what identical physics gives, so only the probe's own
     * randomness is left); unpaired, two disjoint random halves of the sim side (other states, the same dynamics).
     */
    private double floorDistance(Transitions sim, Pairing pairing, long seed) {
        if (pairing == Pairing.COUNTERFACTUAL) {
            return distance(sim, sim, seed);
        }
        Transitions[] halves = halves(sim, new SplittableRandom(seed * 31 + 7));
        return distance(halves[0], halves[1], seed);
    }

    /** G of a fresh latent model trained on (sim, real) with one seed. */
    private double distance(Transitions sim, Transitions real, long seed) {
        int obsDim = sim.obs()[0].length;
        int actDim = sim.act()[0].length;
        DynamicsModel simModel = new DynamicsModel(obsDim, actDim, config.ensemble(seed));
        simModel.train(sim.obs(), sim.act(), sim.rew(), sim.nextObs(), sim.size());
        LatentModel model = LatentModel.from(simModel, obsDim, actDim, config.latent(seed));
        GapAnalysis.trainJointly(model, sim, real, config.jointSteps(), new SplittableRandom(seed), DIVERGENCE_FACTOR);
        return mappingDistance(model, real.obs());
    }

    /** Mean over observations of |m(p_real(o)) - p_real(o)|_2. */
    static double mappingDistance(LatentModel model, double[][] obs) {
        double[][] z = model.encode(Domain.REAL, obs);
        double[][] mapped = model.mapToSim(z);
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double s = 0;
            for (int j = 0; j < z[i].length; j++) {
                double d = mapped[i][j] - z[i][j];
                s += d * d;
            }
            sum += Math.sqrt(s);
        }
        return sum / z.length;
    }

    /** The standard deviation of each observation dimension (population), e.g. to fix a probe's units. */
    public static double[] measureScale(Transitions data) {
        int dim = data.obs()[0].length;
        double[] mean = new double[dim];
        double[] sq = new double[dim];
        int n = data.size();
        for (double[] o : data.obs()) {
            for (int j = 0; j < dim; j++) {
                mean[j] += o[j] / n;
            }
        }
        for (double[] o : data.obs()) {
            for (int j = 0; j < dim; j++) {
                double d = o[j] - mean[j];
                sq[j] += d * d / n;
            }
        }
        for (int j = 0; j < dim; j++) {
            sq[j] = Math.sqrt(sq[j]);
        }
        return sq;
    }

    /** The last {@code max} rows (a view of the same rows). */
    static Transitions newest(Transitions t, int max) {
        return t.tail(max);
    }

    /** Observations and next observations in the probe's units (new arrays; actions and rewards shared). */
    private Transitions scaled(Transitions t) {
        return new Transitions(scaled(t.obs()), t.act(), t.rew(), scaled(t.nextObs()));
    }

    private double[][] scaled(double[][] rows) {
        double[] scale = config.obsScale();
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double[] row = new double[scale.length];
            for (int j = 0; j < scale.length; j++) {
                row[j] = rows[i][j] / scale[j];
            }
            out[i] = row;
        }
        return out;
    }

    /** Two disjoint halves of the rows, drawn at random. */
    private static Transitions[] halves(Transitions t, SplittableRandom rng) {
        int n = t.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        int half = n / 2;
        return new Transitions[] {rows(t, order, 0, half), rows(t, order, half, 2 * half)};
    }

    private static Transitions rows(Transitions t, int[] order, int from, int to) {
        int m = to - from;
        double[][] o = new double[m][];
        double[][] a = new double[m][];
        double[] r = new double[m];
        double[][] o2 = new double[m][];
        for (int i = 0; i < m; i++) {
            int row = order[from + i];
            o[i] = t.obs()[row];
            a[i] = t.act()[row];
            r[i] = t.rew()[row];
            o2[i] = t.nextObs()[row];
        }
        return new Transitions(o, a, r, o2);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (0 for one value). */
    private static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}

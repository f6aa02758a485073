package io.sim2real.nn.calibration;

import java.util.Arrays;
import java.util.Locale;

/**
 * A one-sided (upward) CUSUM change detector on a stream of values: the per-transition counterfactual discrepancy
 * ({@link CounterfactualDiscrepancy}), or a series of gap values G.
 *
 * <p>Each value is first transformed ({@link Transform#LOG}: log(x + floor)), then averaged over blocks of
 * {@code blockSize} consecutive values; the detector works on the block means. The reference phase (the first
 * {@code referenceLength} values, whole blocks) fixes the location μ (mean of the reference block means) and a
 * robust scale σ (1.4826 × their median absolute deviation, at least {@code minScale}). After it, at the end of every
 * block with mean y,
 * <pre>
 *   S = max(0, S + (y − μ) / σ − k),   alarm when S > h.
 * </pre>
 * Why log and blocks: per-transition discrepancies are heavy-tailed (at gravity 1.5 the 99th percentile is about six
 * times the median, the largest of 5,000 about thirty times) and a single state can produce a large one; on the log
 * scale their spread is a fraction of a nat and a step change in the physics is a shift of the whole distribution,
 * and a block mean of logs (a geometric mean) is nearly Gaussian, so that k and h in σ units mean what they say.
 * The floor keeps log(0) out and sets what counts as no gap: see {@link Config#forDiscrepancies()}.
 *
 * <p>One-sided: it watches for the gap growing. {@link #observe} returns whether the alarm condition holds after
 * the value; the first alarm is latched ({@link #alarmed()}, {@link #alarmAt()}). {@link #rearm()} clears the alarm
 * and S and keeps the reference; {@link #reset()} starts over with a new reference phase. Not thread-safe.
 */
public final class DriftDetector {

    /** What is done to each value before block averaging. */
    public enum Transform {
        NONE,
        /** log(x + floor); values must be >= 0. */
        LOG
    }

    /**
     * @param referenceLength values in the reference phase (a multiple of blockSize, at least 2 blocks)
     * @param blockSize       values averaged into one detector step
     * @param transform       applied to each value first
     * @param floor           added before the log (LOG only)
     * @param k               allowance per block, in σ: shifts smaller than k σ are not accumulated
     * @param h               alarm threshold on S, in σ
     * @param minScale        smallest σ (in transformed units), for references with (nearly) no spread
     */
    public record Config(int referenceLength, int blockSize, Transform transform, double floor, double k, double h,
                         double minScale) {

        public Config {
            if (blockSize < 1) {
                throw new IllegalArgumentException("blockSize must be >= 1, was " + blockSize);
            }
            if (referenceLength < 2 * blockSize || referenceLength % blockSize != 0) {
                throw new IllegalArgumentException("referenceLength must be a multiple of blockSize (" + blockSize
                        + ") spanning at least 2 blocks, was " + referenceLength);
            }
            if (transform == Transform.LOG && !(floor > 0 && Double.isFinite(floor))) {
                throw new IllegalArgumentException("a log transform needs a positive floor, was " + floor);
            }
            if (!(k >= 0 && Double.isFinite(k)) || !(h > 0 && Double.isFinite(h)) || !(minScale > 0 && Double.isFinite(minScale))) {
                throw new IllegalArgumentException("k must be >= 0, h and minScale > 0: " + k + ", " + h + ", " + minScale);
            }
        }

        /**
         * For per-transition counterfactual discrepancies: LOG with floor 1e-8, blocks of 16, a reference of 2,048
         * values (128 blocks), k = 1, h = 8, minScale 0.05 nats.
         * <ul>
         * <li>floor 1e-8: identical physics gives about 1e-30 (MuJoCo, double precision), the float32 rounding of
         * observations about 1e-12, gravity 1.05 about 1e-4 and gravity 1.5 about 6e-3; a reference without gap
         * sits on log(1e-8) with σ = minScale, and any gap that lifts a block's geometric mean to a few times 1e-8
         * alarms.</li>
         * <li>blocks of 16: a block mean of logs is close to Gaussian (see the class comment), and 16 transitions
         * are one step of a 16-env collector.</li>
         * <li>k = 1, h = 8: a shift of δ σ is caught in about 8 / (δ − 1) + 1 blocks; gravity 1.0 → 1.5 and body
         * mass 1.0 → 1.3 (from no gap) and gravity 1.5 → 2.0 (about 10 σ at gravity 1.5, where σ ≈ 0.13 nats) are
         * caught in the first block after the change. Real gravity-1.5 streams are autocorrelated and their
         * reference mean is a little off (the first 2,048 transitions of 16 envs are early in their episodes):
         * on a 32,000-transition gravity-1.5 stream, k = 0.5 with h = 10 raised 4 alarms in 10^6 transitions
         * resampled in chunks of 256, k = 1 with h = 6 or 8 none (measured while choosing; DriftDetectorTest checks
         * the defaults: no alarm over 10^7 such transitions).</li>
         * </ul>
         */
        public static Config forDiscrepancies() {
            return new Config(2048, 16, Transform.LOG, 1e-8, 1.0, 8, 0.05);
        }

        /**
         * For a series of gap values (G per round): no transform, no blocks, the first {@code referenceLength}
         * values as reference, k = 1, h = 6, σ at least {@code minScale}. Short references give a rough σ (MAD of
         * 20 values is good to about ±25%), hence the wide margins: for Gaussian noise the in-control run length is
         * about e^(2 (h + 1.17)) / 2 ≈ 8e5 steps with the exact σ; a 5 σ jump is caught in two steps. (k = 0.5,
         * h = 5 alarmed after 383 in-control steps with a 20-value reference in DriftDetectorTest.)
         */
        public static Config forSeries(int referenceLength, double minScale) {
            return new Config(referenceLength, 1, Transform.NONE, 0, 1.0, 6, minScale);
        }

        public Config withReferenceLength(int n) {
            return new Config(n, blockSize, transform, floor, k, h, minScale);
        }

        public Config withThresholds(double newK, double newH) {
            return new Config(referenceLength, blockSize, transform, floor, newK, newH, minScale);
        }
    }

    /** The detector's state for export: values seen, S, μ and σ (NaN before the reference phase ends), alarm. */
    public record Stats(long observed, boolean calibrated, double statistic, double mean, double scale, boolean alarmed,
                        long alarmAt) {
    }

    private final Config config;
    private final double[] reference;
    private int referenceBlocks;
    private double blockSum;
    private int blockCount;
    private long observed;
    private double mean = Double.NaN;
    private double scale = Double.NaN;
    private double statistic;
    private boolean alarmNow;
    private long alarmAt = -1;

    public DriftDetector(Config config) {
        this.config = config;
        this.reference = new double[config.referenceLength() / config.blockSize()];
    }

    public Config config() {
        return config;
    }

    /**
     * Feeds the next value (index {@link #observed()} before the call); returns whether S > h after it. S changes
     * only at the end of a block after the reference phase.
     *
     * @throws IllegalArgumentException for a non-finite value, or a negative one under the log transform
     */
    public boolean observe(double x) {
        if (!Double.isFinite(x) || (config.transform() == Transform.LOG && x < 0)) {
            throw new IllegalArgumentException("value " + observed + " is " + x
                    + (config.transform() == Transform.LOG ? " (the log transform needs values >= 0)" : ""));
        }
        double y = config.transform() == Transform.LOG ? Math.log(x + config.floor()) : x;
        long index = observed++;
        blockSum += y;
        blockCount++;
        if (blockCount < config.blockSize()) {
            return alarmNow;
        }
        double block = blockSum / blockCount;
        blockSum = 0;
        blockCount = 0;
        if (referenceBlocks < reference.length) {
            reference[referenceBlocks++] = block;
            if (referenceBlocks == reference.length) {
                calibrate();
            }
            return false;
        }
        statistic = Math.max(0, statistic + (block - mean) / scale - config.k());
        alarmNow = statistic > config.h();
        if (alarmNow && alarmAt < 0) {
            alarmAt = index;
        }
        return alarmNow;
    }

    /** μ = mean of the reference blocks, σ = max(1.4826 MAD, minScale). */
    private void calibrate() {
        double sum = 0;
        for (double r : reference) {
            sum += r;
        }
        mean = sum / reference.length;
        double median = median(reference.clone());
        double[] dev = new double[reference.length];
        for (int i = 0; i < dev.length; i++) {
            dev[i] = Math.abs(reference[i] - median);
        }
        scale = Math.max(1.4826 * median(dev), config.minScale());
    }

    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** Whether an alarm has been raised since the last reset or rearm. */
    public boolean alarmed() {
        return alarmAt >= 0;
    }

    /** Index (0-based, counting every value since the last reset) of the value that raised the first alarm; −1 if none. */
    public long alarmAt() {
        return alarmAt;
    }

    /** Values fed since the last reset. */
    public long observed() {
        return observed;
    }

    /** Whether the reference phase is over. */
    public boolean calibrated() {
        return referenceBlocks == reference.length;
    }

    /** The current CUSUM S (0 during the reference phase). */
    public double statistic() {
        return statistic;
    }

    /** μ in transformed units; NaN during the reference phase. */
    public double referenceMean() {
        return mean;
    }

    /** σ in transformed units; NaN during the reference phase. */
    public double referenceScale() {
        return scale;
    }

    public Stats stats() {
        return new Stats(observed, calibrated(), statistic, mean, scale, alarmed(), alarmAt);
    }

    /** Clears the alarm and S, keeps the reference (for counting alarms, or after an alarm was handled). */
    public void rearm() {
        statistic = 0;
        alarmNow = false;
        alarmAt = -1;
    }

    /** Forgets everything: the next values form a new reference phase. */
    public void reset() {
        rearm();
        referenceBlocks = 0;
        blockSum = 0;
        blockCount = 0;
        observed = 0;
        mean = Double.NaN;
        scale = Double.NaN;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DriftDetector[n=%d, S=%.3f, mu=%.4g, sigma=%.4g, alarmAt=%d]", observed,
                statistic, mean, scale, alarmAt);
    }
}

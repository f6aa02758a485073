package io.sim2real.model.probe;

import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.nn.calibration.DriftDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One run's drift alarm: two one-sided CUSUM detectors ({@link DriftDetector}), one on the per-transition
 * counterfactual discrepancy of each new pair in arrival order ({@link DriftDetector.Config#forDiscrepancies()}), one
 * on the gap probe's G per round ({@link DriftDetector.Config#forSeries}). The first alarm of either is latched with
 * its source and where it fired (real transitions paired so far, or the real transitions of the probe round), until
 * {@link #reset()}, which starts both detectors over with a new reference (the discrepancy's units stay).
 *
 * <p>The discrepancy's units (the per-dimension variance of the sim side's change) are fixed once per run from its
 * first {@code unitsRows} pairs (the batches that reach it, whole), which are then fed.
 *
 * <p>Pairs are fed once per source position: a batch at or below the highest source offset fed for its source
 * partition is skipped, so that replaying the log after a restart (the window is rebuilt from it) feeds nothing
 * twice. The state ({@link #save()}, {@link #restore}) keeps the units, the source high-water marks, the latched
 * alarm, and each detector's reference phase as the raw values it was given: fed again, they give the detector
 * exactly the reference μ and σ it had (saved beside them and checked); the CUSUM S is put back with one synthetic
 * block. Not thread-safe: the caller synchronises.
 */
public final class DriftWatch {

    /** Which detector raised the alarm. */
    public enum Source {
        DISCREPANCY, G;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A latched alarm: its source, where it fired (real transitions), and S when it did. */
    public record Alarm(Source source, long at, double statistic) {
    }

    /** What the REST view and the gauges show. */
    public record View(boolean alarmed, Long alarmAt, String source, Double alarmStatistic, double statistic,
                       double gStatistic, long pairsSeen, boolean unitsFixed, boolean calibrated, Double mean,
                       Double scale, boolean gCalibrated, int gValues, long skippedPairs) {
    }

    private final DriftDetector.Config discrepancyConfig;
    private final DriftDetector.Config seriesConfig;
    private final int unitsRows;

    private CounterfactualDiscrepancy units;
    /** Batches waiting for the units to be fixed: {partition, offset, obs, realNext, simNext}. */
    private final List<Object[]> buffered = new ArrayList<>();
    private int pendingRows;
    private final Map<Integer, Long> highWater = new TreeMap<>();
    private long pairsSeen;
    private long skippedPairs;
    private Alarm alarm;
    private boolean alarmPublished;

    private final Tracked discrepancy;
    private final Tracked series;
    private int gValues;
    /** The pairing whose G the series detector watches (a change of pairing starts it over). */
    private String gPairing = "";

    public DriftWatch(DriftDetector.Config discrepancyConfig, DriftDetector.Config seriesConfig, int unitsRows) {
        if (unitsRows < 2) {
            throw new IllegalArgumentException("unitsRows must be >= 2, was " + unitsRows);
        }
        this.discrepancyConfig = discrepancyConfig;
        this.seriesConfig = seriesConfig;
        this.unitsRows = unitsRows;
        this.discrepancy = new Tracked(discrepancyConfig);
        this.series = new Tracked(seriesConfig);
    }

    /** A detector with its reference phase's raw values, so that it can be rebuilt exactly. */
    private static final class Tracked {
        final DriftDetector detector;
        final double[] reference;
        int referenceFed;

        Tracked(DriftDetector.Config config) {
            detector = new DriftDetector(config);
            reference = new double[config.referenceLength()];
        }

        boolean observe(double x) {
            if (referenceFed < reference.length) {
                reference[referenceFed++] = x;
            }
            return detector.observe(x);
        }

        void reset() {
            detector.reset();
            referenceFed = 0;
        }

        double statistic() {
            return detector.statistic();
        }
    }

    /**
     * Feeds a batch of pairs from source position (partition, offset), unless that position was fed; returns the
     * alarm if this batch raised it (the first since the last reset).
     */
    public Optional<Alarm> onPairs(int sourcePartition, long sourceOffset, double[][] obs, double[][] realNext,
                                   double[][] simNext) {
        Long seen = highWater.get(sourcePartition);
        if (seen != null && sourceOffset <= seen) {
            return Optional.empty();
        }
        boolean wasAlarmed = alarm != null;
        if (units == null) {
            bufferForUnits(sourcePartition, sourceOffset, obs, realNext, simNext);
        } else {
            feed(obs, realNext, simNext);
            highWater.merge(sourcePartition, sourceOffset, Math::max);
        }
        return !wasAlarmed && alarm != null ? Optional.of(alarm) : Optional.empty();
    }

    private void bufferForUnits(int partition, long offset, double[][] obs, double[][] realNext, double[][] simNext) {
        buffered.add(new Object[] {partition, offset, obs, realNext, simNext});
        pendingRows += obs.length;
        if (pendingRows < unitsRows) {
            return;
        }
        double[][] o = new double[pendingRows][];
        double[][] s = new double[pendingRows][];
        int k = 0;
        for (Object[] b : buffered) {
            double[][] bo = (double[][]) b[2];
            double[][] bs = (double[][]) b[4];
            for (int i = 0; i < bo.length; i++, k++) {
                o[k] = bo[i];
                s[k] = bs[i];
            }
        }
        units = CounterfactualDiscrepancy.fromChanges(o, s);
        for (Object[] b : buffered) {
            feed((double[][]) b[2], (double[][]) b[3], (double[][]) b[4]);
            highWater.merge((Integer) b[0], (Long) b[1], Math::max);
        }
        buffered.clear();
        pendingRows = 0;
    }

    private void feed(double[][] obs, double[][] realNext, double[][] simNext) {
        for (int i = 0; i < obs.length; i++) {
            double d = units.of(realNext[i], simNext[i]);
            pairsSeen++;
            if (!Double.isFinite(d)) {
                skippedPairs++;
                continue;
            }
            discrepancy.observe(d);
            if (alarm == null && discrepancy.detector.alarmed()) {
                alarm = new Alarm(Source.DISCREPANCY, pairsSeen, discrepancy.statistic());
                alarmPublished = false;
            }
        }
    }

    /**
     * Feeds the probe's G of a round (of the given pairing) that measured up to {@code realTransitions}; returns the
     * alarm if it raised it.
     */
    public Optional<Alarm> onG(double g, String pairing, long realTransitions) {
        if (!Double.isFinite(g)) {
            return Optional.empty();
        }
        if (!pairing.equals(gPairing)) {
            // G of another pairing has another level: a new reference.
            series.reset();
            gValues = 0;
            gPairing = pairing;
        }
        boolean wasAlarmed = alarm != null;
        series.observe(g);
        gValues++;
        if (alarm == null && series.detector.alarmed()) {
            alarm = new Alarm(Source.G, realTransitions, series.statistic());
            alarmPublished = false;
        }
        return !wasAlarmed && alarm != null ? Optional.of(alarm) : Optional.empty();
    }

    /** Clears the alarm and starts both detectors over: the next values form new references. */
    public void reset() {
        discrepancy.reset();
        series.reset();
        gValues = 0;
        alarm = null;
        alarmPublished = false;
    }

    public Optional<Alarm> alarm() {
        return Optional.ofNullable(alarm);
    }

    /** Whether the latched alarm's immediate measurement has been acknowledged by Kafka. */
    public boolean alarmPublished() {
        return alarmPublished;
    }

    public void markPublished(Alarm published) {
        if (published.equals(alarm)) {
            alarmPublished = true;
        }
    }

    /** The run's discrepancy units, once fixed. */
    public Optional<CounterfactualDiscrepancy> units() {
        return Optional.ofNullable(units);
    }

    public long pairsSeen() {
        return pairsSeen;
    }

    public double statistic(Source source) {
        return source == Source.DISCREPANCY ? discrepancy.statistic() : series.statistic();
    }

    public View view() {
        DriftDetector d = discrepancy.detector;
        return new View(alarm != null, alarm == null ? null : alarm.at(), alarm == null ? null : alarm.source().wireName(),
                alarm == null ? null : alarm.statistic(), d.statistic(), series.statistic(), pairsSeen, units != null,
                d.calibrated(), d.calibrated() ? d.referenceMean() : null, d.calibrated() ? d.referenceScale() : null,
                series.detector.calibrated(), gValues, skippedPairs);
    }

    // ---- persistence -------------------------------------------------------------------------------------------

    /** The state as text (one key=value a line; doubles written exactly). */
    public String save() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("pairsSeen", Long.toString(pairsSeen));
        p.put("skippedPairs", Long.toString(skippedPairs));
        p.put("highWater", highWater.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(",")));
        p.put("units", units == null ? "" : join(units.changeVariance(), units.dimensions()));
        p.put("alarm", alarm == null ? "" : alarm.source().wireName() + "," + alarm.at() + "," + alarm.statistic());
        p.put("alarmPublished", Boolean.toString(alarmPublished));
        put(p, "discrepancy", discrepancy);
        put(p, "g", series);
        p.put("g.values", Integer.toString(gValues));
        p.put("g.pairing", gPairing);
        StringBuilder out = new StringBuilder();
        p.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    private static void put(Map<String, String> p, String name, Tracked t) {
        DriftDetector d = t.detector;
        p.put(name + ".calibrated", Boolean.toString(d.calibrated()));
        p.put(name + ".mean", Double.toString(d.referenceMean()));
        p.put(name + ".scale", Double.toString(d.referenceScale()));
        p.put(name + ".statistic", Double.toString(d.statistic()));
        p.put(name + ".reference", join(t.reference, t.referenceFed));
    }

    private static String join(double[] v, int n) {
        return Arrays.stream(v, 0, n).mapToObj(Double::toString).collect(Collectors.joining(","));
    }

    private static double[] doubles(String s) {
        return s.isEmpty() ? new double[0] : Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /**
     * A watch in the state {@link #save()} wrote.
     *
     * @throws IllegalArgumentException if the text is not such a state, or the detectors rebuilt from it do not
     *                                  have the reference it names (other detector settings than when it was saved)
     */
    public static DriftWatch restore(String text, DriftDetector.Config discrepancyConfig,
                                     DriftDetector.Config seriesConfig, int unitsRows) {
        Map<String, String> p = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                p.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        DriftWatch w = new DriftWatch(discrepancyConfig, seriesConfig, unitsRows);
        w.pairsSeen = Long.parseLong(required(p, "pairsSeen"));
        w.skippedPairs = Long.parseLong(p.getOrDefault("skippedPairs", "0"));
        for (String e : required(p, "highWater").split(",")) {
            if (!e.isEmpty()) {
                String[] kv = e.split(":");
                w.highWater.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
            }
        }
        double[] units = doubles(required(p, "units"));
        w.units = units.length == 0 ? null : CounterfactualDiscrepancy.withVariance(units);
        String alarm = required(p, "alarm");
        if (!alarm.isEmpty()) {
            String[] a = alarm.split(",");
            w.alarm = new Alarm(Source.valueOf(a[0].toUpperCase(Locale.ROOT)), Long.parseLong(a[1]), Double.parseDouble(a[2]));
        }
        w.alarmPublished = Boolean.parseBoolean(required(p, "alarmPublished"));
        rebuild(p, "discrepancy", w.discrepancy);
        rebuild(p, "g", w.series);
        w.gValues = Integer.parseInt(p.getOrDefault("g.values", "0"));
        w.gPairing = p.getOrDefault("g.pairing", "");
        return w;
    }

    private static String required(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key + " in the drift state");
        }
        return v;
    }

    /** Feeds the reference phase's raw values again, checks μ and σ, and puts S back with one synthetic block. */
    private static void rebuild(Map<String, String> p, String name, Tracked t) {
        for (double x : doubles(required(p, name + ".reference"))) {
            t.observe(x);
        }
        DriftDetector d = t.detector;
        boolean calibrated = Boolean.parseBoolean(required(p, name + ".calibrated"));
        if (calibrated != d.calibrated()) {
            throw new IllegalArgumentException(name + ": the saved reference does not " + (calibrated ? "" : "not ")
                    + "complete the detector's reference phase (other detector settings?)");
        }
        if (!calibrated) {
            return;
        }
        double mean = Double.parseDouble(required(p, name + ".mean"));
        double scale = Double.parseDouble(required(p, name + ".scale"));
        if (Math.abs(mean - d.referenceMean()) > 1e-9 * Math.max(1, Math.abs(mean))
                || Math.abs(scale - d.referenceScale()) > 1e-9 * Math.max(1, Math.abs(scale))) {
            throw new IllegalArgumentException(name + ": the rebuilt reference (" + d.referenceMean() + ", "
                    + d.referenceScale() + ") is not the saved one (" + mean + ", " + scale + ")");
        }
        double s = Double.parseDouble(required(p, name + ".statistic"));
        if (s > 0) {
            // One block whose (transformed) mean is mu + sigma (S + k): S' = max(0, 0 + S + k - k) = S.
            DriftDetector.Config c = d.config();
            double y = d.referenceMean() + d.referenceScale() * (s + c.k());
            double x = c.transform() == DriftDetector.Transform.LOG ? Math.max(0, Math.exp(y) - c.floor()) : y;
            for (int i = 0; i < c.blockSize(); i++) {
                d.observe(x);
            }
        }
    }
}

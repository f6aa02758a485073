package io.sim2real.experiments;

import com.fasterxml.jackson.core.type.TypeReference;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.experiments.report.LineChart;
import io.sim2real.experiments.report.Numbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plots of the main job's report (bin/run-local): the gap against the factor ({@code gap.png}, the newest probe
 * measurement of each gap-only run, read from {@code sim2real.gap}) and the collected returns ({@code returns.png}:
 * each whole episode of the run's random-policy collections, read from {@code sim2real.transitions}, beside the
 * episodes of the job's evaluations). Writes the PNGs into the report folder and prints the markdown that embeds
 * them, each with one line on what it shows, for bin/run-local to put into report.md.
 *
 * <pre>java -cp ... io.sim2real.experiments.LocalRunPlots --bootstrap 127.0.0.1:9092 --run-id RUN
 *     --gap-runs 1.0=RUN-gap-gravity-1.0,1.5=... --evaluations "scripted gait=FILE,policy v1=FILE" --out DIR</pre>
 *
 * The evaluation files hold env-service's answers to {@code POST /api/v1/evaluations} (what {@code bin/sim2real run
 * evaluate} prints): the label names the policy, which the records do not.
 */
public final class LocalRunPlots {

    static final String GAP_PNG = "gap.png";
    static final String RETURNS_PNG = "returns.png";

    private LocalRunPlots() {
    }

    /** The newest gap probe value of one run and pairing: G with its floor. */
    record ProbePoint(double factor, GapMeasurement.Pairing pairing, double g, double floor, long envStep) {
    }

    /** One whole episode of a collection. */
    record Episode(Domain domain, String envId, long episodeId, int steps, double ret) {
    }

    public static void main(String[] argv) throws Exception {
        try {
            System.out.print(run(argv));
        } catch (IllegalArgumentException e) {
            // Bad input, one line (as the command line answers it)
            System.err.println("LocalRunPlots: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Reads the records, writes the PNGs; returns the markdown that embeds them. */
    static String run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("bootstrap", "run-id", "gap-runs", "evaluations", "out"));
        String bootstrap = args.text("bootstrap", "127.0.0.1:9092");
        String runId = args.text("run-id", "");
        if (runId.isBlank()) {
            throw new IllegalArgumentException("--run-id is required: the main run whose collections' returns are plotted");
        }
        Map<String, Double> gapRuns = new LinkedHashMap<>();
        Args.namedTexts("gap-runs", args.text("gap-runs", "")).forEach((factor, run) -> {
            try {
                gapRuns.put(run, Double.parseDouble(factor));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--gap-runs takes factor=runId pairs, got factor '" + factor + "'");
            }
        });
        Map<String, List<EvaluationResult>> evaluations = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Args.namedTexts("evaluations", args.text("evaluations", "")).entrySet()) {
            evaluations.put(e.getKey(), readEvaluations(Path.of(e.getValue())));
        }
        Path out = Files.createDirectories(Path.of(args.text("out", ".")));

        List<GapMeasurement> gaps = new ArrayList<>();
        if (!gapRuns.isEmpty()) {
            TopicRecords.read(bootstrap, Topics.GAP, gapRuns.keySet(), Duration.ofSeconds(5), (key, value) -> {
                try {
                    gaps.add(Codecs.GAP_MEASUREMENT.decode(value, EnvSpec.HALF_CHEETAH));
                } catch (InvalidRecordException e) {
                    // model-service publishes only valid records; a dead-lettered one is counted in the report's table.
                }
            });
        }
        List<TransitionBatch> batches = new ArrayList<>();
        TopicRecords.read(bootstrap, Topics.TRANSITIONS, Set.of(runId), Duration.ofSeconds(5), (key, value) -> {
            try {
                batches.add(Codecs.TRANSITION_BATCH.decode(value, EnvSpec.HALF_CHEETAH));
            } catch (InvalidRecordException e) {
                // as above
            }
        });
        return write(out, probePoints(gaps, gapRuns), episodes(batches), evaluations);
    }

    static List<EvaluationResult> readEvaluations(Path file) throws IOException {
        List<EvaluationResult> results = MessageCodec.MAPPER.readValue(Files.readString(file), new TypeReference<>() { });
        for (EvaluationResult r : results) {
            try {
                r.validate(EnvSpec.HALF_CHEETAH);
            } catch (InvalidRecordException e) {
                throw new IllegalArgumentException("--evaluations: " + file + " holds an invalid EvaluationResult: " + e.getMessage());
            }
        }
        return results;
    }

    /**
     * The newest probe G ({@code mapping_distance}) with its floor, per run and pairing, at the run's factor
     * ({@code runFactors}: run id to factor), ordered by factor.
     */
    static List<ProbePoint> probePoints(List<GapMeasurement> gaps, Map<String, Double> runFactors) {
        Map<String, GapMeasurement> newest = new HashMap<>();
        for (GapMeasurement g : gaps) {
            if (g.metric() != GapMeasurement.Metric.MAPPING_DISTANCE || g.pairing() == null || g.floor() == null
                    || !runFactors.containsKey(g.runId())) {
                continue;
            }
            newest.merge(g.runId() + "/" + g.pairing(), g, (a, b) -> b.envStep() >= a.envStep() ? b : a);
        }
        return newest.values().stream()
                .map(g -> new ProbePoint(runFactors.get(g.runId()), g.pairing(), g.value(), g.floor(), g.envStep()))
                .sorted(java.util.Comparator.comparingDouble(ProbePoint::factor).thenComparing(ProbePoint::pairing))
                .toList();
    }

    /**
     * The whole episodes in the batches (their last transition done or truncated), in the order they ended; an episode
     * a collection stopped in the middle of is left out.
     */
    static List<Episode> episodes(List<TransitionBatch> batches) {
        record Key(Domain domain, String envId, long episodeId) {
        }
        Map<Key, double[]> open = new LinkedHashMap<>(); // steps, return so far
        List<Episode> done = new ArrayList<>();
        for (TransitionBatch b : batches) {
            for (int i = 0; i < b.size(); i++) {
                Key k = new Key(b.domain(), b.envId(), b.episodeIds()[i]);
                double[] acc = open.computeIfAbsent(k, x -> new double[2]);
                acc[0]++;
                acc[1] += b.rew()[i];
                boolean end = b.done()[i] || (b.truncated() != null && b.truncated()[i]);
                if (end) {
                    done.add(new Episode(k.domain(), k.envId(), k.episodeId(), (int) acc[0], acc[1]));
                    open.remove(k);
                }
            }
        }
        return done;
    }

    /** Writes the two PNGs into {@code dir}; returns the markdown that embeds them. */
    static String write(Path dir, List<ProbePoint> probe, List<Episode> collected, Map<String, List<EvaluationResult>> evaluations)
            throws IOException {
        StringBuilder md = new StringBuilder("## Plots\n\n");
        if (probe.isEmpty()) {
            md.append("No gap probe measurement was read from sim2real.gap, so there is no gap plot.\n\n");
        } else {
            LineChart gap = new LineChart("The sim-to-real gap against the gravity factor", "gravity factor", "G (random-policy std units)");
            for (ProbePoint p : probe) {
                String pairing = p.pairing().wireName();
                gap.point("G, " + pairing, p.factor(), p.g());
                gap.point("floor, " + pairing, p.factor(), p.floor());
            }
            gap.savePng(dir.resolve(GAP_PNG), 800, 500);
            md.append("![G and its floor against the gravity factor](").append(GAP_PNG).append(")\n\n")
                    .append("G of each gap-only run (the gap probe's newest measurement) beside its floor, the same probe with "
                            + "both sides from the simulator: at ×1.0 G sits at its floor (the measurement's noise), and it "
                            + "rises above the floor as the real gravity departs from the simulator's.\n\n");
        }

        LineChart returns = new LineChart("Collected returns", "episode", "return (sum of rewards)");
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (Episode e : collected) {
            series.computeIfAbsent("random policy (collection), " + e.domain().wireName(), k -> new ArrayList<>()).add(e.ret());
        }
        evaluations.forEach((label, results) -> {
            for (EvaluationResult r : results) {
                List<Double> s = series.computeIfAbsent(label + ", " + r.domain().wireName(), k -> new ArrayList<>());
                for (double v : r.returns()) {
                    s.add(v);
                }
            }
        });
        if (series.isEmpty()) {
            md.append("No whole episode was collected or evaluated, so there is no returns plot.\n");
            return md.toString();
        }
        series.forEach((name, values) -> {
            for (int i = 0; i < values.size(); i++) {
                returns.point(name, i + 1, values.get(i));
            }
        });
        returns.savePng(dir.resolve(RETURNS_PNG), 800, 500);
        md.append("![Returns of the collected and evaluated episodes](").append(RETURNS_PNG).append(")\n\n")
                .append("The return (sum of the 1,000 rewards of an episode, forward speed less a control cost) of each whole "
                        + "episode: ").append(meanLines(series)).append(". A collection's episode cut short by its step "
                        + "budget is not plotted.\n");
        return md.toString();
    }

    private static String meanLines(Map<String, List<Double>> series) {
        List<String> parts = new ArrayList<>();
        series.forEach((name, values) -> parts.add(name + " " + Numbers.measure(
                values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), 3)
                + " on average over " + Numbers.count(values.size()) + (values.size() == 1 ? " episode" : " episodes")));
        return String.join("; ", parts);
    }
}

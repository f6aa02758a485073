package io.sim2real.metrics;

import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What happened in every run, as read from the topics: transitions per domain, the policy version acting in
 * them, every evaluation and every gap measurement (the newest {@code maxPoints} of each kind). Runs whose
 * newest record is older than the retention, and the least recently active runs beyond {@code maxRuns}, are
 * dropped by {@link #expire}. Times are the records' Kafka timestamps, so a history rebuilt from the topics
 * after a restart ages exactly as the original did. Not thread-safe: {@link RunMetrics} serialises access.
 */
public final class RunHistory {

    public record EvaluationPoint(long timestampMs, String domain, long policyVersion, long envStep,
                                  double meanReturn, int episodes) {
    }

    /** A gap measurement; {@code pairing} is "none", {@code floor} and {@code spread} null, for a training model's metrics. */
    public record GapPoint(long timestampMs, String perturbation, double factor, String metric, String pairing, double value,
                           Double floor, Double spread, long modelVersion, long envStep) {
    }

    /** One run's history as served over REST. */
    public record RunView(String runId, long firstRecordMs, long lastRecordMs, Map<String, Long> transitions,
                          Map<String, Long> actingPolicyVersion, long lastTransitionMs, Map<String, Long> evaluationCounts,
                          List<EvaluationPoint> evaluations, List<GapPoint> gaps) {
    }

    static final class Run {
        final String runId;
        long firstRecordMs = Long.MAX_VALUE;
        long lastRecordMs = Long.MIN_VALUE;
        long lastTransitionMs = Long.MIN_VALUE;
        final Map<String, Long> transitions = new TreeMap<>();
        final Map<String, Long> actingPolicyVersion = new TreeMap<>();
        final Map<String, Long> evaluationCounts = new TreeMap<>();
        final Deque<EvaluationPoint> evaluations = new ArrayDeque<>();
        final Deque<GapPoint> gaps = new ArrayDeque<>();

        Run(String runId) {
            this.runId = runId;
        }

        void touch(long timestampMs) {
            firstRecordMs = Math.min(firstRecordMs, timestampMs);
            lastRecordMs = Math.max(lastRecordMs, timestampMs);
        }
    }

    private final int maxPoints;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    public RunHistory(int maxPoints) {
        if (maxPoints < 1) {
            throw new IllegalArgumentException("maxPoints must be >= 1");
        }
        this.maxPoints = maxPoints;
    }

    private Run run(String runId) {
        return runs.computeIfAbsent(runId, Run::new);
    }

    public void transitions(TransitionBatch batch, long timestampMs) {
        Run r = run(batch.runId());
        r.touch(timestampMs);
        r.lastTransitionMs = Math.max(r.lastTransitionMs, timestampMs);
        String domain = batch.domain().wireName();
        r.transitions.merge(domain, (long) batch.size(), Long::sum);
        r.actingPolicyVersion.merge(domain, batch.policyVersion(), Math::max);
    }

    public void evaluation(EvaluationResult e, long timestampMs) {
        Run r = run(e.runId());
        r.touch(timestampMs);
        r.evaluationCounts.merge(e.domain().wireName(), 1L, Long::sum);
        bounded(r.evaluations, new EvaluationPoint(timestampMs, e.domain().wireName(), e.policyVersion(), e.envStep(),
                e.meanReturn(), e.returns().length));
    }

    public void gap(GapMeasurement g, long timestampMs) {
        Run r = run(g.runId());
        r.touch(timestampMs);
        // model-service republishes a round's measurements when it was killed before checkpointing that round.
        String pairing = RunMetrics.pairingLabel(g);
        boolean repeated = r.gaps.stream().anyMatch(p -> p.modelVersion() == g.modelVersion()
                && p.metric().equals(g.metric().wireName()) && p.pairing().equals(pairing)
                && p.perturbation().equals(g.perturbation()) && p.factor() == g.factor());
        if (repeated) {
            return;
        }
        bounded(r.gaps, new GapPoint(timestampMs, g.perturbation(), g.factor(), g.metric().wireName(), pairing, g.value(),
                g.floor(), g.spread(), g.modelVersion(), g.envStep()));
    }

    private <T> void bounded(Deque<T> points, T point) {
        points.addLast(point);
        while (points.size() > maxPoints) {
            points.removeFirst();
        }
    }

    /**
     * Drops runs whose activity is older than {@code oldestKeptMs}, then the least recently active runs beyond
     * {@code maxRuns}. {@code activityMs} may raise a run's activity (its definition's creation time); returns
     * the dropped run ids.
     */
    public List<String> expire(long oldestKeptMs, int maxRuns, java.util.function.ToLongFunction<String> activityMs) {
        List<String> dropped = new ArrayList<>();
        List<Run> kept = new ArrayList<>();
        for (Run r : runs.values()) {
            if (Math.max(r.lastRecordMs, activityMs.applyAsLong(r.runId)) < oldestKeptMs) {
                dropped.add(r.runId);
            } else {
                kept.add(r);
            }
        }
        if (kept.size() > maxRuns) {
            kept.sort(Comparator.comparingLong((Run r) -> Math.max(r.lastRecordMs, activityMs.applyAsLong(r.runId))));
            for (Run r : kept.subList(0, kept.size() - maxRuns)) {
                dropped.add(r.runId);
            }
        }
        dropped.forEach(runs::remove);
        return dropped;
    }

    public List<String> runIds() {
        return List.copyOf(runs.keySet());
    }

    public Optional<RunView> view(String runId) {
        Run r = runs.get(runId);
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(new RunView(r.runId, r.firstRecordMs, r.lastRecordMs, Map.copyOf(r.transitions),
                Map.copyOf(r.actingPolicyVersion), r.lastTransitionMs, Map.copyOf(r.evaluationCounts), List.copyOf(r.evaluations), List.copyOf(r.gaps)));
    }

    /** Transitions per run, then domain. */
    public Map<String, Map<String, Long>> transitionCounts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        runs.values().forEach(r -> {
            if (!r.transitions.isEmpty()) {
                out.put(r.runId, new TreeMap<>(r.transitions));
            }
        });
        return out;
    }

    /** The newest gap measurement of a run (any metric), if any. */
    public Optional<GapPoint> latestGap(String runId) {
        Run r = runs.get(runId);
        return r == null || r.gaps.isEmpty() ? Optional.empty() : Optional.of(r.gaps.getLast());
    }
}

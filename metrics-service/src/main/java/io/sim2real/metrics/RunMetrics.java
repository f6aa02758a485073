package io.sim2real.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.runs.RunRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The system's records as Prometheus series, one set per run, and the {@link RunHistory} behind
 * {@code /api/v1/history}. Every run series carries {@code run}, {@code method} and the run's real-domain
 * {@code perturbation} and {@code factor} (from its definition on {@code sim2real.runs}; "unknown" until it is
 * read); gap series carry the measurement's own perturbation and factor, and {@code model_version}. A series
 * whose labels change (a definition read late, a new model version) is replaced, so each run has one series per
 * identity. Runs age out ({@link MetricsConfig}), which bounds the label cardinality.
 *
 * <ul>
 *   <li>{@code sim2real_transitions_total{run,method,perturbation,factor,domain}}</li>
 *   <li>{@code sim2real_run_acting_policy_version{...,domain}}: the policy version behind the newest transitions</li>
 *   <li>{@code sim2real_evaluations_total}, {@code sim2real_evaluation_return},
 *       {@code sim2real_evaluation_policy_version} {@code {...,domain}}</li>
 *   <li>{@code sim2real_gap{run,method,perturbation,factor,metric,pairing,model_version}}, and where the measurement
 *       has them {@code sim2real_gap_floor} and {@code sim2real_gap_spread} with the same labels</li>
 *   <li>for defined runs: {@code sim2real_run_last_progress_timestamp_seconds} (newest transitions, or the
 *       definition's creation) and {@code sim2real_run_env_steps_remaining} (envSteps minus transitions)</li>
 *   <li>{@code sim2real_runs_tracked}, {@code sim2real_runs_expired_total}</li>
 * </ul>
 */
@ApplicationScoped
public class RunMetrics {

    private static final Logger LOG = Logger.getLogger(RunMetrics.class);
    static final String UNKNOWN = "unknown";

    @Inject
    MeterRegistry registry;

    @Inject
    RunRegistry runs;

    @Inject
    MetricsConfig config;

    private RunHistory history;
    private final AtomicLong expired = new AtomicLong();
    /** Per run: series identity (name and identifying tags) to the exported series. */
    private final Map<String, Map<String, Series>> series = new HashMap<>();
    private ScheduledExecutorService refresher;

    /** One exported value; its meter is re-registered when its labels change. */
    private static final class Series {
        final String name;
        final String description;
        final boolean counter;
        volatile double value = Double.NaN;
        /** The series' own labels (identity and moving ones), without the run's. */
        Tags own = Tags.empty();
        Tags tags;
        Meter meter;

        Series(String name, String description, boolean counter) {
            this.name = name;
            this.description = description;
            this.counter = counter;
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (config.maxRuns() < 1) {
            throw new IllegalStateException("sim2real.metrics.max-runs must be >= 1, is " + config.maxRuns());
        }
        if (config.historyPoints() < 1) {
            throw new IllegalStateException("sim2real.metrics.history-points must be >= 1, is " + config.historyPoints());
        }
        if (config.runRetention().isNegative() || config.runRetention().isZero()) {
            throw new IllegalStateException("sim2real.metrics.run-retention must be positive, is " + config.runRetention());
        }
        history();
        Gauge.builder("sim2real.runs.tracked", this, m -> m.trackedRuns())
                .description("Runs whose series are exported").register(registry);
        FunctionCounter.builder("sim2real.runs.expired", expired, AtomicLong::get)
                .description("Runs that aged out of the series and the history").register(registry);
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "run-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, config.refreshEvery().toMillis());
        refresher.scheduleWithFixedDelay(() -> {
            try {
                refresh(System.currentTimeMillis());
            } catch (RuntimeException e) {
                LOG.error("refreshing run series failed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    private RunHistory history() {
        if (history == null) {
            history = new RunHistory(config.historyPoints());
        }
        return history;
    }

    private synchronized int trackedRuns() {
        return series.size();
    }

    public synchronized void record(TransitionBatch b, long timestampMs) {
        history().transitions(b, timestampMs);
        String domain = b.domain().wireName();
        RunHistory.RunView v = history.view(b.runId()).orElseThrow();
        set(b.runId(), "sim2real.transitions", Tags.of("domain", domain), Tags.empty(), v.transitions().get(domain), true,
                "Environment transitions received, by run and domain");
        set(b.runId(), "sim2real.run.acting.policy.version", Tags.of("domain", domain), Tags.empty(),
                v.actingPolicyVersion().get(domain), false, "Policy version that acted in the run's newest transitions");
        refreshDefinition(b.runId(), System.currentTimeMillis());
    }

    public synchronized void record(EvaluationResult e, long timestampMs) {
        history().evaluation(e, timestampMs);
        String domain = e.domain().wireName();
        Tags id = Tags.of("domain", domain);
        set(e.runId(), "sim2real.evaluations", id, Tags.empty(),
                history.view(e.runId()).orElseThrow().evaluationCounts().get(domain), true,
                "Evaluations received, by run and domain");
        set(e.runId(), "sim2real.evaluation.return", id, Tags.empty(), e.meanReturn(), false,
                "Mean return over the episodes of the run's latest evaluation in a domain");
        set(e.runId(), "sim2real.evaluation.policy.version", id, Tags.empty(), e.policyVersion(), false,
                "Policy version of the run's latest evaluation in a domain");
    }

    public synchronized void record(GapMeasurement g, long timestampMs) {
        history().gap(g, timestampMs);
        // The measurement names its own perturbation and its pairing ("none" for a training model's own metrics);
        // the model version is a label that moves with each round.
        Tags id = Tags.of("metric", g.metric().wireName(), "pairing", pairingLabel(g), "perturbation", g.perturbation(),
                "factor", Double.toString(g.factor()));
        Tags moving = Tags.of("model_version", Long.toString(g.modelVersion()));
        set(g.runId(), "sim2real.gap", id, moving, g.value(), false,
                "Latest sim-to-real gap measurement, by run, perturbation, factor, metric and pairing");
        if (g.floor() != null) {
            set(g.runId(), "sim2real.gap.floor", id, moving, g.floor(), false,
                    "Noise floor of the latest gap measurement: the same measurement with both sides from the simulator");
        }
        if (g.spread() != null) {
            set(g.runId(), "sim2real.gap.spread", id, moving, g.spread(), false,
                    "Standard deviation of the latest gap measurement over the probe's seeds");
        }
    }

    /** The {@code pairing} label: what the probe paired real data with, "none" for metrics of a training model. */
    static String pairingLabel(GapMeasurement g) {
        return g.pairing() == null ? "none" : g.pairing().wireName();
    }

    /** Re-reads run definitions into labels and the definition-based series, and expires old runs. */
    public synchronized void refresh(long nowMs) {
        long oldest = nowMs - config.runRetention().toMillis();
        List<String> dropped = history().expire(oldest, config.maxRuns(),
                runId -> runs.get(runId).map(RunSpec::createdAtMs).orElse(Long.MIN_VALUE));
        for (String runId : dropped) {
            removeRun(runId);
            expired.incrementAndGet();
        }
        if (!dropped.isEmpty()) {
            LOG.infof("runs aged out of the metrics: %s", dropped);
        }
        Set<String> known = new HashSet<>(history.runIds());
        for (RunSpec spec : runs.all()) {
            if (spec.createdAtMs() >= oldest) {
                known.add(spec.runId());
            }
        }
        for (String runId : new ArrayList<>(series.keySet())) {
            if (!known.contains(runId)) {
                removeRun(runId);
            }
        }
        for (String runId : known) {
            refreshDefinition(runId, nowMs);
        }
    }

    private void refreshDefinition(String runId, long nowMs) {
        Optional<RunSpec> spec = runs.get(runId);
        Map<String, Series> own = series(runId);
        if (spec.isEmpty()) {
            removeSeries(own, key("sim2real.run.last.progress.timestamp.seconds", Tags.empty()));
            removeSeries(own, key("sim2real.run.env.steps.remaining", Tags.empty()));
        } else {
            RunHistory.RunView v = history().view(runId).orElse(null);
            long lastTransition = v == null ? Long.MIN_VALUE : v.lastTransitionMs();
            long counted = v == null ? 0 : v.transitions().values().stream().mapToLong(Long::longValue).sum();
            set(runId, "sim2real.run.last.progress.timestamp.seconds", Tags.empty(), Tags.empty(),
                    Math.max(spec.get().createdAtMs(), lastTransition) / 1000.0, false,
                    "Newest transitions of a defined run, or its definition's creation, in seconds since the epoch");
            set(runId, "sim2real.run.env.steps.remaining", Tags.empty(), Tags.empty(),
                    Math.max(0, spec.get().envSteps() - counted), false,
                    "A defined run's envSteps minus the transitions counted for it");
        }
        // Labels may have changed (a definition read after the run's first records).
        Tags labels = runLabels(runId);
        for (Series s : own.values()) {
            Tags wanted = withRunLabels(runId, labels, s.own);
            if (!wanted.equals(s.tags)) {
                reregister(s, wanted);
            }
        }
    }

    /** The run's labels: from its definition, else from its gap measurements, else "unknown". */
    Tags runLabels(String runId) {
        Optional<RunSpec> spec = runs.get(runId);
        if (spec.isPresent()) {
            Map<String, Double> factors = new TreeMap<>(spec.get().realDomain().factors());
            String perturbation = factors.isEmpty() ? "none" : String.join("+", factors.keySet());
            String factor = factors.isEmpty() ? "1.0"
                    : String.join("+", factors.values().stream().map(d -> Double.toString(d)).toList());
            return Tags.of("method", spec.get().method().wireName(), "perturbation", perturbation, "factor", factor);
        }
        return history().latestGap(runId)
                .map(g -> Tags.of("method", UNKNOWN, "perturbation", g.perturbation(), "factor", Double.toString(g.factor())))
                .orElse(Tags.of("method", UNKNOWN, "perturbation", UNKNOWN, "factor", UNKNOWN));
    }

    /** The run's labels, overridden by the series' own (a gap measurement's perturbation and factor), and run. */
    private static Tags withRunLabels(String runId, Tags runLabels, Tags own) {
        Map<String, String> out = new TreeMap<>();
        runLabels.forEach(t -> out.put(t.getKey(), t.getValue()));
        own.forEach(t -> out.put(t.getKey(), t.getValue()));
        out.put("run", runId);
        Tags result = Tags.empty();
        for (Map.Entry<String, String> e : out.entrySet()) {
            result = result.and(e.getKey(), e.getValue());
        }
        return result;
    }

    private Map<String, Series> series(String runId) {
        return series.computeIfAbsent(runId, r -> new HashMap<>());
    }

    private static String key(String name, Tags identity) {
        return name + identity;
    }

    private void set(String runId, String name, Tags identity, Tags moving, double value, boolean counter,
                     String description) {
        Series s = series(runId).computeIfAbsent(key(name, identity), k -> new Series(name, description, counter));
        s.value = value;
        s.own = identity.and(moving);
        Tags wanted = withRunLabels(runId, runLabels(runId), s.own);
        if (s.meter == null || !wanted.equals(s.tags)) {
            reregister(s, wanted);
        }
    }

    private void reregister(Series s, Tags tags) {
        if (s.meter != null) {
            registry.remove(s.meter);
        }
        s.tags = tags;
        s.meter = s.counter
                ? FunctionCounter.builder(s.name, s, x -> x.value).tags(tags).description(s.description).register(registry)
                : Gauge.builder(s.name, s, x -> x.value).tags(tags).description(s.description).register(registry);
    }

    private void removeSeries(Map<String, Series> own, String key) {
        Series s = own.remove(key);
        if (s != null && s.meter != null) {
            registry.remove(s.meter);
        }
    }

    private void removeRun(String runId) {
        Map<String, Series> own = series.remove(runId);
        if (own != null) {
            own.values().forEach(s -> registry.remove(s.meter));
        }
    }

    public synchronized Optional<RunHistory.RunView> view(String runId) {
        return history().view(runId);
    }

    public synchronized List<String> runIds() {
        return history().runIds();
    }

    public synchronized Map<String, Map<String, Long>> transitionCounts() {
        return history().transitionCounts();
    }
}

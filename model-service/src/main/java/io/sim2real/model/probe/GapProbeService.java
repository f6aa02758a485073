package io.sim2real.model.probe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.GapMeasurement.Pairing;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.model.training.ModelConfig;
import io.sim2real.nn.NonFiniteException;
import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.nn.latent.GapProbe;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.replay.TransitionStore;
import io.sim2real.service.runs.RunRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * The gap probe of every run with real data and something to compare it with: its counterfactual pairs (from
 * {@code sim2real.counterfactuals}) and/or its own sim transitions. After every {@code probe.every} new real
 * transitions of a run, a probe round on the single {@code gap-probe} thread: {@link GapProbe} on the counterfactual
 * window (pairing counterfactual) and on the newest rows of the run's stores (pairing unpaired), whichever have
 * {@code probe.min-rows}; each result goes out on {@code sim2real.gap} as {@code mapping_distance} with its pairing,
 * floor and spread, version = the run's probe round, envStep = the run's transitions so far. The round and the real
 * transitions it measured up to are saved per run, so that a restart, which rebuilds the stores and windows from the
 * log, measures only what is new.
 *
 * <p>Beside G, each round publishes the ground-truth calibration ({@link Calibration}: counterfactual_discrepancy,
 * classifier_kl, classifier_auc; pairing counterfactual on the window, or the classifiers unpaired on the stores when
 * the run has too few pairs) and the run's drift alarm state (drift_alarm, 0 or 1). The alarm ({@link DriftWatch})
 * watches the discrepancy of every new pair in arrival order and the G series; when it fires it is published at once
 * (drift_alarm = 1, envStep = the real transitions paired so far) from the {@code drift} thread, which also saves the
 * watch's state (drift-state.txt beside probe-round.txt) after every change, so that a restart goes on with the same
 * reference, alarm and units and feeds only pairs newer than those it had seen.
 */
@ApplicationScoped
public class GapProbeService {

    private static final Logger LOG = Logger.getLogger(GapProbeService.class);

    /** One probe result, as published and shown. */
    public record ProbeResult(Pairing pairing, long round, long envStep, double g, double spread, double floor,
                              double floorSpread, int rows, double cpuSeconds, double wallSeconds, double[] perSeed,
                              double[] floorPerSeed) {
    }

    /** The counterfactual window, for the REST view. */
    public record WindowView(int pairs, long added, int batches, long checksum) {
    }

    /** What the probe knows about a run, for the REST API. */
    public record ProbeStatus(String runId, long round, boolean running, long measuredUpTo, WindowView window,
                              List<ProbeResult> results, List<Calibration.Values> calibration, DriftWatch.View drift,
                              String lastError) {
    }

    static final class RunState {
        final CounterfactualWindow window;
        /** Guarded by itself; its saves and immediate publications go through the drift thread, in order. */
        final DriftWatch drift;
        final Map<Pairing, Calibration.Values> calibration = new EnumMap<>(Pairing.class);
        long round;
        /** The run's real transitions (added) at the last probe round. */
        long measuredUpTo;
        volatile boolean running;
        final Map<Pairing, ProbeResult> last = new EnumMap<>(Pairing.class);
        volatile String lastError;

        RunState(int capacity, DriftWatch drift) {
            window = new CounterfactualWindow(capacity);
            this.drift = drift;
        }
    }

    @Inject
    StoreRegistry stores;

    @Inject
    RunRegistry runs;

    @Inject
    MeterRegistry registry;

    @Inject
    ModelConfig config;

    @Inject
    @Channel("gap-out")
    MutinyEmitter<Record<String, GapMeasurement>> gap;

    private final Map<String, RunState> states = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gap-probe");
        t.setDaemon(true);
        return t;
    });
    /** Saves drift states and publishes alarms, in the order they were taken (off the consumer's event loop). */
    private final ExecutorService driftThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "drift");
        t.setDaemon(true);
        return t;
    });

    /** Adds a counterfactual batch to its run's window (once per source position); returns whether it was new. */
    public boolean onPairs(CounterfactualBatch batch) {
        RunState state = state(batch.runId());
        boolean added = state.window.add(batch);
        if (added) {
            watch(batch, state);
            maybeProbe(batch.runId(), state);
        }
        return added;
    }

    /** Feeds a new batch's pairs to the run's drift watch; an alarm it raises is published at once. */
    private void watch(CounterfactualBatch batch, RunState state) {
        String runId = batch.runId();
        synchronized (state.drift) {
            long seen = state.drift.pairsSeen();
            Optional<DriftWatch.Alarm> raised;
            try {
                raised = state.drift.onPairs(batch.sourcePartition(), batch.sourceOffset(), batch.obs(),
                        batch.realNextObs(), batch.simNextObs());
            } catch (IllegalArgumentException e) {
                LOG.errorf("run %s: pairs at source %d:%d not fed to the drift alarm: %s", runId, batch.sourcePartition(),
                        batch.sourceOffset(), e.getMessage());
                return;
            }
            if (state.drift.pairsSeen() != seen) {
                saveDrift(runId, state);
            }
            raised.ifPresent(a -> {
                LOG.warnf("run %s: drift alarm from the %s detector after %d real transitions (S = %.2f)", runId,
                        a.source().wireName(), a.at(), a.statistic());
                driftThread.submit(() -> publishAlarm(runId, state, a));
            });
        }
    }

    /** Saves the watch as it is now, on the drift thread (call while holding state.drift, so saves keep their order). */
    private void saveDrift(String runId, RunState state) {
        String text = state.drift.save();
        driftThread.submit(() -> {
            try {
                writeAtomically(driftFile(runId), text);
            } catch (IOException e) {
                LOG.errorf("run %s: drift state not saved: %s", runId, e);
            }
        });
    }

    /** drift_alarm = 1 for an alarm just raised, labelled as the next probe round (whose value it will be). */
    private void publishAlarm(String runId, RunState state, DriftWatch.Alarm alarm) {
        try {
            long version;
            synchronized (state) {
                version = state.round + 1;
            }
            Map.Entry<String, Double> label = runs.get(runId).map(r -> r.realDomain().gapLabel())
                    .orElse(Map.entry("unknown", 0.0));
            gap.sendAndAwait(Record.of(runId, new GapMeasurement(SchemaVersion.CURRENT, runId, label.getKey(),
                    label.getValue(), GapMeasurement.Metric.DRIFT_ALARM, 1.0, version, alarm.at(), System.currentTimeMillis(),
                    Pairing.COUNTERFACTUAL, null, null)));
            synchronized (state.drift) {
                state.drift.markPublished(alarm);
                saveDrift(runId, state);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s: drift alarm not published (it is published again after a restart)", runId);
        }
    }

    /** Acknowledges the run's drift alarm: both detectors start over with a new reference. Empty if no such run. */
    public Optional<DriftWatch.View> resetDrift(String runId) {
        RunState s = states.get(runId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s.drift) {
            s.drift.alarm().ifPresent(a -> LOG.infof("run %s: drift alarm (%s at %d) acknowledged; new references",
                    runId, a.source().wireName(), a.at()));
            s.drift.reset();
            saveDrift(runId, s);
            return Optional.of(s.drift.view());
        }
    }

    /** Called for every transition batch added to a store. */
    public void onTransitions(String runId, Domain domain) {
        if (domain == Domain.REAL) {
            maybeProbe(runId, state(runId));
        }
    }

    private RunState state(String runId) {
        return states.computeIfAbsent(runId, id -> {
            RunState s = new RunState(config.probe().window().orElse(config.probe().config().maxRows()), restoreDrift(id));
            restore(id, s);
            for (DriftWatch.Source source : DriftWatch.Source.values()) {
                Gauge.builder("sim2real.model.drift.statistic", s.drift, d -> {
                    synchronized (d) {
                        return d.statistic(source);
                    }
                }).tag("run", id).tag("source", source.wireName()).strongReference(true)
                        .description("CUSUM statistic S of the run's drift detector (alarm above h)").register(registry);
            }
            Gauge.builder("sim2real.model.drift.alarm", s.drift, d -> {
                synchronized (d) {
                    return d.alarm().isPresent() ? 1 : 0;
                }
            }).tag("run", id).strongReference(true).description("1 while the run's drift alarm is raised")
                    .register(registry);
            synchronized (s.drift) {
                s.drift.alarm().filter(a -> !s.drift.alarmPublished())
                        .ifPresent(a -> driftThread.submit(() -> publishAlarm(id, s, a)));
            }
            return s;
        });
    }

    private long realAdded(String runId) {
        return stores.find(runId, Domain.REAL).map(TransitionStore::added).orElse(0L);
    }

    private int rows(String runId, Domain d) {
        return stores.find(runId, d).map(TransitionStore::size).orElse(0);
    }

    private boolean counterfactualReady(RunState s) {
        return s.window.size() >= config.probe().minRows();
    }

    private boolean unpairedReady(String runId) {
        return rows(runId, Domain.SIM) >= config.probe().minRows() && rows(runId, Domain.REAL) >= config.probe().minRows();
    }

    /** Starts a probe round if one is due and none is running. */
    private void maybeProbe(String runId, RunState state) {
        int every = config.probe().every();
        if (every <= 0) {
            return;
        }
        synchronized (state) {
            if (state.running || realAdded(runId) - state.measuredUpTo < every) {
                return;
            }
            Optional<RunSpec> run = runs.get(runId);
            if (run.isEmpty() || (!counterfactualReady(state) && !unpairedReady(runId))) {
                return;
            }
            state.running = true;
            worker.submit(() -> round(run.get(), state));
        }
    }

    private void round(RunSpec run, RunState state) {
        String runId = run.runId();
        long upTo = realAdded(runId);
        long envStep = upTo + stores.find(runId, Domain.SIM).map(TransitionStore::added).orElse(0L);
        long round = state.round + 1;
        GapProbe probe = new GapProbe(config.probe().config());
        try {
            List<ProbeResult> results = new ArrayList<>();
            if (counterfactualReady(state)) {
                CounterfactualWindow.Sides sides = state.window.sides();
                results.add(measure(probe, runId, sides.sim(), sides.real(), Pairing.COUNTERFACTUAL, round, envStep));
            }
            if (unpairedReady(runId)) {
                results.add(measure(probe, runId, transitions(runId, Domain.SIM), transitions(runId, Domain.REAL),
                        Pairing.UNPAIRED, round, envStep));
            }
            Optional<Calibration.Values> calibration = calibrate(run, state, round);
            // The G series detector watches the counterfactual G where there is one, else the unpaired one.
            Optional<ProbeResult> watched = results.stream().filter(r -> r.pairing() == Pairing.COUNTERFACTUAL).findFirst()
                    .or(() -> results.stream().findFirst());
            boolean alarmed;
            Optional<DriftWatch.Alarm> raisedByG = Optional.empty();
            synchronized (state.drift) {
                if (watched.isPresent()) {
                    raisedByG = state.drift.onG(watched.get().g(), watched.get().pairing().wireName(), upTo);
                    saveDrift(runId, state);
                }
                alarmed = state.drift.alarm().isPresent();
            }
            raisedByG.ifPresent(a -> LOG.warnf("run %s: drift alarm from the g detector at round %d (%d real "
                    + "transitions, S = %.2f)", runId, round, a.at(), a.statistic()));
            // A round counts once its values are acknowledged by Kafka, then saved: a kill in between repeats the
            // round under the same version (consumers treat (run, metric, version, pairing) as one point).
            for (ProbeResult r : results) {
                publish(run, r);
            }
            calibration.ifPresent(c -> publish(run, c, envStep));
            Pairing alarmPairing = state.window.added() > 0 ? Pairing.COUNTERFACTUAL
                    : watched.map(ProbeResult::pairing).orElse(Pairing.COUNTERFACTUAL);
            send(run, GapMeasurement.Metric.DRIFT_ALARM, alarmed ? 1.0 : 0.0, round, envStep, alarmPairing);
            raisedByG.ifPresent(a -> {
                synchronized (state.drift) {
                    state.drift.markPublished(a);
                    saveDrift(runId, state);
                }
            });
            synchronized (state) {
                state.round = round;
                state.measuredUpTo = upTo;
                for (ProbeResult r : results) {
                    state.last.put(r.pairing(), r);
                }
                calibration.ifPresent(c -> state.calibration.put(c.pairing(), c));
            }
            save(runId, round, upTo);
            state.lastError = null;
        } catch (NonFiniteException e) {
            fail(runId, state, upTo, "non_finite", e.getMessage());
        } catch (Exception e) {
            LOG.errorf(e, "run %s: gap probe round failed", runId);
            fail(runId, state, upTo, "error", e.toString());
        } finally {
            state.running = false;
        }
        maybeProbe(runId, state);
    }

    private ProbeResult measure(GapProbe probe, String runId, Transitions sim, Transitions real, Pairing pairing,
                                long round, long envStep) {
        GapProbe.Result r = probe.measure(sim, real, pairing);
        Timer.builder("sim2real.model.probe.seconds").tag("run", runId).tag("pairing", pairing.wireName())
                .description("CPU seconds of a gap probe measurement (G, its floor, every seed)").register(registry)
                .record((long) (r.cpuSeconds() * 1e9), TimeUnit.NANOSECONDS);
        LOG.infof("run %s: gap probe round %d (%s, %d rows): G %.4f +- %.4f, floor %.4f +- %.4f, %.1f CPU s", runId, round,
                pairing.wireName(), r.rows(), r.g(), r.spread(), r.floor(), r.floorSpread(), r.cpuSeconds());
        return new ProbeResult(pairing, round, envStep, r.g(), r.spread(), r.floor(), r.floorSpread(), r.rows(),
                r.cpuSeconds(), r.wallSeconds(), r.perSeed(), r.floorPerSeed());
    }

    /**
     * The round's calibration: on the counterfactual window if it has min-rows pairs, else (classifiers only) on the
     * run's stores if both have min-rows; empty if neither or if it failed (the round's G goes out regardless).
     */
    private Optional<Calibration.Values> calibrate(RunSpec run, RunState state, long round) {
        String runId = run.runId();
        int maxRows = config.probe().config().maxRows();
        try {
            Calibration.Values c;
            if (counterfactualReady(state)) {
                CounterfactualDiscrepancy units;
                synchronized (state.drift) {
                    units = state.drift.units().orElse(null);
                }
                CounterfactualWindow.Sides sides = state.window.sides();
                c = Calibration.counterfactual(sides.sim(), sides.real(), units, maxRows, round, run.seed() + round);
            } else if (unpairedReady(runId)) {
                c = Calibration.unpaired(transitions(runId, Domain.SIM), transitions(runId, Domain.REAL), maxRows, round,
                        run.seed() + round);
            } else {
                return Optional.empty();
            }
            Timer.builder("sim2real.model.probe.calibration.seconds").tag("run", runId).tag("pairing", c.pairing().wireName())
                    .description("CPU seconds of a probe round's calibration (discrepancy and domain classifiers)")
                    .register(registry).record((long) (c.cpuSeconds() * 1e9), TimeUnit.NANOSECONDS);
            LOG.infof("run %s: calibration round %d (%s, %d rows): discrepancy %s, classifier KL %.4f nats, AUC %.4f, "
                    + "%.2f CPU s", runId, round, c.pairing().wireName(), c.rows(), c.discrepancy(), c.klNats(), c.auc(),
                    c.cpuSeconds());
            return Optional.of(c);
        } catch (RuntimeException e) {
            LOG.errorf("run %s: calibration of round %d failed: %s", runId, round, e);
            Counter.builder("sim2real.model.probe.failures").tag("run", runId).tag("reason", "calibration")
                    .description("Gap probe rounds stopped by a failure").register(registry).increment();
            return Optional.empty();
        }
    }

    private void publish(RunSpec run, Calibration.Values c, long envStep) {
        if (c.discrepancy() != null) {
            send(run, GapMeasurement.Metric.COUNTERFACTUAL_DISCREPANCY, c.discrepancy(), c.round(), envStep, c.pairing());
        }
        send(run, GapMeasurement.Metric.CLASSIFIER_KL, c.klNats(), c.round(), envStep, c.pairing());
        send(run, GapMeasurement.Metric.CLASSIFIER_AUC, c.auc(), c.round(), envStep, c.pairing());
    }

    /** One value without floor or spread, with the run's labels; not finite: logged, not published. */
    private void send(RunSpec run, GapMeasurement.Metric metric, double value, long version, long envStep, Pairing pairing) {
        if (!Double.isFinite(value)) {
            LOG.warnf("run %s: %s = %s is not finite, not published", run.runId(), metric.wireName(), value);
            return;
        }
        Map.Entry<String, Double> label = run.realDomain().gapLabel();
        gap.sendAndAwait(Record.of(run.runId(), new GapMeasurement(SchemaVersion.CURRENT, run.runId(), label.getKey(),
                label.getValue(), metric, value, version, envStep, System.currentTimeMillis(), pairing, null, null)));
    }

    private void publish(RunSpec run, ProbeResult r) {
        if (!Double.isFinite(r.g()) || !Double.isFinite(r.floor()) || !Double.isFinite(r.spread())) {
            LOG.warnf("run %s: gap probe value %s is not finite, not published", run.runId(), r);
            return;
        }
        Map.Entry<String, Double> label = run.realDomain().gapLabel();
        gap.sendAndAwait(Record.of(run.runId(), new GapMeasurement(SchemaVersion.CURRENT, run.runId(), label.getKey(),
                label.getValue(), GapMeasurement.Metric.MAPPING_DISTANCE, r.g(), r.round(), r.envStep(),
                System.currentTimeMillis(), r.pairing(), r.floor(), r.spread())));
    }

    private void fail(String runId, RunState state, long upTo, String reason, String message) {
        // The data measured up to now is skipped: the next round comes after probe.every more real transitions.
        synchronized (state) {
            state.measuredUpTo = upTo;
        }
        state.lastError = message;
        LOG.errorf("run %s: gap probe round stopped: %s", runId, message);
        Counter.builder("sim2real.model.probe.failures").tag("run", runId).tag("reason", reason)
                .description("Gap probe rounds stopped by a failure").register(registry).increment();
    }

    private Transitions transitions(String runId, Domain d) {
        TransitionStore.Snapshot s = stores.find(runId, d).orElseThrow().snapshot();
        return new Transitions(s.obs(), s.act(), s.rew(), s.nextObs());
    }

    private Path stateFile(String runId) {
        return Path.of(config.checkpointDir(), runId, "probe-round.txt");
    }

    private Path driftFile(String runId) {
        return Path.of(config.checkpointDir(), runId, "drift-state.txt");
    }

    private void save(String runId, long round, long upTo) throws IOException {
        writeAtomically(stateFile(runId), round + " " + upTo + "\n");
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The run's drift watch as saved before a restart, or a new one. */
    private DriftWatch restoreDrift(String runId) {
        ModelConfig.Drift d = config.drift();
        Path file = driftFile(runId);
        if (Files.exists(file)) {
            try {
                DriftWatch w = DriftWatch.restore(Files.readString(file), d.discrepancies(), d.series(), d.unitsRows());
                LOG.infof("run %s: drift alarm goes on after %d paired real transitions: %s", runId, w.pairsSeen(), w.view());
                return w;
            } catch (IOException | RuntimeException e) {
                LOG.errorf("run %s: ignoring the drift state %s (a new reference is taken): %s", runId, file, e);
            }
        }
        return new DriftWatch(d.discrepancies(), d.series(), d.unitsRows());
    }

    /** After a restart: the last round and the real transitions it measured up to, if saved. */
    private void restore(String runId, RunState state) {
        Path file = stateFile(runId);
        if (!Files.exists(file)) {
            return;
        }
        try {
            String[] parts = Files.readString(file).trim().split(" ");
            state.round = Long.parseLong(parts[0]);
            state.measuredUpTo = Long.parseLong(parts[1]);
            LOG.infof("run %s: gap probe goes on after round %d (%d real transitions)", runId, state.round, state.measuredUpTo);
        } catch (IOException | RuntimeException e) {
            LOG.errorf("run %s: ignoring the gap probe's state %s: %s", runId, file, e);
        }
    }

    public Optional<ProbeStatus> status(String runId) {
        RunState s = states.get(runId);
        if (s == null) {
            return Optional.empty();
        }
        CounterfactualWindow w = s.window;
        DriftWatch.View drift;
        synchronized (s.drift) {
            drift = s.drift.view();
        }
        synchronized (s) {
            return Optional.of(new ProbeStatus(runId, s.round, s.running, s.measuredUpTo,
                    new WindowView(w.size(), w.added(), w.batches(), w.checksum()), List.copyOf(s.last.values()),
                    List.copyOf(s.calibration.values()), drift, s.lastError));
        }
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
        driftThread.shutdown();
    }
}

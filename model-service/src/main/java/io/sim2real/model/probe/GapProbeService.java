package io.sim2real.model.probe;

import io.micrometer.core.instrument.Counter;
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
                              List<ProbeResult> results, String lastError) {
    }

    static final class RunState {
        final CounterfactualWindow window;
        long round;
        /** The run's real transitions (added) at the last probe round. */
        long measuredUpTo;
        volatile boolean running;
        final Map<Pairing, ProbeResult> last = new EnumMap<>(Pairing.class);
        volatile String lastError;

        RunState(int capacity) {
            window = new CounterfactualWindow(capacity);
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

    /** Adds a counterfactual batch to its run's window (once per source position); returns whether it was new. */
    public boolean onPairs(CounterfactualBatch batch) {
        RunState state = state(batch.runId());
        boolean added = state.window.add(batch);
        if (added) {
            maybeProbe(batch.runId(), state);
        }
        return added;
    }

    /** Called for every transition batch added to a store. */
    public void onTransitions(String runId, Domain domain) {
        if (domain == Domain.REAL) {
            maybeProbe(runId, state(runId));
        }
    }

    private RunState state(String runId) {
        return states.computeIfAbsent(runId, id -> {
            RunState s = new RunState(config.probe().window().orElse(config.probe().config().maxRows()));
            restore(id, s);
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
            // A round counts once its values are acknowledged by Kafka, then saved: a kill in between repeats the
            // round under the same version (consumers treat (run, metric, version, pairing) as one point).
            for (ProbeResult r : results) {
                publish(run, r);
            }
            synchronized (state) {
                state.round = round;
                state.measuredUpTo = upTo;
                for (ProbeResult r : results) {
                    state.last.put(r.pairing(), r);
                }
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

    private void save(String runId, long round, long upTo) throws IOException {
        Path file = stateFile(runId);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, round + " " + upTo + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
        synchronized (s) {
            return Optional.of(new ProbeStatus(runId, s.round, s.running, s.measuredUpTo,
                    new WindowView(w.size(), w.added(), w.batches(), w.checksum()), List.copyOf(s.last.values()), s.lastError));
        }
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}

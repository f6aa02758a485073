package io.sim2real.service.runs;

import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jboss.logging.Logger;

/**
 * The runs this service knows, as read from the compacted {@code sim2real.runs}: the latest accepted definition per
 * run, as its effective settings ({@link RunSettings}: every parameter that applies to the run set, defaults taken
 * from this deployment's {@code sim2real.run.*} for a definition that lacks them). A definition that is no run (a
 * parameter unknown or out of range, domains its method does not allow) or that changes what the run was made with
 * (method, mode, seed, domains, real physics) is refused: the run keeps its previous definition, if any, and the
 * refusal is kept with its reason for the API ({@link #refusal}), never silently dropped.
 */
@ApplicationScoped
public class RunRegistry {

    private static final Logger LOG = Logger.getLogger(RunRegistry.class);

    /** Why the newest definition of a run read from the topic was not taken. */
    public record Refusal(String runId, String reason, long refusedAtMs) {
    }

    private final Map<String, RunSettings> runs = new ConcurrentSkipListMap<>();
    private final Map<String, Refusal> refusals = new ConcurrentSkipListMap<>();

    @Inject
    RunDefaults defaults;

    /** Takes a definition read from the topic, or refuses it with the reason (kept for {@link #refusal}). */
    public void put(RunSpec run) {
        RunSettings settings;
        try {
            settings = RunSettings.resolve(run, defaults, RunSettings.Reading.STORED);
        } catch (InvalidRecordException e) {
            refuse(run.runId(), e.getMessage());
            return;
        }
        RunSettings previous = runs.get(run.runId());
        Optional<String> fixed = previous == null ? Optional.empty() : previous.refusesChangeTo(settings);
        if (fixed.isPresent()) {
            refuse(run.runId(), fixed.get());
            return;
        }
        if (!settings.conversions().isEmpty()) {
            LOG.warnf("run %s: read a definition of an earlier build, converted: %s", run.runId(), settings.conversions());
        }
        refusals.remove(run.runId());
        runs.put(run.runId(), settings);
    }

    private void refuse(String runId, String reason) {
        LOG.errorf("run %s: definition refused: %s", runId, reason);
        refusals.put(runId, new Refusal(runId, reason, System.currentTimeMillis()));
    }

    public void remove(String runId) {
        runs.remove(runId);
        refusals.remove(runId);
    }

    /** The runs' effective definitions. */
    public List<RunSpec> all() {
        return runs.values().stream().map(RunSettings::spec).toList();
    }

    /** A run's effective definition: its RunSpec with every parameter that applies to it set. */
    public Optional<RunSpec> get(String runId) {
        return settings(runId).map(RunSettings::spec);
    }

    /** A run's effective settings, typed. */
    public Optional<RunSettings> settings(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    /** Why the newest definition of a run read from the topic was refused, if it was. */
    public Optional<Refusal> refusal(String runId) {
        return Optional.ofNullable(refusals.get(runId));
    }

    public List<Refusal> refusals() {
        return List.copyOf(refusals.values());
    }

    /** The defaults this deployment resolves runs with. */
    public RunDefaults defaults() {
        return defaults;
    }
}

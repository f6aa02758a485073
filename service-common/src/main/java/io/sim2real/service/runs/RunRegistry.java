package io.sim2real.service.runs;

import io.sim2real.contracts.messages.RunSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** The runs this service knows, as read from the compacted {@code sim2real.runs}: latest definition per run. */
@ApplicationScoped
public class RunRegistry {

    private final Map<String, RunSpec> runs = new ConcurrentSkipListMap<>();

    public void put(RunSpec run) {
        runs.put(run.runId(), run);
    }

    public void remove(String runId) {
        runs.remove(runId);
    }

    public List<RunSpec> all() {
        return List.copyOf(runs.values());
    }

    public Optional<RunSpec> get(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }
}

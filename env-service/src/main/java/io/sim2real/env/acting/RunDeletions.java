package io.sim2real.env.acting;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which runs have been deleted, as far as collections are concerned: the latest valid record of each run on the
 * compacted {@code sim2real.runs} (a definition, or a tombstone), read by {@link RunDeletionsReader} from the
 * topic's beginning, and whether that read has reached the end offsets the topic had when it began.
 *
 * <p>Until then nothing reads as deleted: while a process reads the topic back after a start, a run it has not
 * read yet is absent from the {@link io.sim2real.service.runs.RunRegistry}, and a run deleted and defined again
 * is absent for a moment, though neither was deleted. A collection stops for its run's deletion only on a
 * tombstone that is the run's latest record once caught up ({@link #deleted}); a resumed one also stops if its run
 * has no definition at all by then ({@link #defined}: deleted while env-service was down, the tombstone perhaps
 * compacted away). Records the services dead-letter (unreadable, invalid, keyed by another run) change nothing,
 * as they change nothing in the registry.
 */
@ApplicationScoped
public class RunDeletions {

    private final EnvSpec spec;
    /** The latest valid record of each run read so far: true a definition, false a tombstone. */
    private final Map<String, Boolean> latest = new ConcurrentHashMap<>();
    /** The topic's end offset per partition when the read began; null before. */
    private volatile Map<Integer, Long> endAtStart;
    private volatile boolean caughtUp;

    @Inject
    public RunDeletions(EnvSpec spec) {
        this.spec = spec;
    }

    /** The read begins: the topic's end offsets, per partition, at that moment. */
    public void beginAt(Map<Integer, Long> endOffsets) {
        endAtStart = Map.copyOf(endOffsets);
        reached(Map.of());
    }

    /** A record of {@code sim2real.runs}, in the order of its partition. */
    public void apply(String key, byte[] value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            latest.put(key, false);
            return;
        }
        try {
            RunSpec run = Codecs.RUN_SPEC.decode(value, spec);
            if (key.equals(run.runId())) {
                latest.put(key, true);
            }
        } catch (InvalidRecordException | RuntimeException e) {
            // dead-lettered by the services' consumers; no change to the run
        }
    }

    /** The read's position per partition (the next offset it will read); partitions not named are at 0. */
    public void reached(Map<Integer, Long> positions) {
        Map<Integer, Long> end = endAtStart;
        if (caughtUp || end == null) {
            return;
        }
        caughtUp = end.entrySet().stream().allMatch(e -> e.getValue() <= positions.getOrDefault(e.getKey(), 0L));
    }

    /** Whether the read has reached the topic's end offsets as of its beginning. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Whether the run's latest record, read after catching up, is a tombstone. */
    public boolean deleted(String runId) {
        return caughtUp && Boolean.FALSE.equals(latest.get(runId));
    }

    /** Whether the run's latest record read so far is a definition. */
    public boolean defined(String runId) {
        return Boolean.TRUE.equals(latest.get(runId));
    }
}

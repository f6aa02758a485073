package io.sim2real.contracts.messages;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.InvalidRecordException;

/** What every record on a sim2real topic has: a schema version, a Kafka key, and its own validation. */
public interface Sim2RealMessage {

    int schemaVersion();

    /** The Kafka record key: the runId, so that one run's records stay in one partition, in order. */
    String runId();

    /**
     * Checks the record against the environment's shape: known schema version, required fields,
     * dimensions, finite numbers and ranges. Throws with the first problem found.
     */
    void validate(EnvSpec spec) throws InvalidRecordException;
}

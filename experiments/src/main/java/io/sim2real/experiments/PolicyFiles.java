package io.sim2real.experiments;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Saved policies (PolicySnapshot JSON, as train writes them and sim2real.policies carries them), read and validated. */
final class PolicyFiles {

    private PolicyFiles() {
    }

    /** The policy in {@code file}, validated for HalfCheetah; refused naming {@code what} (the option or the file's role). */
    static PolicySnapshot read(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot read " + file + ": " + e, e);
        }
        try {
            return Codecs.POLICY_SNAPSHOT.decode(bytes, EnvSpec.HALF_CHEETAH);
        } catch (InvalidRecordException | RuntimeException e) {
            throw new IllegalArgumentException(what + ": " + file + " is not a valid HalfCheetah policy snapshot: " + e.getMessage(), e);
        }
    }
}

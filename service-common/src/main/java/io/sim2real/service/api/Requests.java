package io.sim2real.service.api;

import io.sim2real.contracts.validation.Checks;
import io.sim2real.contracts.validation.InvalidRecordException;

/** Checks of REST request parameters that answer 400 with a message naming the parameter. */
public final class Requests {

    private Requests() {
    }

    /** A run id as the contracts define it (it ends up in record keys, labels and file names). */
    public static String runId(String runId) {
        try {
            Checks.validRunId(runId);
        } catch (InvalidRecordException e) {
            throw new BadRequestException(e.getMessage());
        }
        return runId;
    }

    public static int bounded(Integer value, int fallback, int min, int max, String name) {
        int v = value == null ? fallback : value;
        if (v < min || v > max) {
            throw new BadRequestException(name + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    public static long bounded(Long value, long fallback, long min, long max, String name) {
        long v = value == null ? fallback : value;
        if (v < min || v > max) {
            throw new BadRequestException(name + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }
}

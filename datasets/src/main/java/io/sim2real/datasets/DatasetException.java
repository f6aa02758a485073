package io.sim2real.datasets;

/**
 * A dataset that cannot be read, imported or written. The message names the file (or input) and the
 * problem. Checked on purpose: a corrupt or mismatched dataset is an expected condition that callers
 * must handle, and whoever gets this exception gets no data at all, never part of it.
 */
public class DatasetException extends Exception {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.sim2real.experiments.client;

/**
 * A RunSpec or collection request refused before it was sent, with the message naming the field (as the services
 * would: {@code field 'parameters.trainEvery' is 0, must be ...}). An {@link IllegalArgumentException}, so that the
 * command line answers it as bad input (one line, exit code 2).
 */
public final class InvalidRunException extends IllegalArgumentException {

    InvalidRunException(String message, Throwable cause) {
        super(message, cause);
    }
}

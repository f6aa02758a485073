package io.sim2real.experiments.client;

/**
 * A service's answer other than success, or no answer: the request, the HTTP status (0 when the service could not be
 * reached) and the service's own message (the {@code message} of its error body), as one line.
 */
public final class ServiceException extends RuntimeException {

    private final int status;

    ServiceException(String request, int status, String message, Throwable cause) {
        super(request + (status == 0 ? " got no answer: " : " answered " + status + ": ") + message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when the service could not be reached. */
    public int status() {
        return status;
    }

    /** Whether the service refused the request as it was (4xx): a bad input, not a failure. */
    public boolean refused() {
        return status >= 400 && status < 500;
    }
}

package io.sim2real.service.api;

/** The JSON body of every error answer: the HTTP status and what was wrong. */
public record ApiError(int status, String message) {
}

package io.sim2real.service.api;

/** A REST request whose parameters are wrong; answered with 400 and the message. */
public class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}

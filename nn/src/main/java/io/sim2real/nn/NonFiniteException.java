package io.sim2real.nn;

/** A loss or gradient became NaN or infinite: training stops here instead of corrupting the model. */
public class NonFiniteException extends RuntimeException {

    public NonFiniteException(String message) {
        super(message);
    }
}

package io.sim2real.contracts.protobuf;

/** How a v2 codec packs a message's doubles (the decoder reads either: the wire says which). */
public enum Precision {
    /** float32 when every value of the field is exactly a float32, float64 otherwise: exactly the values of JSON v1. */
    EXACT,
    /**
     * Always float32, rounded to nearest: only for fields whose every consumer reads them as float32 (rollouts, which
     * the SAC learner casts to float). Values beyond float32's range are refused.
     */
    FLOAT32
}

package io.sim2real.nn;

import java.util.SplittableRandom;

/**
 * A {@link SplittableRandom} whose state can be saved and resumed, so that a learner restored from a checkpoint
 * draws exactly the numbers the original would have drawn. SplittableRandom does not expose its state, but one made
 * with {@code new SplittableRandom(seed)} is the pair (seed, golden gamma): every draw adds gamma to the seed, and
 * {@code nextLong()} returns mix64 of the new seed, a bijection. So one draw tells the state, and a fresh
 * {@code new SplittableRandom(state)} continues the stream from where the original stood before that draw
 * ({@code ResumableRandomTest} checks this against the JDK's generator).
 */
public final class ResumableRandom {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final long INVERSE_M1 = inverse(0xbf58476d1ce4e5b9L);
    private static final long INVERSE_M2 = inverse(0x94d049bb133111ebL);

    private SplittableRandom random;

    /** The same stream as {@code new SplittableRandom(seed)}; {@code new ResumableRandom(r.state())} resumes r. */
    public ResumableRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * The generator to draw from. {@link #state()} replaces it with an equal one, so draw through this method
     * rather than keeping the generator across a call of {@code state()}.
     */
    public SplittableRandom get() {
        return random;
    }

    /**
     * The state: {@code new ResumableRandom(state())} draws what this one draws next. This one goes on unchanged
     * (its generator, advanced by the draw that read the state, is replaced by one at the state before it).
     */
    public long state() {
        long state = unmix64(random.nextLong()) - GOLDEN_GAMMA;
        random = new SplittableRandom(state);
        return state;
    }

    /** The inverse of SplittableRandom's mix64 (two xor-shift-multiply rounds and a last xor-shift). */
    static long unmix64(long z) {
        z = unshift(z, 31);
        z *= INVERSE_M2;
        z = unshift(z, 27);
        z *= INVERSE_M1;
        return unshift(z, 30);
    }

    /** The inverse of z ^ (z >>> shift). */
    private static long unshift(long z, int shift) {
        long x = z;
        for (int s = shift; s < 64; s += shift) {
            x ^= z >>> s;
        }
        return x;
    }

    /** The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits). */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 6; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }
}

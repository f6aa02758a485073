package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResumableRandomTest {

    @Test
    void shouldDrawWhatSplittableRandomDrawsAcrossASavedState() {
        SplittableRandom reference = new SplittableRandom(12345);
        ResumableRandom random = new ResumableRandom(12345);
        for (int i = 0; i < 1000; i++) {
            assertEquals(reference.nextGaussian(), random.get().nextGaussian());
            assertEquals(reference.nextInt(77), random.get().nextInt(77));
        }
        long state = random.state();
        ResumableRandom resumed = new ResumableRandom(state);
        for (int i = 0; i < 10_000; i++) {
            double expected = reference.nextGaussian();
            assertEquals(expected, random.get().nextGaussian(), "the saved generator goes on unchanged, draw " + i);
            assertEquals(expected, resumed.get().nextGaussian(), "the resumed generator, draw " + i);
            int bounded = reference.nextInt(1000);
            assertEquals(bounded, random.get().nextInt(1000));
            assertEquals(bounded, resumed.get().nextInt(1000));
            long raw = reference.nextLong();
            assertEquals(raw, random.get().nextLong());
            assertEquals(raw, resumed.get().nextLong());
        }
    }

    @Test
    void shouldInvertMix64() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            long seed = r.nextLong();
            // new SplittableRandom(s).nextLong() is mix64(s + gamma)
            long mixed = new SplittableRandom(seed).nextLong();
            assertEquals(seed + 0x9e3779b97f4a7c15L, ResumableRandom.unmix64(mixed));
        }
    }

    @Test
    void shouldSaveTheStateOfAFreshGeneratorAsItsSeed() {
        assertEquals(-42L, new ResumableRandom(-42L).state());
    }
}

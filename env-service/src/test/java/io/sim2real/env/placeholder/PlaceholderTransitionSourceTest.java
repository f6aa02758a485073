package io.sim2real.env.placeholder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import org.junit.jupiter.api.Test;

class PlaceholderTransitionSourceTest {

    private static PlaceholderTransitionSource source(long seed) {
        return new PlaceholderTransitionSource(EnvSpec.HALF_CHEETAH, "r", Domain.SIM, "e", 5, seed);
    }

    @Test
    void shouldProduceValidBatchesOfTheEnvironmentsShape() throws Exception {
        TransitionBatch batch = source(1).next(12);
        batch.validate(EnvSpec.HALF_CHEETAH);
        assertEquals(12, batch.size());
    }

    @Test
    void shouldRepeatExactlyForTheSameSeedAndDifferForAnother() {
        TransitionBatch a = source(7).next(8);
        TransitionBatch b = source(7).next(8);
        TransitionBatch c = source(8).next(8);
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(a.nextObs()[i], b.nextObs()[i], 0.0);
        }
        assertFalse(java.util.Arrays.equals(a.nextObs()[0], c.nextObs()[0]));
    }

    @Test
    void shouldChainStatesAndCutEpisodesAtTheirLengthAcrossCalls() {
        PlaceholderTransitionSource s = source(3);
        TransitionBatch first = s.next(3);
        TransitionBatch second = s.next(4);
        assertArrayEquals(first.nextObs()[0], first.obs()[1], 0.0);
        assertArrayEquals(first.nextObs()[2], second.obs()[0], 0.0, "episodes continue across calls");
        assertEquals(4, second.stepIndices()[1]);
        assertTrue(second.truncated()[1], "step 4 is the last of a 5-step episode");
        assertEquals(1, second.episodeIds()[2]);
        assertEquals(0, second.stepIndices()[2]);
    }
}

package io.sim2real.env.acting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransitionCollectorTest {

    private static List<TransitionBatch> collect(long seed, int envs, long steps, int batchSize) {
        List<TransitionBatch> out = new ArrayList<>();
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), envs, 1, seed)) {
            new TransitionCollector(env, new RandomPolicy(EnvSpec.HALF_CHEETAH, seed), "r", Domain.SIM, "e", batchSize,
                    out::add).collect(steps);
        }
        return out;
    }

    @Test
    void shouldPackValidBatchesOfTheRequestedSize() throws Exception {
        List<TransitionBatch> batches = collect(1, 3, 1200, 500);
        assertEquals(List.of(500, 500, 200), batches.stream().map(TransitionBatch::size).toList());
        for (TransitionBatch b : batches) {
            b.validate(EnvSpec.HALF_CHEETAH);
        }
    }

    @Test
    void shouldChainEachEnvsObservationsAndCutEpisodesAtTheTimeLimit() {
        List<TransitionBatch> batches = collect(2, 1, 1001, 1001);
        TransitionBatch b = batches.get(0);
        for (int i = 0; i + 1 < 999; i++) {
            assertArrayEquals(b.nextObs()[i], b.obs()[i + 1], 0.0);
        }
        assertTrue(b.truncated()[999]);
        assertEquals(0, b.stepIndices()[1000]);
        assertTrue(b.episodeIds()[1000] != b.episodeIds()[999]);
    }

    @Test
    void shouldRepeatExactlyForTheSameSeed() {
        TransitionBatch a = collect(3, 2, 100, 100).get(0);
        TransitionBatch b = collect(3, 2, 100, 100).get(0);
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(a.nextObs()[i], b.nextObs()[i], 0.0);
            assertArrayEquals(a.act()[i], b.act()[i], 0.0);
        }
    }
}

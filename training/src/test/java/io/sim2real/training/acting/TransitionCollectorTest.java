package io.sim2real.training.acting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TransitionCollectorTest {

    private static List<TransitionBatch> collect(long seed, int envs, long steps, int batchSize) {
        List<TransitionBatch> out = new ArrayList<>();
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), envs, 1, seed)) {
            new TransitionCollector(env, new RandomPolicy(EnvSpec.HALF_CHEETAH, seed), "r", Domain.SIM, "e", batchSize,
                    steps, out::add).collect(steps);
        }
        return out;
    }

    /** A SIGKILL while publishing: the batch that was being sent never arrived. */
    private static final class Killed extends RuntimeException {
    }

    private static long transitions(List<TransitionBatch> batches) {
        return batches.stream().mapToLong(TransitionBatch::size).sum();
    }

    private static Set<String> pairs(List<TransitionBatch> batches) {
        Set<String> pairs = new HashSet<>();
        for (TransitionBatch b : batches) {
            for (int i = 0; i < b.size(); i++) {
                pairs.add(b.episodeIds()[i] + "/" + b.stepIndices()[i]);
            }
        }
        return pairs;
    }

    /**
     * One process of a collection as CollectionService runs it (async chunks), resumed after what {@code out} holds;
     * killed when it would publish batch {@code killAt} (-1: never).
     */
    private static void runProcess(long envSteps, int envs, int batchSize, long chunk, List<TransitionBatch> out,
                                   int killAt) {
        long before = transitions(out);
        long maxEpisode = out.stream().flatMapToLong(b -> java.util.Arrays.stream(b.episodeIds())).max().orElse(-1);
        int[] sent = {0};
        Consumer<TransitionBatch> sink = b -> {
            if (sent[0]++ == killAt) {
                throw new Killed();
            }
            out.add(b);
        };
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), envs, 1, envSteps * 31 + before)) {
            TransitionCollector c = new TransitionCollector(env, new RandomPolicy(EnvSpec.HALF_CHEETAH, before), "r",
                    Domain.SIM, "e", batchSize, envSteps, sink);
            c.continueAfter(before, CollectionBudget.episodeIdOffset(maxEpisode, envs));
            while (!c.done()) {
                c.collect(chunk);
                assertEquals(transitions(out), c.published(), "published counts what the sink took");
            }
        } catch (Killed e) {
            // the process is gone; the next one counts what was published
        }
    }

    @Test
    void shouldPublishExactlyTheBudgetForAnyNumEnvsAndBatchSize() {
        for (long steps : new long[] {1, 7, 23, 41}) {
            for (int envs = 1; envs <= 9; envs++) {
                for (int batchSize : new int[] {1, 3, 5, 8, 250}) {
                    List<TransitionBatch> out = new ArrayList<>();
                    runProcess(steps, envs, batchSize, 10, out, -1);
                    String what = steps + " steps, " + envs + " envs, batches of " + batchSize;
                    assertEquals(steps, transitions(out), what);
                    assertEquals(steps, pairs(out).size(), what + ": no (episode, step) twice");
                    assertTrue(out.stream().allMatch(b -> b.size() <= batchSize), what);
                }
            }
        }
    }

    @Test
    void shouldPublishExactlyTheBudgetWhenKilledAtAnyBatch() {
        for (long steps : new long[] {13, 29}) {
            for (int envs : new int[] {3, 8}) {
                for (int batchSize : new int[] {2, 5}) {
                    for (int kill = 0; kill <= steps / batchSize + 1; kill++) {
                        List<TransitionBatch> out = new ArrayList<>();
                        runProcess(steps, envs, batchSize, 7, out, kill);
                        long atKill = transitions(out);
                        runProcess(steps, envs, batchSize, 7, out, 1);
                        long atSecondKill = transitions(out);
                        runProcess(steps, envs, batchSize, 7, out, -1);
                        String what = steps + " steps, " + envs + " envs, batches of " + batchSize + ", killed at "
                                + atKill + " and " + atSecondKill;
                        assertEquals(steps, transitions(out), what);
                        assertEquals(steps, pairs(out).size(), what + ": no (episode, step) twice");
                    }
                }
            }
        }
    }

    @Test
    void shouldEndAChunkAfterWholeVectorStepsSoNoEpisodeHasAGap() {
        List<TransitionBatch> out = new ArrayList<>();
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), 8, 1, 5)) {
            TransitionCollector c = new TransitionCollector(env, new RandomPolicy(EnvSpec.HALF_CHEETAH, 5), "r",
                    Domain.SIM, "e", 100, 1_003, out::add);
            c.collect(250);
            assertEquals(256, c.stepsTaken(), "32 vector steps of 8 envs");
            assertEquals(256, c.published());
            c.collect(5_000);
            assertEquals(1_003, c.published());
            assertTrue(c.done());
            c.collect(5_000);
            assertEquals(1_003, transitions(out), "a spent budget takes no step");
        }
        // Each env's steps run 0, 1, 2, ... without a gap: the last vector step kept the first 3 envs only.
        int[] next = new int[8];
        for (TransitionBatch b : out) {
            for (int i = 0; i < b.size(); i++) {
                int env = (int) (b.episodeIds()[i] % 8);
                assertEquals(next[env]++, b.stepIndices()[i], "env " + env);
            }
        }
        assertEquals(List.of(126, 126, 126, 125, 125, 125, 125, 125), java.util.Arrays.stream(next).boxed().toList());
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

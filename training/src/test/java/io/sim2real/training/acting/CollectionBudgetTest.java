package io.sim2real.training.acting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The budget arithmetic over every small combination of envSteps, numEnvs, batch size, chunk and kill point: a
 * collection driven as {@link TransitionCollector} drives it accounts for exactly envSteps steps, with or without
 * kills, and publishes only whole batches of at most the batch size.
 */
class CollectionBudgetTest {

    /** What one process of a collection published before it ended or was killed. */
    private record Part(List<Integer> batches, long dropped, boolean killed) {
        long published() {
            return batches.stream().mapToLong(Integer::longValue).sum();
        }
    }

    /** Step n of the collection went unstable: about one in seven, in no pattern that numEnvs or batches share. */
    private static boolean unstable(long seed, long n) {
        return Long.hashCode((n + 1) * 0x9E3779B97F4A7C15L ^ seed) % 7 == 0;
    }

    /**
     * One process of a collection as TransitionCollector runs it (chunks of whole vector steps, the first
     * {@code nextStep} results of each kept, rows batched and flushed when full and at each chunk's end), from
     * {@code published} transitions published before, killed after {@code killAfterBatches} batches (-1: never).
     */
    private static Part run(long envSteps, int numEnvs, int batchSize, long chunk, long published, int killAfterBatches,
                            long seed) {
        List<Integer> batches = new ArrayList<>();
        if (killAfterBatches == 0) {
            return new Part(batches, 0, true);
        }
        CollectionBudget budget = new CollectionBudget(envSteps, numEnvs);
        budget.resumeAfter(published);
        long dropped = 0;
        long stepped = 0;
        while (!budget.spent()) {
            long end = budget.chunkEnd(chunk);
            int rows = 0;
            for (int kept = budget.nextStep(end); kept > 0; kept = budget.nextStep(end)) {
                assertTrue(kept == numEnvs || kept == budget.remaining(), "a partial vector step only at the end");
                for (int i = 0; i < kept; i++) {
                    if (unstable(seed, published + stepped++)) {
                        dropped++;
                    } else if (++rows == batchSize) {
                        batches.add(rows);
                        rows = 0;
                        if (batches.size() == killAfterBatches) {
                            return new Part(batches, dropped, true);
                        }
                    }
                }
                budget.took(kept);
            }
            if (rows > 0) {
                batches.add(rows);
                if (batches.size() == killAfterBatches) {
                    return new Part(batches, dropped, true);
                }
            }
        }
        return new Part(batches, dropped, false);
    }

    @Test
    void shouldKeepExactlyEnvStepsInWholeVectorStepsButTheLast() {
        for (long envSteps = 0; envSteps <= 300; envSteps++) {
            for (int numEnvs = 1; numEnvs <= 20; numEnvs++) {
                CollectionBudget budget = new CollectionBudget(envSteps, numEnvs);
                List<Integer> kept = new ArrayList<>();
                for (int k = budget.nextStep(Long.MAX_VALUE); k > 0; k = budget.nextStep(Long.MAX_VALUE)) {
                    kept.add(k);
                    budget.took(k);
                }
                String what = envSteps + " steps, " + numEnvs + " envs";
                assertEquals(envSteps, kept.stream().mapToLong(Integer::longValue).sum(), what);
                assertEquals((envSteps + numEnvs - 1) / numEnvs, kept.size(), what);
                for (int i = 0; i + 1 < kept.size(); i++) {
                    assertEquals(numEnvs, kept.get(i), what);
                }
                assertTrue(budget.spent() && budget.remaining() == 0, what);
                assertEquals(0, budget.nextStep(Long.MAX_VALUE), what);
            }
        }
    }

    @Test
    void shouldEndEveryChunkAfterWholeVectorStepsNeverPastTheBudget() {
        for (long envSteps = 1; envSteps <= 200; envSteps++) {
            for (int numEnvs = 1; numEnvs <= 12; numEnvs++) {
                for (long chunk : new long[] {1, 5, 8, 13, 250}) {
                    CollectionBudget budget = new CollectionBudget(envSteps, numEnvs);
                    while (!budget.spent()) {
                        long from = budget.accounted();
                        long end = budget.chunkEnd(chunk);
                        for (int k = budget.nextStep(end); k > 0; k = budget.nextStep(end)) {
                            budget.took(k);
                        }
                        long taken = budget.accounted() - from;
                        String what = envSteps + " steps, " + numEnvs + " envs, chunk " + chunk + " from " + from;
                        assertTrue(taken >= Math.min(chunk, envSteps - from), what);
                        assertTrue(budget.spent() || taken % numEnvs == 0, what + ": whole vector steps, " + taken);
                        assertTrue(taken < Math.min(chunk, envSteps - from) + numEnvs, what);
                    }
                    assertEquals(envSteps, budget.accounted());
                }
            }
        }
    }

    @Test
    void shouldPublishExactlyEnvStepsLessDropsWhateverTheKillPoint() {
        long cases = 0;
        for (long envSteps = 0; envSteps <= 70; envSteps++) {
            for (int numEnvs = 1; numEnvs <= 9; numEnvs++) {
                for (int size = 1; size <= 11; size++) {
                    int batchSize = size;
                    for (long chunk : new long[] {3, 250}) {
                        long seed = envSteps * 1_000 + numEnvs * 10 + batchSize;
                        Part whole = run(envSteps, numEnvs, batchSize, chunk, 0, -1, seed);
                        String what = envSteps + " steps, " + numEnvs + " envs, batches of " + batchSize + ", chunk " + chunk;
                        assertEquals(envSteps, whole.published() + whole.dropped(), what);
                        assertTrue(whole.batches().stream().allMatch(b -> b >= 1 && b <= batchSize), what);
                        // Killed after every batch in turn (a batch is published whole or not at all), then resumed.
                        for (int kill = 0; kill <= whole.batches().size(); kill++) {
                            Part first = run(envSteps, numEnvs, batchSize, chunk, 0, kill, seed);
                            long atKill = first.published();
                            Part rest = run(envSteps, numEnvs, batchSize, chunk, atKill, -1, seed + 1);
                            assertEquals(envSteps, atKill + rest.published() + rest.dropped(), what + ", killed at " + atKill);
                            assertTrue(rest.batches().stream().allMatch(b -> b >= 1 && b <= batchSize), what);
                            cases++;
                        }
                    }
                }
            }
        }
        assertTrue(cases > 100_000, "cases: " + cases);
    }

    @Test
    void shouldResumeFromAnyPublishedCountAfterRepeatedKills() {
        for (long envSteps = 0; envSteps <= 40; envSteps++) {
            for (int numEnvs = 1; numEnvs <= 9; numEnvs++) {
                for (long atFirstKill = 0; atFirstKill <= envSteps; atFirstKill++) {
                    // Any count may be what the topic holds at a kill; a second kill after the resumed part's first batch.
                    Part second = run(envSteps, numEnvs, 4, 250, atFirstKill, 1, envSteps + numEnvs);
                    long atSecondKill = atFirstKill + second.published();
                    Part rest = run(envSteps, numEnvs, 4, 250, atSecondKill, -1, envSteps * numEnvs);
                    String what = envSteps + " steps, " + numEnvs + " envs, killed at " + atFirstKill + " and " + atSecondKill;
                    assertEquals(envSteps, atSecondKill + rest.published() + rest.dropped(), what);
                }
            }
        }
    }

    @Test
    void shouldOweNothingWhenMoreWasPublishedThanTheBudget() {
        // A collection that overshot before budgets were exact ends at once when resumed.
        CollectionBudget budget = new CollectionBudget(1_001, 8);
        budget.resumeAfter(1_008);
        assertTrue(budget.spent());
        assertEquals(0, budget.nextStep(budget.chunkEnd(5_000)));
        assertEquals(0, budget.remaining());
    }

    @Test
    void shouldRefuseToKeepMoreThanTheBudgetOrTheEnvs() {
        CollectionBudget budget = new CollectionBudget(10, 4);
        budget.took(4);
        budget.took(4);
        assertEquals(2, budget.nextStep(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> budget.took(3));
        assertThrows(IllegalArgumentException.class, () -> new CollectionBudget(10, 4).took(5));
        assertThrows(IllegalStateException.class, () -> budget.resumeAfter(0));
        assertThrows(IllegalArgumentException.class, () -> new CollectionBudget(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> new CollectionBudget(10, 0));
    }

    @Test
    void shouldStartResumedEpisodeIdsPastEveryPublishedOne() {
        assertEquals(0, CollectionBudget.episodeIdOffset(-1, 8));
        for (int numEnvs = 1; numEnvs <= 9; numEnvs++) {
            for (long max = 0; max <= 100; max++) {
                long offset = CollectionBudget.episodeIdOffset(max, numEnvs);
                assertTrue(offset > max && offset - max <= numEnvs && offset % numEnvs == 0, max + " of " + numEnvs);
            }
        }
    }
}

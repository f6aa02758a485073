package io.sim2real.training.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.ResumableRandom;
import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import io.sim2real.replay.TransitionStore;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SacLearningTest {

    private static final int OBS = 17;
    private static final int ACT = 6;
    private static final int[] HIDDEN = {16, 16};
    private static final int BATCH = 32;
    private static final int TRANSITIONS = 600;
    /** G = 0.5 from the 100th transition on: floor(0.5 · 501) = 250 updates. */
    private static final OwedUpdates RULE = new OwedUpdates(0.5, 100);

    private static TransitionBatch transitions(int from, int count) {
        SplittableRandom r = new SplittableRandom(1000 + from);
        double[][] obs = new double[count][OBS];
        double[][] act = new double[count][ACT];
        double[][] next = new double[count][OBS];
        double[] rew = new double[count];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < OBS; j++) {
                obs[i][j] = r.nextGaussian();
                next[i][j] = obs[i][j] + 0.1 * r.nextGaussian();
            }
            for (int j = 0; j < ACT; j++) {
                act[i][j] = r.nextDouble(-1, 1);
            }
            rew[i] = r.nextGaussian();
        }
        return new TransitionBatch(SchemaVersion.CURRENT, "run", Domain.SIM, "env-0", 0, new long[count], new int[count],
                obs, act, rew, next, new boolean[count], new boolean[count]);
    }

    /** The run's transitions one by one: what arrives in records of any size. */
    private static final List<TransitionBatch> ROWS = java.util.stream.IntStream.range(0, TRANSITIONS)
            .mapToObj(i -> transitions(i, 1)).toList();

    private static TransitionBatch records(int from, int to) {
        List<TransitionBatch> rows = ROWS.subList(from, to);
        return new TransitionBatch(SchemaVersion.CURRENT, "run", Domain.SIM, "env-0", 0, new long[to - from],
                new int[to - from], rows.stream().map(b -> b.obs()[0]).toArray(double[][]::new),
                rows.stream().map(b -> b.act()[0]).toArray(double[][]::new),
                rows.stream().mapToDouble(b -> b.rew()[0]).toArray(),
                rows.stream().map(b -> b.nextObs()[0]).toArray(double[][]::new), new boolean[to - from], new boolean[to - from]);
    }

    private static Sac sac() {
        return new Sac(SacConfig.standard(OBS, ACT, 11).withHidden(HIDDEN).withBatchSize(BATCH));
    }

    /** Feeds the run's transitions in records of {@code size}, paying every owed update after each record. */
    private static byte[] learn(int size) {
        SacLearning learning = new SacLearning(10_000, 10_000);
        Sac sac = sac();
        ResumableRandom random = new ResumableRandom(5);
        int paid = 0;
        for (int from = 0; from < TRANSITIONS; from += size) {
            learning.addTransitions(records(from, Math.min(TRANSITIONS, from + size)), RULE, true, Long.MAX_VALUE);
            while (learning.payOne(sac, random.get(), 0.05, BATCH, false) != null) {
                paid++;
            }
        }
        assertEquals(250, paid);
        assertEquals(0, learning.owed().pending());
        return PolicySnapshots.toSnapshot(sac.actor(), OBS, HIDDEN, "run", 1, TRANSITIONS).weights();
    }

    @Test
    void shouldGiveTheSameSacWhetherTransitionsArriveOneByOneOrInRecordsOf250() {
        byte[] ones = learn(1);
        byte[] records = learn(250);
        assertArrayEquals(ones, records, "250 updates, the same weights bit for bit");
        assertFalse(Arrays.equals(ones, PolicySnapshots.toSnapshot(sac().actor(), OBS, HIDDEN, "run", 1, TRANSITIONS).weights()),
                "the updates changed the policy");
    }

    @Test
    void shouldDifferWhenUpdatesDrawFromEveryRowHeld() {
        // The control: the same records of 250, each update drawing from every row held when it is paid.
        TransitionStore store = new TransitionStore(10_000);
        Sac sac = sac();
        ResumableRandom random = new ResumableRandom(5);
        long owedBefore = 0;
        for (int from = 0; from < TRANSITIONS; from += 250) {
            int to = Math.min(TRANSITIONS, from + 250);
            store.add(records(from, to));
            for (long k = owedBefore; k < RULE.total(to); k++) {
                TransitionStore.Sample b = MixedBatch.draw(store, null, 0.05, BATCH, random.get());
                sac.update(b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), BATCH);
            }
            owedBefore = RULE.total(to);
        }
        assertFalse(Arrays.equals(learn(1), PolicySnapshots.toSnapshot(sac.actor(), OBS, HIDDEN, "run", 1, TRANSITIONS).weights()),
                "without the rule, the batching changes the result");
    }

    @Test
    void shouldQueueEachUpdateWithTheTransitionThatOwedIt() {
        OwedQueue q = new OwedQueue();
        assertEquals(0, q.owe(0, 99, RULE, 1000));
        assertEquals(0, q.nextRows());
        q.owe(99, 104, RULE, 1000);
        // Transitions 100..104 owe floor(0.5 c(n)) - floor(0.5 c(n-1)): 0, 1, 0, 1, 0 (101st and 103rd).
        assertEquals(List.of(101L, 1L, 103L, 1L), q.toList());
        assertEquals(101, q.nextRows());
        q.paid();
        assertEquals(103, q.nextRows());
        assertEquals(1, q.pending());
        assertEquals(2, q.owe(104, 108, new OwedUpdates(1, 1), 3), "past the cap the newest are dropped");
        assertEquals(List.of(103L, 1L, 105L, 1L, 106L, 1L), q.toList());
        OwedQueue restored = new OwedQueue();
        restored.restore(q.toList());
        assertEquals(q.toList(), restored.toList());
        assertEquals(3, restored.pending());
        q.clear();
        assertNull(new SacLearning(10, 10).payOne(sac(), new SplittableRandom(1), 0.05, BATCH, false));
    }
}

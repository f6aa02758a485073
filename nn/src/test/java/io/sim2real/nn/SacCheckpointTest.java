package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Sac saved and restored continues bit for bit like the original: same losses, α and entropy at every later
 * update and the same state after them (networks, targets, Adam moments and steps, log-alpha, noise generator),
 * which a fresh Sac of the same seed does not.
 */
class SacCheckpointTest {

    private static final int OBS = 5;
    private static final int ACT = 2;
    private static final int B = 16;

    private static SacConfig config(long seed, int... hidden) {
        return SacConfig.standard(OBS, ACT, seed).withHidden(hidden).withBatchSize(B);
    }

    /** A reproducible stream of batches (one-step rewards of a made-up task). */
    private static final class Batches {
        private final SplittableRandom r;

        Batches(long seed) {
            r = new SplittableRandom(seed);
        }

        Sac.UpdateStats update(Sac sac) {
            double[][] o = new double[B][OBS], a = new double[B][ACT], o2 = new double[B][OBS];
            double[] rew = new double[B];
            boolean[] done = new boolean[B];
            for (int b = 0; b < B; b++) {
                for (int j = 0; j < OBS; j++) {
                    o[b][j] = r.nextGaussian();
                    o2[b][j] = o[b][j] + 0.1 * r.nextGaussian();
                }
                for (int j = 0; j < ACT; j++) {
                    a[b][j] = 2 * r.nextDouble() - 1;
                }
                rew[b] = o[b][0] * a[b][0] - a[b][1] * a[b][1];
                done[b] = r.nextInt(10) == 0;
            }
            return sac.update(o, a, rew, o2, done, B);
        }
    }

    @Test
    void shouldContinueBitForBitAfterARestore(@TempDir Path dir) throws Exception {
        Sac original = new Sac(config(1, 32, 32));
        Sac uninterrupted = new Sac(config(1, 32, 32));
        Batches forOriginal = new Batches(9);
        Batches forUninterrupted = new Batches(9);
        for (int i = 0; i < 40; i++) {
            forOriginal.update(original);
            forUninterrupted.update(uninterrupted);
        }
        Path file = dir.resolve("sac.ckpt");
        original.save(file, Map.of("updates", 40L, "note", "owner state"));

        // Another seed: everything that matters must come from the checkpoint.
        Sac restored = new Sac(config(77, 32, 32));
        Map<String, Object> owner = restored.restore(file);
        assertEquals(40L, ((Number) owner.get("updates")).longValue());
        assertEquals("owner state", owner.get("note"));

        Sac fresh = new Sac(config(1, 32, 32));
        Batches forRestored = new Batches(9);
        Batches forFresh = new Batches(9);
        for (int i = 0; i < 40; i++) {
            forRestored.update(fresh); // skips the batches the original has trained on; a fresh Sac trains on them
            forFresh.update(new Sac(config(1, 4)));
        }
        fresh = new Sac(config(1, 32, 32));
        for (int i = 0; i < 30; i++) {
            Sac.UpdateStats a = forOriginal.update(original);
            Sac.UpdateStats b = forRestored.update(restored);
            Sac.UpdateStats c = forUninterrupted.update(uninterrupted);
            forFresh.update(fresh);
            assertEquals(a, b, "update " + (41 + i) + " after the restore");
            assertEquals(a, c, "saving does not change training, update " + (41 + i));
        }

        Path a = dir.resolve("a.ckpt");
        Path b = dir.resolve("b.ckpt");
        Path c = dir.resolve("c.ckpt");
        Path f = dir.resolve("f.ckpt");
        original.save(a, Map.of());
        restored.save(b, Map.of());
        uninterrupted.save(c, Map.of());
        fresh.save(f, Map.of());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "the same state after 30 more updates");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(c));
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(f)), "a fresh Sac on the same batches differs");
    }

    @Test
    void shouldRefuseAnotherArchitectureOrACorruptFileWithoutChangingTheSac(@TempDir Path dir) throws Exception {
        Sac small = new Sac(config(1, 8, 8));
        Batches batches = new Batches(3);
        for (int i = 0; i < 5; i++) {
            batches.update(small);
        }
        Path file = dir.resolve("sac.ckpt");
        small.save(file, Map.of());

        Sac other = new Sac(config(2, 16, 16));
        Path before = dir.resolve("before.ckpt");
        other.save(before, Map.of());
        Checkpoint.CheckpointException e = assertThrows(Checkpoint.CheckpointException.class, () -> other.restore(file));
        assertTrue(e.getMessage().contains("hidden layers [8, 8]"), e.getMessage());
        Path after = dir.resolve("after.ckpt");
        other.save(after, Map.of());
        assertArrayEquals(Files.readAllBytes(before), Files.readAllBytes(after), "the refused restore changed nothing");

        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 3);
            int x = raf.read();
            raf.seek(raf.length() - 3);
            raf.write(x ^ 0x10);
        }
        Sac same = new Sac(config(1, 8, 8));
        e = assertThrows(Checkpoint.CheckpointException.class, () -> same.restore(file));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        Files.writeString(file, "not a checkpoint");
        assertThrows(Checkpoint.CheckpointException.class, () -> same.restore(file));
    }
}

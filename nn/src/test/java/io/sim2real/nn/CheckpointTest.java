package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @Test
    void shouldRestoreADynamicsModelExactly(@TempDir Path dir) throws Exception {
        DynamicsModelTest.Data d = DynamicsModelTest.collect(400, 1);
        EnsembleConfig config = EnsembleConfig.mbpo(2).withSize(3, 2, new int[] {32, 32}).withEpochs(3);
        DynamicsModel trained = new DynamicsModel(17, 6, config);
        trained.train(d.obs(), d.act(), d.rew(), d.next(), 400);
        Path file = dir.resolve("model.ckpt");
        trained.save(file, 42);

        DynamicsModel restored = new DynamicsModel(17, 6, EnsembleConfig.mbpo(99).withSize(3, 2, new int[] {32, 32}));
        assertEquals(42, restored.load(file));
        assertArrayEquals(trained.elites(), restored.elites());
        double[][] a = new double[50][];
        double[][] b = new double[50][];
        trained.step(d.obs(), d.act(), 50, true, new SplittableRandom(5), a, new double[50]);
        restored.step(d.obs(), d.act(), 50, true, new SplittableRandom(5), b, new double[50]);
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(a[i], b[i], 0.0);
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left");
        }
    }

    @Test
    void shouldRefuseAMismatchedShapeACorruptBodyAndAnotherKind(@TempDir Path dir) throws Exception {
        DynamicsModel small = new DynamicsModel(17, 6, EnsembleConfig.mbpo(1).withSize(2, 1, new int[] {16}));
        Path file = dir.resolve("small.ckpt");
        small.save(file, 1);

        DynamicsModel bigger = new DynamicsModel(17, 6, EnsembleConfig.mbpo(1).withSize(2, 1, new int[] {32}));
        Checkpoint.CheckpointException shape = assertThrows(Checkpoint.CheckpointException.class, () -> bigger.load(file));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());

        assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.load(file, "policy"));

        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() - 3);
            f.write(0x7f);
        }
        Checkpoint.CheckpointException corrupt = assertThrows(Checkpoint.CheckpointException.class, () -> small.load(file));
        assertTrue(corrupt.getMessage().contains("checksum"), corrupt.getMessage());

        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 8);
        }
        assertTrue(assertThrows(Checkpoint.CheckpointException.class, () -> small.load(file)).getMessage().contains("truncated"));
    }
}

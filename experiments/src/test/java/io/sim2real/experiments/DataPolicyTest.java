package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.json.Codecs;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.SquashedGaussianActor;
import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPolicyTest {

    @Test
    void shouldCollectADatasetWithASavedPolicyThatActsOnTheObservation(@TempDir Path dir) throws Exception {
        SquashedGaussianActor actor = new SquashedGaussianActor(17, 6, new int[] {16}, 4, 5);
        Path file = dir.resolve("policy.json");
        Files.write(file, Codecs.POLICY_SNAPSHOT.encode(PolicySnapshots.toSnapshot(actor, 17, new int[] {16}, "r", 3, 900)));
        DataPolicy policy = DataPolicy.parse("policy:" + file);
        assertTrue(policy.wireName().contains("v3"), policy.wireName());

        double[][] a = policy.act(new double[][] {new double[17], filled(2.0)}, 0, new SplittableRandom(1));
        assertEquals(2, a.length);
        assertEquals(6, a[0].length);
        assertFalse(Arrays.equals(a[0], a[1]), "the action depends on the observation");
        for (double[] row : a) {
            for (double x : row) {
                assertTrue(x >= -1 && x <= 1);
            }
        }
        Transitions t = DomainData.collect(DomainPhysics.neutral(), policy, 300, 3, 7);
        Transitions again = DomainData.collect(DomainPhysics.neutral(), policy, 300, 3, 7);
        assertEquals(300, t.size());
        assertTrue(Arrays.deepEquals(t.act(), again.act()), "seeded");
    }

    @Test
    void shouldRefuseAPolicyFileThatCannotBeRead(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"schemaVersion\":1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataPolicy.parse("policy:" + bad));
        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataPolicy.parse("expert"));
    }

    private static double[] filled(double v) {
        double[] o = new double[17];
        Arrays.fill(o, v);
        return o;
    }
}

package io.sim2real.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class PolicySnapshotsTest {

    @Test
    void shouldRebuildTheSameActorFromItsSnapshot() throws Exception {
        SquashedGaussianActor actor = new SquashedGaussianActor(17, 6, new int[] {32, 32}, 4, 9);
        PolicySnapshot snap = PolicySnapshots.toSnapshot(actor, 17, new int[] {32, 32}, "run-1", 3, 1000);
        snap.validate(EnvSpec.HALF_CHEETAH);
        assertEquals("tanh-gaussian-relu-mlp:17-32-32-6", snap.architecture());
        SquashedGaussianActor copy = PolicySnapshots.toActor(snap, 4);
        INDArray obs = F32.zeros(4, 17);
        for (int i = 0; i < 68; i++) {
            F32.view(obs).put(i, (float) Math.sin(i));
        }
        INDArray a = F32.zeros(4, 6);
        INDArray b = F32.zeros(4, 6);
        actor.mean(obs, 4, a);
        copy.mean(obs, 4, b);
        FloatBuffer va = F32.view(a);
        FloatBuffer vb = F32.view(b);
        for (int i = 0; i < 24; i++) {
            assertEquals(va.get(i), vb.get(i), 0f);
        }
    }

    @Test
    void shouldRefuseAMismatchedArchitecture() {
        SquashedGaussianActor actor = new SquashedGaussianActor(17, 6, new int[] {32}, 4, 9);
        PolicySnapshot s = PolicySnapshots.toSnapshot(actor, 17, new int[] {32}, "run-1", 1, 0);
        PolicySnapshot lying = new PolicySnapshot(s.schemaVersion(), s.runId(), s.version(), s.envStep(),
                "tanh-gaussian-relu-mlp:17-64-6", 17, 6, s.weights(), s.sha256(), null);
        assertThrows(IllegalArgumentException.class, () -> PolicySnapshots.toActor(lying, 4));
        PolicySnapshot unknown = new PolicySnapshot(s.schemaVersion(), s.runId(), s.version(), s.envStep(),
                "transformer", 17, 6, s.weights(), s.sha256(), null);
        assertThrows(IllegalArgumentException.class, () -> PolicySnapshots.toActor(unknown, 4));
    }
}

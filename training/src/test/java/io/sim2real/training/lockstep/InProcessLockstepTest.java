package io.sim2real.training.lockstep;

import static org.junit.jupiter.api.Assertions.*;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSettings;
import io.sim2real.training.model.ModelNetworks;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InProcessLockstepTest {

    static RunSettings run(long seed, int modelLag) throws Exception {
        RunSpec spec = new RunSpec(1, "lockstep-in-process", RunSpec.Method.MBPO, RunSpec.Mode.LOCKSTEP, seed, 1500,
                new RunSpec.DomainSpec("none", Map.of()), List.of(Domain.SIM), Map.of("updatesPerStep", 1.0,
                "lockstepChunk", 250.0, "initialRandomSteps", 500.0, "learnerMinTransitions", 500.0,
                "modelMinTransitions", 500.0, "trainEvery", 500.0, "rolloutsPerRound", 200.0, "maxEpochs", 2.0,
                "modelLag", (double) modelLag), 1L);
        return RunSettings.resolve(spec, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
    }

    static InProcessLockstep.Setup small(long collectionSeed) {
        return new InProcessLockstep.Setup(new int[] {16, 16}, 32, 100_000, 1, 250, collectionSeed, 1,
                new ModelNetworks(2, 1, new int[] {16}, 1, new int[] {8}, 16, 1e-3), covers -> 1, 100);
    }

    @Test
    void shouldFollowTheScheduleAndRepeatItselfBitForBit() throws Exception {
        InProcessLockstep.Result a = InProcessLockstep.run(run(3, 0), EnvSpec.HALF_CHEETAH, small(7));
        InProcessLockstep.Result b = InProcessLockstep.run(run(3, 0), EnvSpec.HALF_CHEETAH, small(7));
        assertEquals(1500, a.transitions().stream().mapToInt(t -> t.size()).sum());
        assertEquals(List.of(500L, 750L, 1000L, 1250L, 1500L), a.snapshots().stream().map(PolicySnapshot::envStep).toList(),
                "a snapshot at every chunk boundary from the first update on");
        assertEquals(List.of(500L, 1000L, 1500L), a.rollouts().stream().map(r -> r.coversEnvStep()).distinct().toList(),
                "rounds at b_r = 500, 1000, 1500");
        assertEquals(List.of(0L, 0L, 1L, 2L, 3L, 4L), a.transitions().stream().map(t -> t.policyVersion()).toList(),
                "random chunks, then each chunk with the policy at its start");
        assertArrayEquals(last(a).weights(), last(b).weights());
        InProcessLockstep.Result lagged = InProcessLockstep.run(run(3, 1), EnvSpec.HALF_CHEETAH, small(7));
        assertFalse(Arrays.equals(last(a).weights(), last(lagged).weights()), "modelLag 1 mixes in other rollouts");
    }

    private static PolicySnapshot last(InProcessLockstep.Result r) {
        return r.snapshots().get(r.snapshots().size() - 1);
    }
}

package io.sim2real.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {

    @Test
    void shouldSplitIntoValidBatchesInOrder() throws Exception {
        Dataset d = TestData.dataset(10);
        List<TransitionBatch> batches = d.toBatches("run-1", "cheetah-0", 4);

        assertEquals(List.of(4, 4, 2), batches.stream().map(TransitionBatch::size).toList());
        int row = 0;
        for (TransitionBatch b : batches) {
            b.validate(EnvSpec.HALF_CHEETAH);
            assertEquals(SchemaVersion.CURRENT, b.schemaVersion());
            assertEquals("run-1", b.runId());
            assertEquals("cheetah-0", b.envId());
            assertEquals(Domain.SIM, b.domain());
            assertEquals(0, b.policyVersion());
            for (int i = 0; i < b.size(); i++, row++) {
                Transition t = d.transition(row);
                assertEquals(t, new Transition(b.episodeIds()[i], b.stepIndices()[i], b.obs()[i], b.act()[i],
                        b.rew()[i], b.nextObs()[i], b.done()[i], b.truncated()[i]), "row " + row);
            }
        }
        assertEquals(10, row);
    }

    @Test
    void shouldShareNoArraysWithTheBatches() throws Exception {
        Dataset d = TestData.dataset(2);
        double before = d.transition(0).obs()[3];
        d.toBatches("run-1", "cheetah-0", 2).get(0).obs()[0][3] = 1234;
        d.transition(0).obs()[3] = 5678;
        assertEquals(before, d.transition(0).obs()[3]);
    }

    @Test
    void shouldMakeOneBatchWhenTheDatasetIsSmall() throws Exception {
        Dataset d = TestData.dataset(3);
        List<TransitionBatch> batches = d.toBatches("run-1", "cheetah-0", 1000);
        assertEquals(1, batches.size());
        assertArrayEquals(new int[] {0, 1, 2}, batches.get(0).stepIndices());
    }

    @Test
    void shouldRefuseArgumentsThatMakeInvalidBatches() throws Exception {
        Dataset d = TestData.dataset(3);
        assertThrows(IllegalArgumentException.class, () -> d.toBatches("run-1", "cheetah-0", 0));
        assertThrows(IllegalArgumentException.class, () -> d.toBatches("run 1", "cheetah-0", 2));
        assertThrows(IllegalArgumentException.class, () -> d.toBatches("run-1", " ", 2));
    }
}

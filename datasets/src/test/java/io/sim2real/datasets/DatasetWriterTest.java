package io.sim2real.datasets;

import static io.sim2real.datasets.TestData.SPEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.TransitionBatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetWriterTest {

    private final DatasetWriter writer = new DatasetWriter(SPEC, Domain.REAL, "scripted");

    @Test
    void shouldRejectRowsThatDoNotFitTheSpecAndKeepTheOthers() throws Exception {
        writer.append(row(0.5));
        assertProblem(new Transition(0, 1, new double[16], new double[6], 0, new double[17], false, false),
                "obs has length 16, expected 17");
        assertProblem(row(1.0001), "act[0] is 1.0001, outside [-1.0, 1.0]");
        assertProblem(new Transition(0, 1, new double[17], new double[6], Double.POSITIVE_INFINITY, new double[17],
                false, false), "rew is Infinity, must be finite");
        double[] nan = new double[17];
        nan[4] = Double.NaN;
        assertProblem(new Transition(0, 1, new double[17], new double[6], 0, nan, false, false),
                "nextObs[4] is NaN, must be finite");
        assertProblem(new Transition(0, -1, new double[17], new double[6], 0, new double[17], false, false),
                "step is -1, must be >= 0");
        assertProblem(new Transition(0, 1, null, new double[6], 0, new double[17], false, false), "obs is missing");
        assertEquals(1, writer.size(), "rejected rows are not kept");
    }

    @Test
    void shouldCopyTheCallersArrays() throws Exception {
        double[] obs = new double[17];
        writer.append(0, 0, obs, new double[6], 0, new double[17], false, false);
        obs[0] = 99;
        assertEquals(0.0, writer.toDataset().transition(0).obs()[0]);
    }

    @Test
    void shouldAppendBatchesWhole() throws Exception {
        Dataset source = TestData.dataset(9);
        DatasetWriter sim = new DatasetWriter(SPEC, Domain.SIM, "random");
        for (TransitionBatch b : source.toBatches("run-1", "env-0", 4)) {
            sim.append(b);
        }
        Dataset copy = sim.toDataset();
        assertEquals(9, copy.size());
        for (int i = 0; i < 9; i++) {
            assertEquals(source.transition(i), copy.transition(i));
        }
        assertEquals(source.header().bodySha256(), copy.header().bodySha256(), "same rows, same body");

        TransitionBatch bad = source.toBatches("run-1", "env-0", 4).get(1);
        bad.act()[3][0] = 2.0;
        DatasetException e = assertThrows(DatasetException.class, () -> sim.append(bad));
        assertTrue(e.getMessage().contains("OUT_OF_RANGE") && e.getMessage().contains("act[3][0]"), e.getMessage());
        assertEquals(9, sim.size(), "no row of an invalid batch is kept");

        TransitionBatch sim1 = source.toBatches("run-1", "env-0", 4).get(0);
        e = assertThrows(DatasetException.class, () -> writer.append(sim1));
        assertTrue(e.getMessage().contains("batch domain sim is not the dataset's domain real"), e.getMessage());
    }

    @Test
    void shouldRefuseAnEmptyDataset() {
        DatasetException e = assertThrows(DatasetException.class, writer::toDataset);
        assertTrue(e.getMessage().contains("no transitions"), e.getMessage());
    }

    @Test
    void shouldCheckPhysicsFactorsAgainstThePerturbationKinds() {
        assertThrows(IllegalArgumentException.class, () -> writer.physics(Map.of("gravty", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> writer.physics(Map.of("gravity", 11.0)));
        assertThrows(IllegalArgumentException.class, () -> writer.physics(Map.of("action_delay", 1.5)));
        writer.physics(Map.of("gravity", 0.5, "torso_length", 1.2));
    }

    @Test
    void shouldFillTheHeaderFromTheSpecAndTheRows() throws Exception {
        DatasetHeader h = writer.seed(null).description(null).createdAtMs(5).append(row(0)).append(row(0)).toDataset()
                .header();
        assertEquals(List.of("sim2real-dataset", 1, "HalfCheetah", 17, 6, 2L, Domain.REAL, "scripted", 5L),
                List.of(h.format(), h.formatVersion(), h.envName(), h.obsDim(), h.actDim(), h.transitions(),
                        h.domain(), h.behaviour(), h.createdAtMs()));
        assertEquals(Map.of(), h.physics());
        assertTrue(h.problem().isEmpty());
    }

    private static Transition row(double act0) {
        double[] act = new double[6];
        act[0] = act0;
        return new Transition(0, 0, new double[17], act, 0.0, new double[17], false, false);
    }

    private void assertProblem(Transition t, String expected) {
        DatasetException e = assertThrows(DatasetException.class, () -> writer.append(t));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

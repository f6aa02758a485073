package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.experiments.report.Table;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainSweepTest {

    private static EvaluationResult eval(String run, Domain d, double... returns) {
        long[] seeds = new long[returns.length];
        int[] lengths = new int[returns.length];
        java.util.Arrays.fill(lengths, 1000);
        return new EvaluationResult(SchemaVersion.CURRENT, run, d, 3, 5000, true, seeds, returns, lengths);
    }

    @Test
    void shouldNameCellsByMethodPerturbationFactorAndSeedAndTrainRealDataOnlyWhereTheMethodUsesIt() {
        List<TrainSweep.Cell> cells = TrainSweep.cells("t", List.of("mbpo-sim-only", "latent-sim-init"), List.of("thigh_length"),
                List.of(1.5), new int[] {1, 2});
        assertEquals(4, cells.size());
        assertEquals("t-mbpo-sim-only-thigh-length-1p5-s1", cells.get(0).runId());
        assertEquals(List.of(Domain.SIM), cells.get(0).trainingDomains());
        assertEquals(List.of(Domain.SIM, Domain.REAL), cells.get(1).trainingDomains());
        assertThrows(IllegalArgumentException.class, () -> TrainSweep.cells("t", List.of("gap-only"), List.of("gravity"),
                List.of(1.5), new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> TrainSweep.cells("t", List.of("mbpo"), List.of("magnetism"),
                List.of(1.5), new int[] {1}));
    }

    @Test
    void shouldTabulateSimRealAndCombinedReturnsByMethodOverSeeds() {
        List<TrainSweep.Cell> cells = TrainSweep.cells("t", List.of("mbpo-sim-only", "mbpo-mixed"), List.of("gravity"),
                List.of(2.0), new int[] {1, 2});
        Map<String, TrainSweep.Returns> returns = Map.of(
                cells.get(0).runId(), new TrainSweep.Returns(eval("a", Domain.SIM, 1000, 1200), eval("a", Domain.REAL, 400)),
                cells.get(2).runId(), new TrainSweep.Returns(eval("b", Domain.SIM, 1300), eval("b", Domain.REAL, 600)),
                cells.get(1).runId(), new TrainSweep.Returns(eval("c", Domain.SIM, 900), null));
        Table t = TrainSweep.returnsTable(cells, returns, List.of("mbpo-sim-only", "mbpo-mixed"), List.of("gravity"), List.of(2.0));
        assertEquals("gravity ×2.0: sim / real / combined", t.rows().isEmpty() ? "" : t.toCsv().split("\n")[0].split(",")[1]
                .replace("\"", ""));
        // seeds 1 and 2 of mbpo-sim-only: sim 1100 and 1300, real 400 and 600, combined 750 and 950
        String row = t.rows().get(0).get(1);
        assertTrue(row.startsWith("1200 ± 141 / 500 ± 141 / 850 ± 141"), row);
        assertEquals("–", t.rows().get(1).get(1), "a cell without both evaluations is not averaged in");
    }

    private static EvaluationResult evalAt(String run, Domain d, long envStep, double meanReturn) {
        return new EvaluationResult(SchemaVersion.CURRENT, run, d, 3, envStep, true, new long[] {1}, new double[] {meanReturn},
                new int[] {1000});
    }

    @Test
    void shouldKeepTheNewestEvaluationPerDomainAndDrawPeriodicOnesAsLearningCurves() {
        List<TrainSweep.Cell> cells = TrainSweep.cells("t", List.of("mbpo-sim-only"), List.of("gravity"), List.of(2.0),
                new int[] {1, 2});
        TrainSweep.Settings s = new TrainSweep.Settings(3000, 0, "random", null, 1000, 10, 5, java.util.Map.of());
        String a = cells.get(0).runId();
        String b = cells.get(1).runId();
        List<EvaluationResult> all = List.of(evalAt(a, Domain.SIM, 2500, 100), evalAt(a, Domain.SIM, 1000, 50),
                evalAt(a, Domain.REAL, 2500, 80), evalAt(a, Domain.SIM, TrainSweep.finalMark(s), 300),
                evalAt(b, Domain.SIM, 2500, 120), evalAt("another-run", Domain.SIM, 2500, 999));

        Map<String, TrainSweep.Returns> newest = TrainSweep.newest(all);
        assertEquals(300, newest.get(a).sim().meanReturn(), 1e-9, "the final evaluation is the newest");
        assertEquals(80, newest.get(a).real().meanReturn(), 1e-9);
        assertEquals(null, newest.get(b).real());

        var sim = TrainSweep.curves(cells, all, Domain.SIM, s);
        assertEquals(List.of("mbpo-sim-only gravity 2.0 s1", "mbpo-sim-only gravity 2.0 s2"), sim.seriesNames(),
                "one series per cell, other runs left out");
        assertEquals(List.of(1000.0, 2500.0), sim.xs("mbpo-sim-only gravity 2.0 s1"), "the final evaluation is not a curve point");
        assertEquals(List.of("mbpo-sim-only gravity 2.0 s1"), TrainSweep.curves(cells, all, Domain.REAL, s).seriesNames());
    }

    @Test
    void shouldShowTheCollectingCellsNewestReturnsAndMappingDistance() {
        TrainSweep.Cell cell = TrainSweep.cells("t", List.of("latent-sim-init"), List.of("gravity"), List.of(2.0),
                new int[] {4}).get(0);
        String run = cell.runId();
        assertEquals("latent-sim-init s4: not evaluated yet", TrainSweep.latest(cell, List.of(), List.of()));
        List<io.sim2real.contracts.messages.GapMeasurement> gap = List.of(
                gap(run, io.sim2real.contracts.messages.GapMeasurement.Metric.MAPPING_DISTANCE, 0.9, 1),
                gap(run, io.sim2real.contracts.messages.GapMeasurement.Metric.MAPPING_DISTANCE, 0.7, 3),
                gap(run, io.sim2real.contracts.messages.GapMeasurement.Metric.LATENT_KL, 55, 4));
        assertEquals("latent-sim-init s4: return sim 1200 / real -31 at 7500 steps, G 0.700 (model v3)",
                TrainSweep.latest(cell, List.of(evalAt(run, Domain.SIM, 5000, 800), evalAt(run, Domain.SIM, 7500, 1200),
                        evalAt(run, Domain.REAL, 7500, -31.4)), gap));
    }

    private static io.sim2real.contracts.messages.GapMeasurement gap(String run,
            io.sim2real.contracts.messages.GapMeasurement.Metric metric, double value, long version) {
        return new io.sim2real.contracts.messages.GapMeasurement(SchemaVersion.CURRENT, run, "gravity", 2.0, metric, value,
                version, 1000 * version, 0);
    }

    @Test
    void shouldTakeTheRealDataFromAStoredDatasetOnlyIfItWasCollectedInTheCellsRealDomain() throws Exception {
        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                [{"name":"thigh2-medium","header":{"transitions":5000,"domain":"real","physics":{"thigh_length":2.0}}},
                 {"name":"sim-random","header":{"transitions":800,"domain":"sim","physics":{}}}]""");
        List<TrainSweep.Cell> thigh2 = TrainSweep.cells("t", List.of("mbpo-sim-only", "latent-sim-init"),
                List.of("thigh_length"), List.of(2.0), new int[] {1, 2});
        assertEquals(5000, TrainSweep.datasetTransitions(list, "thigh2-medium", thigh2));

        List<TrainSweep.Cell> gravity = TrainSweep.cells("t", List.of("latent-sim-init"), List.of("gravity"), List.of(2.0),
                new int[] {1});
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> TrainSweep.datasetTransitions(list, "thigh2-medium", gravity));
        assertTrue(other.getMessage().contains("collected under {thigh_length=2.0}"), other.getMessage());
        // A sim-only cell does not train on real data, so any dataset goes with it.
        List<TrainSweep.Cell> simOnly = TrainSweep.cells("t", List.of("mbpo-sim-only"), List.of("gravity"), List.of(2.0),
                new int[] {1});
        assertEquals(5000, TrainSweep.datasetTransitions(list, "thigh2-medium", simOnly));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainSweep.datasetTransitions(list, "sim-random", thigh2))
                .getMessage().contains("domain sim"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainSweep.datasetTransitions(list, "nope", thigh2))
                .getMessage().contains("no dataset 'nope'"));
    }

    @Test
    void shouldRefuseADatasetTogetherWithOptionsThatCollectRealData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainSweep.run(new String[] {
                "--name", "x", "--real-dataset", "d", "--real-steps", "100"}, System.out));
        assertTrue(e.getMessage().contains("cannot go with --real-steps or --real-policy"), e.getMessage());
    }

    @Test
    void shouldReadRunParametersAsNameValuePairsAndRefuseOthersWithTheReason() {
        assertEquals(java.util.Map.of("realStartShare", 0.0, "jointSteps", 250.0),
                TrainSweep.parameters("realStartShare=0, jointSteps=250"));
        assertTrue(TrainSweep.parameters("").isEmpty());
        IllegalArgumentException pair = assertThrows(IllegalArgumentException.class, () -> TrainSweep.parameters("jointSteps"));
        assertTrue(pair.getMessage().contains("name=value"), pair.getMessage());
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class, () -> TrainSweep.parameters("jointSteps=many"));
        assertTrue(number.getMessage().contains("jointSteps is not a number"), number.getMessage());
    }

    @Test
    void shouldShowStepsCellsAndTimeLeftInTheProgressBar() {
        String line = TrainSweep.bar(5000, 20000, 1, 2, 60);
        assertTrue(line.contains("5000/20000 sim steps, 1/2 cells done"), line);
        assertTrue(line.contains("left ~3m00s"), line);
    }
}

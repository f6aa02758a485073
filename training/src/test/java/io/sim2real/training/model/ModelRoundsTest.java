package io.sim2real.training.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.latent.Transitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model rounds on a small synthetic system: what each method trains on, its rollouts, seeds and checkpoints. */
class ModelRoundsTest {

    private static final EnvSpec TOY = new EnvSpec("toy", 3, 1, -1, 1);
    private static final ModelNetworks SMALL = new ModelNetworks(2, 1, new int[] {8}, 1, new int[] {8}, 16, 1e-3);

    /** o' = o + 0.1 sin(o) + 0.1 a (gravity-like factor g on the first coordinate), r = o[0]. */
    private static Transitions data(int n, double g, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] obs = new double[n][3];
        double[][] act = new double[n][1];
        double[] rew = new double[n];
        double[][] next = new double[n][3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                obs[i][j] = r.nextGaussian();
            }
            act[i][0] = r.nextDouble(-1, 1);
            for (int j = 0; j < 3; j++) {
                next[i][j] = obs[i][j] + 0.1 * Math.sin(obs[i][j]) * (j == 0 ? g : 1) + 0.1 * act[i][0];
            }
            rew[i] = obs[i][0];
        }
        return new Transitions(obs, act, rew, next);
    }

    private static RunSettings settings(String runId, RunSpec.Method method, long seed, List<Domain> domains,
                                        Map<String, Double> parameters) throws Exception {
        RunSpec spec = new RunSpec(SchemaVersion.CURRENT, runId, method, RunSpec.Mode.ASYNC, seed, 10_000,
                new RunSpec.DomainSpec("gravity-2", Map.of("gravity", 2.0)), domains, parameters, 0);
        return RunSettings.resolve(spec, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
    }

    private static RunSettings mbpo(String runId, long seed, List<Domain> domains) throws Exception {
        return settings(runId, RunSpec.Method.MBPO, seed, domains, Map.of("maxEpochs", 3.0, "rolloutsPerRound", 50.0));
    }

    private static RunSettings latent(RunSpec.Method method, Map<String, Double> extra) throws Exception {
        Map<String, Double> p = new java.util.HashMap<>(Map.of("maxEpochs", 2.0, "jointSteps", 5.0));
        p.putAll(extra);
        if (method != RunSpec.Method.GAP_ONLY) {
            p.putIfAbsent("rolloutsPerRound", 40.0);
        }
        return settings("latent-run", method, 7, List.of(Domain.SIM, Domain.REAL), p);
    }

    private static final RoundData SIM_ONLY = new RoundData(data(300, 1, 1), RoundData.none());
    private static final RoundData BOTH = new RoundData(data(300, 1, 1), data(200, 2, 2));

    private static List<RolloutBatch> roll(ModelRounds rounds, long round, RoundData data, RunSettings s) {
        List<RolloutBatch> out = new ArrayList<>();
        rounds.rollouts(round, data, s, Optional.empty(), 1, 1000, out::add);
        return out;
    }

    private static double[][] allObs(List<RolloutBatch> batches, boolean next) {
        List<double[]> rows = new ArrayList<>();
        for (RolloutBatch b : batches) {
            rows.addAll(List.of(next ? b.nextObs() : b.obs()));
        }
        return rows.toArray(new double[0][]);
    }

    @Test
    void shouldMakeTheSameRoundFromTheSameSeedWhateverTheRunId() throws Exception {
        RunSettings a = mbpo("run-a", 3, List.of(Domain.SIM));
        RunSettings b = mbpo("run-b", 3, List.of(Domain.SIM));
        RunSettings c = mbpo("run-a", 4, List.of(Domain.SIM));
        List<double[][]> next = new ArrayList<>();
        for (RunSettings s : List.of(a, b, c)) {
            ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
            assertTrue(rounds instanceof EnsembleRounds);
            RoundReport report = rounds.train(1, SIM_ONLY, s);
            assertEquals(300, report.rows());
            assertTrue(report.ensemble().epochs() <= 3, "at most maxEpochs epochs");
            List<RolloutBatch> batches = roll(rounds, 1, SIM_ONLY, s);
            assertEquals(50, batches.stream().mapToInt(RolloutBatch::size).sum());
            assertTrue(batches.stream().allMatch(x -> x.startDomain() == Domain.SIM && x.modelVersion() == 1 && !x.latent()));
            next.add(allObs(batches, true));
        }
        assertArrayEquals(next.get(0), next.get(1), "the run id changes nothing");
        assertFalse(java.util.Arrays.deepEquals(next.get(0), next.get(2)), "another seed, another round");
    }

    @Test
    void shouldDrawEachRoundsRolloutsFromItsOwnStream() throws Exception {
        RunSettings s = mbpo("run", 3, List.of(Domain.SIM));
        ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
        rounds.train(1, SIM_ONLY, s);
        double[][] first = allObs(roll(rounds, 1, SIM_ONLY, s), false);
        assertArrayEquals(first, allObs(roll(rounds, 1, SIM_ONLY, s), false), "round 1's starts again");
        assertFalse(java.util.Arrays.deepEquals(first, allObs(roll(rounds, 2, SIM_ONLY, s), false)), "round 2's own");
    }

    @Test
    void shouldFitTheMixedEnsembleToBothDomainsAndStartFromSimOrFromRealForARealOnlyRun() throws Exception {
        RunSettings mixed = settings("mixed", RunSpec.Method.MBPO_MIXED, 1, List.of(Domain.SIM, Domain.REAL),
                Map.of("maxEpochs", 2.0, "rolloutsPerRound", 30.0));
        ModelRounds rounds = ModelRounds.of(mixed, SMALL, TOY).orElseThrow();
        assertEquals(500, rounds.train(1, BOTH, mixed).rows(), "sim and real rows");
        assertTrue(roll(rounds, 1, BOTH, mixed).stream().allMatch(b -> b.startDomain() == Domain.SIM));

        RunSettings realOnly = mbpo("real-only", 1, List.of(Domain.REAL));
        ModelRounds onReal = ModelRounds.of(realOnly, SMALL, TOY).orElseThrow();
        assertEquals(200, onReal.train(1, BOTH, realOnly).rows(), "the real rows only");
        assertTrue(roll(onReal, 1, BOTH, realOnly).stream().allMatch(b -> b.startDomain() == Domain.REAL));
        assertTrue(ModelRounds.of(settings("sac", RunSpec.Method.SAC, 1, List.of(Domain.SIM), Map.of()), SMALL, TOY).isEmpty());
    }

    @Test
    void shouldStartTheRealStartShareOfRolloutsFromRealStatesForTheMixedEnsembleAndTheLatentModelAlike() throws Exception {
        java.util.Set<List<Double>> realRows = new java.util.HashSet<>();
        for (double[] o : BOTH.real().obs()) {
            realRows.add(java.util.Arrays.stream(o).boxed().toList());
        }
        for (RunSpec.Method m : List.of(RunSpec.Method.MBPO_MIXED, RunSpec.Method.LATENT_SIM_INIT)) {
            for (double share : new double[] {0, 0.5}) {
                RunSettings s = settings("share-run", m, 5, List.of(Domain.SIM, Domain.REAL), Map.of("maxEpochs", 2.0,
                        "rolloutsPerRound", 40.0, "realStartShare", share));
                ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
                rounds.train(1, BOTH, s);
                Map<Domain, Integer> starts = new EnumMap<>(Domain.class);
                for (RolloutBatch b : roll(rounds, 1, BOTH, s)) {
                    starts.merge(b.startDomain(), b.size(), Integer::sum);
                    if (!b.latent()) {
                        // The ensemble's rollouts show the policy their start states as they are: real rows, or sim ones.
                        for (double[] o : b.obs()) {
                            assertEquals(b.startDomain() == Domain.REAL, realRows.contains(java.util.Arrays.stream(o).boxed().toList()),
                                    m + " " + share + ": a start state of the " + b.startDomain() + " domain");
                        }
                    }
                }
                assertEquals(share == 0 ? Map.of(Domain.SIM, 40) : Map.of(Domain.SIM, 20, Domain.REAL, 20), starts,
                        m.wireName() + " at realStartShare " + share);
            }
        }
        // A mixed round that has no real transition yet (an async run) starts every rollout from sim states.
        RunSettings half = settings("share-run", RunSpec.Method.MBPO_MIXED, 5, List.of(Domain.SIM, Domain.REAL),
                Map.of("maxEpochs", 2.0, "rolloutsPerRound", 40.0, "realStartShare", 0.5));
        ModelRounds early = ModelRounds.of(half, SMALL, TOY).orElseThrow();
        early.train(1, SIM_ONLY, half);
        assertTrue(roll(early, 1, SIM_ONLY, half).stream().allMatch(b -> b.startDomain() == Domain.SIM));
    }

    @Test
    void shouldBuildTheLatentModelWithTheRunsAnchorAndSayWhenALaterSettingDiffers() throws Exception {
        RunSettings s = latent(RunSpec.Method.LATENT_SIM_INIT, Map.of("lambdaAnchor", 2.0));
        LatentRounds rounds = (LatentRounds) ModelRounds.of(s, SMALL, TOY).orElseThrow();
        RoundReport first = rounds.train(1, BOTH, s);
        assertEquals(2.0, rounds.model().config().lambdaAnchor());
        assertTrue(first.lastLosses().anchor() > 0, first.lastLosses().toString());
        RoundReport second = rounds.train(2, BOTH, latent(RunSpec.Method.LATENT_SIM_INIT, Map.of()));
        assertEquals(1, second.notes().size(), second.notes().toString());
        assertTrue(second.notes().get(0).startsWith("lambdaAnchor"), second.notes().toString());
    }

    @Test
    void shouldApplyAChangedMaxEpochsAtTheNextRound() throws Exception {
        RunSettings s = mbpo("run", 3, List.of(Domain.SIM));
        ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
        rounds.train(1, SIM_ONLY, s);
        RunSettings one = settings("run", RunSpec.Method.MBPO, 3, List.of(Domain.SIM), Map.of("maxEpochs", 1.0,
                "rolloutsPerRound", 50.0));
        assertEquals(1, rounds.train(2, SIM_ONLY, one).ensemble().epochs());
    }

    @Test
    void shouldTrainTheSimEnsembleOnceThenTheLatentModelJointlyAndSplitItsRolloutsByRealStartShare() throws Exception {
        RunSettings s = latent(RunSpec.Method.LATENT_SIM_INIT, Map.of("realStartShare", 0.25));
        LatentRounds rounds = (LatentRounds) ModelRounds.of(s, SMALL, TOY).orElseThrow();
        RoundReport first = rounds.train(1, BOTH, s);
        assertNotNull(first.ensemble(), "the sim ensemble at the first round");
        assertEquals(5, first.jointSteps());
        assertTrue(Double.isFinite(first.measures().mappingDistance()) && Double.isFinite(first.lastLosses().total()));
        var simModel = rounds.simModel();
        RoundReport second = rounds.train(2, BOTH, s);
        assertNull(second.ensemble(), "not again");
        assertTrue(simModel == rounds.simModel());
        assertTrue(second.notes().isEmpty(), second.notes().toString());

        Map<Domain, Integer> starts = new EnumMap<>(Domain.class);
        for (RolloutBatch b : roll(rounds, 2, BOTH, s)) {
            assertTrue(b.latent());
            starts.merge(b.startDomain(), b.size(), Integer::sum);
        }
        assertEquals(Map.of(Domain.SIM, 30, Domain.REAL, 10), starts);

        RunSettings changed = latent(RunSpec.Method.LATENT_SIM_INIT, Map.of("lambdaAe", 2.0, "jointSteps", 0.0));
        RoundReport third = rounds.train(3, BOTH, changed);
        assertEquals(1, third.notes().size(), "a loss weight the model was not made with is said: " + third.notes());
        assertNull(third.firstLosses(), "no joint steps");
    }

    @Test
    void shouldMeasureAGapOnlyRunAndRefuseToRollItOut() throws Exception {
        for (RunSpec.Method m : List.of(RunSpec.Method.GAP_ONLY, RunSpec.Method.LATENT_REAL_INIT, RunSpec.Method.LATENT_RANDOM_INIT)) {
            RunSettings s = latent(m, Map.of());
            ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
            RoundReport r = rounds.train(1, BOTH, s);
            assertTrue(Double.isFinite(r.measures().latentKl()), m + ": " + r.summary());
            if (m == RunSpec.Method.GAP_ONLY) {
                assertThrows(IllegalStateException.class, () -> roll(rounds, 1, BOTH, s));
            } else {
                assertEquals(40, roll(rounds, 1, BOTH, s).stream().mapToInt(RolloutBatch::size).sum());
            }
        }
    }

    @Test
    void shouldStopADivergingLatentRound() throws Exception {
        // Every departure of the encoders from the identity weighted a million times: the loss leaves its start at once.
        RunSettings s = latent(RunSpec.Method.GAP_ONLY, Map.of("divergenceFactor", 1.0, "lambdaCorr", 1e6, "lambdaAe", 1e6));
        ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
        var e = assertThrows(io.sim2real.nn.NonFiniteException.class, () -> rounds.train(1, BOTH, s));
        assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }

    @Test
    void shouldRestoreASavedModelThatPredictsAsTheOriginal(@TempDir Path dir) throws Exception {
        for (RunSettings s : List.of(mbpo("run", 3, List.of(Domain.SIM)), latent(RunSpec.Method.LATENT_SIM_INIT, Map.of()))) {
            ModelRounds rounds = ModelRounds.of(s, SMALL, TOY).orElseThrow();
            rounds.train(1, BOTH, s);
            Path folder = dir.resolve(s.method().wireName());
            rounds.save(folder, 1);
            ModelRounds restored = ModelRounds.of(s, SMALL, TOY).orElseThrow();
            assertEquals(1, restored.restore(folder, BOTH, s).orElseThrow());
            assertTrue(restored.trained());
            Transitions t = BOTH.real().head(20);
            for (Domain d : Domain.values()) {
                double[][] a = new double[20][];
                double[][] b = new double[20][];
                rounds.predict(d, t.obs(), t.act(), false, new SplittableRandom(1), a, new double[20]);
                restored.predict(d, t.obs(), t.act(), false, new SplittableRandom(1), b, new double[20]);
                assertArrayEquals(a, b, s.method() + " " + d);
            }
            assertTrue(ModelRounds.of(s, SMALL, TOY).orElseThrow().restore(dir.resolve("none"), BOTH, s).isEmpty());
        }
    }

    @Test
    void shouldSayWhenARoundIsDueFromTheRunsSettings() throws Exception {
        RunSettings m = settings("m", RunSpec.Method.MBPO_SIM_ONLY, 1, List.of(Domain.SIM),
                Map.of("trainEvery", 100.0, "modelMinTransitions", 300.0));
        assertFalse(RoundRule.due(m, 0, 299, 299, 0), "fewer than modelMinTransitions");
        assertTrue(RoundRule.due(m, 0, 300, 300, 5000));
        assertFalse(RoundRule.due(m, 1, 99, 399, 0), "fewer than trainEvery since the last round");
        assertTrue(RoundRule.counts(m, Domain.SIM) && !RoundRule.counts(m, Domain.REAL));
        RunSettings l = latent(RunSpec.Method.GAP_ONLY, Map.of("latentTrainEvery", 100.0, "latentMinTransitions", 200.0));
        assertFalse(RoundRule.due(l, 0, 1000, 1000, 199), "each domain needs latentMinTransitions");
        assertTrue(RoundRule.due(l, 0, 1, 200, 200), "the first round as soon as both have them");
        assertFalse(RoundRule.due(l, 1, 99, 300, 300));
        assertTrue(RoundRule.due(l, 1, 100, 300, 300) && RoundRule.counts(l, Domain.REAL));
        RunSettings sac = settings("s", RunSpec.Method.SAC, 1, List.of(Domain.SIM), Map.of());
        assertFalse(RoundRule.due(sac, 0, 10_000, 10_000, 0) || RoundRule.counts(sac, Domain.SIM));
    }
}

package io.sim2real.methods;

import static org.junit.jupiter.api.Assertions.*;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.RunSpec.Method;
import io.sim2real.contracts.messages.RunSpec.Mode;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.methods.RunSettings.Reading;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunSettingsTest {

    private static RunSpec run(Method method, Mode mode, List<Domain> domains, Map<String, Double> parameters) {
        return new RunSpec(1, "run-1", method, mode, 7, 30_000, new RunSpec.DomainSpec("gravity-1.5", Map.of("gravity", 1.5)),
                domains, parameters, 1L);
    }

    private static RunSettings resolve(RunSpec run) throws InvalidRecordException {
        return RunSettings.resolve(run, RunDefaults.product(), Reading.SUBMITTED);
    }

    @Test
    void shouldSetEveryParameterThatAppliesAndOnlyThose() throws Exception {
        RunSettings mbpo = resolve(run(Method.MBPO, Mode.LOCKSTEP, List.of(Domain.SIM), Map.of("updatesPerStep", 10.0)));
        Map<String, Double> p = mbpo.spec().parameters();
        assertEquals(10.0, p.get("updatesPerStep"));
        assertEquals(250.0, p.get("trainEvery"));
        assertEquals(250.0, p.get("lockstepChunk"));
        assertFalse(p.containsKey("jointSteps"), "a latent parameter is not an MBPO run's setting");
        assertEquals(10, mbpo.integer(RunParameter.UPDATES_PER_STEP));
        assertThrows(IllegalStateException.class, () -> mbpo.number(RunParameter.JOINT_STEPS));

        RunSettings async = resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), Map.of()));
        assertFalse(async.spec().parameters().containsKey("lockstepChunk"), "lockstep settings are not an async run's");

        RunSettings gap = resolve(run(Method.GAP_ONLY, Mode.ASYNC, List.of(Domain.SIM, Domain.REAL), null));
        assertFalse(gap.spec().parameters().containsKey("updatesPerStep"), "gap-only trains no policy");
        assertTrue(gap.flag(RunParameter.TRAIN_SIM_AUTOENCODER), "gap-only trains the sim autoencoder by default");
        RunSettings latent = resolve(run(Method.LATENT_SIM_INIT, Mode.ASYNC, List.of(Domain.SIM, Domain.REAL), null));
        assertFalse(latent.flag(RunParameter.TRAIN_SIM_AUTOENCODER), "training methods keep the sim autoencoder the identity");
        // The effective spec reads back to the same settings: resolving is idempotent.
        assertEquals(latent.spec(), resolve(latent.spec()).spec());
    }

    @Test
    void shouldRefuseUnknownOutOfRangeAndForeignParametersNamingTheField() {
        List<Map<String, Double>> bad = List.of(Map.of("updatesPerStepp", 1.0), Map.of("realRatio", 1.5),
                Map.of("lockstepChunk", 2.5), Map.of("lockstepChunk", 0.0), Map.of("trainSimAutoencoder", 0.5),
                Map.of("jointSteps", 10.0), Map.of("updatesPerStep", -1.0), Map.of("initialRandomSteps", 300.0));
        for (Map<String, Double> parameters : bad) {
            InvalidRecordException e = assertThrows(InvalidRecordException.class,
                    () -> resolve(run(Method.MBPO, Mode.LOCKSTEP, List.of(Domain.SIM), parameters)), parameters.toString());
            assertTrue(e.getMessage().contains("parameters." + parameters.keySet().iterator().next()), e.getMessage());
        }
        InvalidRecordException unknown = assertThrows(InvalidRecordException.class,
                () -> resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), Map.of("wind", 1.0))));
        assertTrue(unknown.getMessage().contains("known: updatesPerStep"), "the message lists the known names");
    }

    @Test
    void shouldConvertAStoredRunByDroppingParametersThatDoNotApply() throws Exception {
        // As today's build wrote it: lockstep settings on an async run, which never used them.
        RunSpec stored = run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), Map.of("lockstepChunk", 50.0, "updatesPerStep", 1.0));
        RunSettings s = RunSettings.resolve(stored, RunDefaults.product(), Reading.STORED);
        assertFalse(s.spec().parameters().containsKey("lockstepChunk"));
        assertEquals(1, s.conversions().size());
        assertTrue(s.conversions().get(0).contains("parameters.lockstepChunk"), s.conversions().toString());
        assertThrows(InvalidRecordException.class, () -> resolve(stored), "a submitted run is refused instead");
    }

    @Test
    void shouldRequireTheTrainingDomainsTheMethodNames() {
        Object[][] bad = {{Method.MBPO_SIM_ONLY, List.of(Domain.SIM, Domain.REAL)}, {Method.MBPO_MIXED, List.of(Domain.SIM)},
                {Method.GAP_ONLY, List.of(Domain.REAL)}, {Method.LATENT_REAL_INIT, List.of(Domain.SIM)}};
        for (Object[] b : bad) {
            @SuppressWarnings("unchecked")
            List<Domain> domains = (List<Domain>) b[1];
            InvalidRecordException e = assertThrows(InvalidRecordException.class,
                    () -> resolve(run((Method) b[0], Mode.ASYNC, domains, null)), b[0].toString());
            assertTrue(e.getMessage().contains("trainingDomains"), e.getMessage());
        }
    }

    @Test
    void shouldTakeADeploymentsDefaultsAndRefuseOnesOutOfRange() throws Exception {
        Map<String, Double> config = new HashMap<>(Map.of("sim2real.run.train-every", 300.0));
        RunDefaults defaults = RunDefaults.fromConfig(key -> Optional.ofNullable(config.get(key)));
        RunSettings s = RunSettings.resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), null), defaults, Reading.SUBMITTED);
        assertEquals(300, s.integer(RunParameter.TRAIN_EVERY));
        config.put("sim2real.run.real-ratio", 2.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunDefaults.fromConfig(key -> Optional.ofNullable(config.get(key))));
        assertTrue(e.getMessage().contains("sim2real.run.real-ratio"), e.getMessage());
    }

    @Test
    void shouldRefuseChangingWhatARunWasMadeWithButNotItsParameters() throws Exception {
        RunSettings s = resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), null));
        assertTrue(s.refusesChangeTo(resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), Map.of("realRatio", 0.2))))
                .isEmpty());
        assertTrue(s.refusesChangeTo(resolve(run(Method.SAC, Mode.ASYNC, List.of(Domain.SIM), null))).orElseThrow()
                .contains("'method'"));
        RunSpec otherSeed = new RunSpec(1, "run-1", Method.MBPO, Mode.ASYNC, 8, 30_000, s.spec().realDomain(),
                List.of(Domain.SIM), null, 1L);
        assertTrue(s.refusesChangeTo(resolve(otherSeed)).orElseThrow().contains("'seed'"));
        List<Domain> both = List.of(Domain.SIM, Domain.REAL);
        RunSettings latent = resolve(run(Method.LATENT_SIM_INIT, Mode.ASYNC, both, null));
        assertTrue(latent.refusesChangeTo(resolve(run(Method.LATENT_SIM_INIT, Mode.ASYNC, both, Map.of("lambdaCorr", 2.0))))
                .orElseThrow().contains("'parameters.lambdaCorr'"), "the latent model is built with its loss weights");
        assertTrue(latent.refusesChangeTo(resolve(run(Method.LATENT_SIM_INIT, Mode.ASYNC, both, Map.of("jointSteps", 10.0))))
                .isEmpty());
    }

    @Test
    void shouldGiveEveryMethodThatMayStartFromRealStatesTheSameRealStartShareDefault() throws Exception {
        List<Domain> both = List.of(Domain.SIM, Domain.REAL);
        for (Method m : List.of(Method.MBPO_MIXED, Method.LATENT_SIM_INIT, Method.LATENT_REAL_INIT, Method.LATENT_RANDOM_INIT)) {
            RunSettings s = resolve(run(m, Mode.LOCKSTEP, both, null));
            assertEquals(0.0, s.number(RunParameter.REAL_START_SHARE), m + ": one default for every method, sim starts only");
            assertEquals(0.5, resolve(run(m, Mode.LOCKSTEP, both, Map.of("realStartShare", 0.5)))
                    .number(RunParameter.REAL_START_SHARE), m.wireName());
        }
        assertEquals(0.25, resolve(run(Method.MBPO, Mode.ASYNC, both, Map.of("realStartShare", 0.25)))
                .number(RunParameter.REAL_START_SHARE), "mbpo on both domains");
        assertEquals(0.0, resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), null)).number(RunParameter.REAL_START_SHARE));
        InvalidRecordException oneDomain = assertThrows(InvalidRecordException.class,
                () -> resolve(run(Method.MBPO, Mode.ASYNC, List.of(Domain.SIM), Map.of("realStartShare", 0.5))));
        assertTrue(oneDomain.getMessage().contains("parameters.realStartShare") && oneDomain.getMessage().contains("one domain"),
                oneDomain.getMessage());
        InvalidRecordException simOnly = assertThrows(InvalidRecordException.class,
                () -> resolve(run(Method.MBPO_SIM_ONLY, Mode.ASYNC, List.of(Domain.SIM), Map.of("realStartShare", 0.0))));
        assertTrue(simOnly.getMessage().contains("does not apply"), simOnly.getMessage());
        assertFalse(resolve(run(Method.GAP_ONLY, Mode.ASYNC, both, null)).spec().parameters().containsKey("realStartShare"),
                "gap-only makes no rollouts");
    }

    @Test
    void shouldTakeTheAnchorAsALatentLossWeightThatIsOffByDefaultAndFixedOnceARunIsMade() throws Exception {
        List<Domain> both = List.of(Domain.SIM, Domain.REAL);
        RunSettings latent = resolve(run(Method.LATENT_SIM_INIT, Mode.LOCKSTEP, both, null));
        assertEquals(0.0, latent.number(RunParameter.LAMBDA_ANCHOR));
        RunSettings anchored = resolve(run(Method.LATENT_SIM_INIT, Mode.LOCKSTEP, both, Map.of("lambdaAnchor", 3.0)));
        assertEquals(3.0, anchored.number(RunParameter.LAMBDA_ANCHOR));
        assertTrue(latent.refusesChangeTo(anchored).orElseThrow().contains("'parameters.lambdaAnchor'"));
        InvalidRecordException negative = assertThrows(InvalidRecordException.class,
                () -> resolve(run(Method.LATENT_SIM_INIT, Mode.LOCKSTEP, both, Map.of("lambdaAnchor", -1.0))));
        assertTrue(negative.getMessage().contains("parameters.lambdaAnchor"), negative.getMessage());
        assertThrows(InvalidRecordException.class,
                () -> resolve(run(Method.MBPO_MIXED, Mode.LOCKSTEP, both, Map.of("lambdaAnchor", 1.0))), "no latent model");
    }

    @Test
    void shouldDeriveSeedsFromTheSeedAloneAndKeepStreamsApart() {
        RunSeeds a = new RunSeeds(1);
        assertEquals(a.of(RunSeeds.Stream.SAC), new RunSeeds(1).of(RunSeeds.Stream.SAC));
        assertNotEquals(a.of(RunSeeds.Stream.SAC), a.of(RunSeeds.Stream.BATCHES));
        assertNotEquals(a.of(RunSeeds.Stream.ROLLOUTS, 1), a.of(RunSeeds.Stream.ROLLOUTS, 2));
        assertNotEquals(a.of(RunSeeds.Stream.SAC), new RunSeeds(2).of(RunSeeds.Stream.SAC));
    }

    @Test
    void shouldNameEveryParameterInKebabCaseUnderSim2realRun() {
        assertEquals("sim2real.run.updates-per-step", RunParameter.UPDATES_PER_STEP.configKey());
        assertEquals("sim2real.run.lockstep-timeout-seconds", RunParameter.LOCKSTEP_TIMEOUT_SECONDS.configKey());
    }
}

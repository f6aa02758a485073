package io.sim2real.env.acting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.methods.MethodTraits;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSettings;
import io.sim2real.nn.PolicySnapshots;
import io.sim2real.nn.SquashedGaussianActor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Lockstep's settings and target, and waiting for a snapshot, without Quarkus or Kafka. */
class LockstepTest {

    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    private static Optional<RunSettings> run(RunSpec.Mode mode, RunSpec.Method method, Map<String, Double> parameters)
            throws InvalidRecordException {
        RunSpec r = SampleMessages.run();
        List<Domain> domains = MethodTraits.of(method).trainingDomains() == null ? List.of(Domain.SIM)
                : List.of(Domain.SIM, Domain.REAL);
        return Optional.of(RunSettings.resolve(new RunSpec(SchemaVersion.CURRENT, "lockstep-unit", method, mode, 1, 1000,
                r.realDomain(), domains, parameters, 1L), RunDefaults.product(), RunSettings.Reading.SUBMITTED));
    }

    @Test
    void shouldApplyOnlyToSnapshotCollectionsOfLockstepRunsInATrainingDomain() throws Exception {
        Optional<RunSettings> lockstep = run(RunSpec.Mode.LOCKSTEP, RunSpec.Method.MBPO, Map.of());
        Lockstep l = Lockstep.of(lockstep, "snapshot", Domain.SIM).orElseThrow();
        assertEquals(new Lockstep(250, 1000, TEN_MINUTES, List.of(Domain.SIM)), l, "the catalogue's defaults");
        assertTrue(Lockstep.of(lockstep, "random", Domain.SIM).isEmpty());
        assertTrue(Lockstep.of(lockstep, "snapshot", Domain.REAL).isEmpty(), "not trained on");
        assertTrue(Lockstep.of(run(RunSpec.Mode.ASYNC, RunSpec.Method.MBPO, Map.of()), "snapshot", Domain.SIM).isEmpty());
        assertTrue(Lockstep.of(Optional.empty(), "snapshot", Domain.SIM).isEmpty(), "unknown run");
    }

    @Test
    void shouldTakeTheRunsSettingsAndRefuseARunWithoutAPolicy() throws Exception {
        Lockstep l = Lockstep.of(run(RunSpec.Mode.LOCKSTEP, RunSpec.Method.SAC, Map.of("lockstepChunk", 50.0,
                "initialRandomSteps", 0.0, "lockstepTimeoutSeconds", 1.5)), "snapshot", Domain.SIM).orElseThrow();
        assertEquals(new Lockstep(50, 0, Duration.ofMillis(1500), List.of(Domain.SIM)), l);
        var e = assertThrows(IllegalArgumentException.class, () -> Lockstep.of(
                run(RunSpec.Mode.LOCKSTEP, RunSpec.Method.GAP_ONLY, Map.of()), "snapshot", Domain.SIM));
        assertTrue(e.getMessage().contains("gap-only"), e.getMessage());
    }

    @Test
    void shouldTargetEveryTransitionKnownPublishedIncludingThoseBeforeARestart() {
        assertEquals(300, Lockstep.target(300, 0, 0), "this process published everything");
        assertEquals(300, Lockstep.target(300, 100, 80), "a stale snapshot at start adds nothing");
        assertEquals(5_250, Lockstep.target(250, 0, 5_000), "after a restart: the snapshot at start covers the past");
    }

    @Test
    void shouldWaitForASnapshotThatHasTrainedOnEnoughStepsAndStopOnRequestOrTimeout() throws Exception {
        PolicyStore store = new PolicyStore();
        SquashedGaussianActor actor = new SquashedGaussianActor(17, 6, new int[] {8}, 4, 1);
        store.put(PolicySnapshots.toSnapshot(actor, 17, new int[] {8}, "r", 1, 100));
        assertEquals(1, store.awaitEnvStep("r", 100, Duration.ZERO, () -> false).orElseThrow().version());

        CompletableFuture<Optional<PolicySnapshot>> waiting = CompletableFuture.supplyAsync(() -> await(store, 200, () -> false));
        store.put(PolicySnapshots.toSnapshot(actor, 17, new int[] {8}, "r", 2, 150));
        store.put(PolicySnapshots.toSnapshot(actor, 17, new int[] {8}, "r", 3, 200));
        assertEquals(3, waiting.get(10, TimeUnit.SECONDS).orElseThrow().version());

        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Optional<PolicySnapshot>> stopped = CompletableFuture.supplyAsync(() -> await(store, 999, stop::get));
        stop.set(true);
        store.wakeWaiters();
        assertTrue(stopped.get(10, TimeUnit.SECONDS).isEmpty());

        long start = System.nanoTime();
        assertTrue(store.awaitEnvStep("r", 999, Duration.ofMillis(300), () -> false).isEmpty());
        assertTrue(System.nanoTime() - start >= 300_000_000L, "waited the timeout");
    }

    private static Optional<PolicySnapshot> await(PolicyStore store, long envStep, java.util.function.BooleanSupplier stop) {
        try {
            return store.awaitEnvStep("r", envStep, Duration.ofSeconds(30), stop);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

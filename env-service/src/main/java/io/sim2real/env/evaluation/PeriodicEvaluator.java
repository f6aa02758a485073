package io.sim2real.env.evaluation;

import io.sim2real.training.acting.SnapshotPolicy;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.training.evaluation.Evaluator;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.service.runs.RunRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Evaluates a run's policy every {@code sim2real.env.evaluate-every} environment steps: when a snapshot
 * arrives at least that many steps after the last evaluated one, its mean action is run for whole episodes in
 * the sim domain and in the run's real domain (with the physics in force at the run's newest real transition, for a
 * real domain that follows a schedule), and the results are published. 0 turns it off.
 */
@ApplicationScoped
public class PeriodicEvaluator {

    private static final Logger LOG = Logger.getLogger(PeriodicEvaluator.class);

    @Inject
    RunRegistry runs;

    @Inject
    EvaluationPublisher publisher;

    @Inject
    io.sim2real.env.acting.PublishedTransitions published;

    @Inject
    io.sim2real.env.acting.CollectionOwnership ownership;

    @ConfigProperty(name = "sim2real.env.evaluate-every", defaultValue = "5000")
    long evaluateEvery;

    @ConfigProperty(name = "sim2real.env.evaluation-episodes", defaultValue = "5")
    int episodes;

    @ConfigProperty(name = "sim2real.env.physics-threads", defaultValue = "2")
    int physicsThreads;

    private final Map<String, Long> lastEvaluatedStep = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "periodic-evaluation");
        t.setDaemon(true);
        return t;
    });

    /** Called with every new snapshot the service keeps. */
    public void onSnapshot(PolicySnapshot snapshot) {
        RunSpec run = runs.get(snapshot.runId()).orElse(null);
        if (run == null) {
            return;
        }
        Long last = lastEvaluatedStep.get(snapshot.runId());
        if (!Evaluator.periodicDue(last == null ? -1 : last, snapshot.envStep(), evaluateEvery)) {
            return;
        }
        lastEvaluatedStep.put(snapshot.runId(), snapshot.envStep());
        // Every instance reads every snapshot; the run's owner evaluates it (docs/REPLICAS.md), once.
        if (ownership.owns(snapshot.runId())) {
            worker.submit(() -> evaluate(run, snapshot));
        }
    }

    private void evaluate(RunSpec run, PolicySnapshot snapshot) {
        try {
            // The real domain as it is now: an emulated domain's schedule may have changed its physics since the start.
            long realSteps = published.count(run.runId(), java.util.List.of(Domain.REAL));
            DomainPhysics real = DomainPhysics.of(run.realDomain().factorsAt(Math.max(0, realSteps - 1)));
            long seed = Evaluator.periodicSeed(run.seed(), snapshot.version());
            for (Domain d : Domain.values()) {
                if (d == Domain.REAL && real.changed().isEmpty()) {
                    continue; // a run without a perturbed domain: "real" would repeat the sim episodes
                }
                DomainPhysics physics = d == Domain.SIM ? DomainPhysics.neutral() : real;
                publisher.publish(Evaluator.evaluate(run.runId(), d, physics, new SnapshotPolicy(snapshot, true, seed), true,
                        episodes, seed, snapshot.envStep(), physicsThreads));
            }
            LOG.infof("run %s: evaluated policy v%d at %d env steps in sim and %s", run.runId(), snapshot.version(),
                    snapshot.envStep(), real);
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s: evaluation of policy v%d failed", run.runId(), snapshot.version());
        }
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}

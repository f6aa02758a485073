package io.sim2real.env.acting;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs data collections (a behaviour policy in a domain for a number of env steps, transitions published as
 * they are made) one after another on a background thread, and keeps their status.
 */
@ApplicationScoped
public class CollectionService {

    private static final Logger LOG = Logger.getLogger(CollectionService.class);

    /** What a collection is and how far it got. */
    public record Collection(String id, String runId, String domain, Map<String, Double> physics, String policy,
                             long envSteps, int numEnvs, long seed, String state, long stepsTaken,
                             long unstableDropped, String error) {
    }

    @Inject
    TransitionPublisher publisher;

    @Inject
    EnvSpec spec;

    @Inject
    PolicyStore policies;

    @ConfigProperty(name = "sim2real.env.physics-threads", defaultValue = "2")
    int physicsThreads;

    private final Map<String, Collection> collections = new ConcurrentSkipListMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "collections");
        t.setDaemon(true);
        return t;
    });

    public Collection start(String runId, Domain domain, DomainPhysics physics, String policyName, long envSteps,
                            int numEnvs, int batchSize, long seed) {
        BehaviourPolicy policy = BehaviourPolicies.create(policyName, spec, seed, policies.latest(runId), false);
        String id = UUID.randomUUID().toString();
        Collection queued = new Collection(id, runId, domain.wireName(), physics.changed(), policy.name(), envSteps,
                numEnvs, seed, "QUEUED", 0, 0, null);
        collections.put(id, queued);
        runner.submit(() -> run(queued, domain, physics, policy, batchSize));
        return queued;
    }

    private void run(Collection c, Domain domain, DomainPhysics physics, BehaviourPolicy policy, int batchSize) {
        collections.put(c.id(), with(c, "RUNNING", 0, 0, null));
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, c.numEnvs(), Math.min(physicsThreads, c.numEnvs()), c.seed())) {
            TransitionCollector collector = new TransitionCollector(env, policy, c.runId(), domain,
                    "collection-" + c.id().substring(0, 8), batchSize, publisher::publish);
            long chunk = Math.max(c.numEnvs(), 5_000);
            while (collector.stepsTaken() < c.envSteps()) {
                collector.collect(Math.min(chunk, c.envSteps() - collector.stepsTaken()));
                collections.put(c.id(), with(c, "RUNNING", collector.stepsTaken(), collector.unstableDropped(), null));
            }
            collections.put(c.id(), with(c, "DONE", collector.stepsTaken(), collector.unstableDropped(), null));
        } catch (RuntimeException e) {
            LOG.errorf(e, "collection %s for run %s failed", c.id(), c.runId());
            Collection last = collections.get(c.id());
            collections.put(c.id(), with(c, "FAILED", last.stepsTaken(), last.unstableDropped(), String.valueOf(e.getMessage())));
        }
    }

    private static Collection with(Collection c, String state, long steps, long unstable, String error) {
        return new Collection(c.id(), c.runId(), c.domain(), c.physics(), c.policy(), c.envSteps(), c.numEnvs(), c.seed(),
                state, steps, unstable, error);
    }

    public List<Collection> all() {
        return List.copyOf(collections.values());
    }

    public java.util.Optional<Collection> get(String id) {
        return java.util.Optional.ofNullable(collections.get(id));
    }

    @PreDestroy
    void stop() {
        runner.shutdownNow();
    }
}

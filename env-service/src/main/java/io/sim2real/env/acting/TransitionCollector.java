package io.sim2real.env.acting;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.function.Consumer;

/**
 * Runs a behaviour policy in a vector of environments and packs the transitions into TransitionBatches of a
 * fixed size, in order. Steps whose physics went unstable are dropped (their successor state is not real)
 * and counted.
 */
public final class TransitionCollector {

    private final HalfCheetahEnv env;
    private BehaviourPolicy policy;
    private final String runId;
    private final Domain domain;
    private final String envId;
    private final int batchSize;
    private final Consumer<TransitionBatch> sink;

    private double[][] observations;
    private int[] stepIndices;
    private final Rows rows;
    private long stepsTaken;
    private long unstableDropped;
    private long episodeIdOffset;

    public TransitionCollector(HalfCheetahEnv env, BehaviourPolicy policy, String runId, Domain domain, String envId,
                               int batchSize, Consumer<TransitionBatch> sink) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.env = env;
        this.policy = policy;
        this.runId = runId;
        this.domain = domain;
        this.envId = envId;
        this.batchSize = batchSize;
        this.sink = sink;
        this.rows = new Rows(batchSize);
    }

    /** Takes at least {@code envSteps} env steps in total (a whole number of vector steps), then flushes. */
    public void collect(long envSteps) {
        if (observations == null) {
            observations = env.reset();
            stepIndices = new int[env.numEnvs()];
        }
        long target = stepsTaken + envSteps;
        while (stepsTaken < target) {
            StepResult s = env.step(policy.act(observations, stepIndices));
            for (int i = 0; i < s.size(); i++) {
                if (s.unstable()[i]) {
                    unstableDropped++;
                } else {
                    rows.add(s, i, episodeIdOffset);
                    if (rows.count == batchSize) {
                        flush();
                    }
                }
            }
            stepsTaken += s.size();
            observations = env.observations();
            for (int i = 0; i < s.size(); i++) {
                stepIndices[i] = s.truncated()[i] || s.unstable()[i] ? 0 : s.stepIndices()[i] + 1;
            }
        }
        flush();
    }

    /**
     * Makes this collector go on from an earlier one that took {@code stepsTaken} steps (a collection resumed after
     * a restart): its episode ids are shifted by {@code episodeIdOffset}, past the earlier ones. Call before the
     * first {@link #collect}.
     */
    public void continueAfter(long stepsTaken, long episodeIdOffset) {
        if (observations != null) {
            throw new IllegalStateException("continueAfter must come before the first collect");
        }
        this.stepsTaken = stepsTaken;
        this.episodeIdOffset = episodeIdOffset;
    }

    /**
     * Acts with {@code next} from the next {@link #collect} on; the episodes in progress go on. Batches never mix
     * policies: {@code collect} flushes before it returns.
     */
    public void use(BehaviourPolicy next) {
        this.policy = next;
    }

    public long stepsTaken() {
        return stepsTaken;
    }

    public long unstableDropped() {
        return unstableDropped;
    }

    private void flush() {
        if (rows.count == 0) {
            return;
        }
        sink.accept(rows.toBatch(runId, domain, envId, policy.version()));
        rows.clear();
    }

    /** Transitions waiting to fill a batch. */
    private static final class Rows {
        final long[] episodes;
        final int[] steps;
        final double[][] obs;
        final double[][] act;
        final double[] rew;
        final double[][] next;
        final boolean[] truncated;
        int count;

        Rows(int capacity) {
            episodes = new long[capacity];
            steps = new int[capacity];
            obs = new double[capacity][];
            act = new double[capacity][];
            rew = new double[capacity];
            next = new double[capacity][];
            truncated = new boolean[capacity];
        }

        void add(StepResult s, int i, long episodeIdOffset) {
            episodes[count] = s.episodeIds()[i] + episodeIdOffset;
            steps[count] = s.stepIndices()[i];
            obs[count] = s.obs()[i];
            act[count] = s.act()[i];
            rew[count] = s.rew()[i];
            next[count] = s.nextObs()[i];
            truncated[count] = s.truncated()[i];
            count++;
        }

        TransitionBatch toBatch(String runId, Domain domain, String envId, long policyVersion) {
            int n = count;
            return new TransitionBatch(SchemaVersion.CURRENT, runId, domain, envId, policyVersion,
                    java.util.Arrays.copyOf(episodes, n), java.util.Arrays.copyOf(steps, n),
                    java.util.Arrays.copyOf(obs, n), java.util.Arrays.copyOf(act, n), java.util.Arrays.copyOf(rew, n),
                    java.util.Arrays.copyOf(next, n), new boolean[n], java.util.Arrays.copyOf(truncated, n));
        }

        void clear() {
            count = 0;
        }
    }
}

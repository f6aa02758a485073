package io.sim2real.training.evaluation;

import io.sim2real.training.acting.BehaviourPolicy;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;

/**
 * Runs whole episodes of a policy in a domain, one env per episode stepped together (policy inference
 * batched over the episodes), each episode from its own recorded seed.
 */
public final class Evaluator {

    private Evaluator() {
    }

    /**
     * The seed of a run's periodic evaluation of one policy version: episode i starts from this + i. One rule for
     * env-service and the in-process runner, so both evaluate a policy on the same episodes.
     */
    public static long periodicSeed(long runSeed, long policyVersion) {
        return runSeed * 1_000_003L + policyVersion;
    }

    /**
     * Whether a run's periodic evaluation takes the policy published at {@code envStep}: the first policy it sees,
     * then the first at least {@code every} env steps after the last one evaluated. {@code lastEvaluated} &lt; 0: none yet.
     */
    public static boolean periodicDue(long lastEvaluated, long envStep, long every) {
        return every > 0 && (lastEvaluated < 0 || envStep - lastEvaluated >= every);
    }

    public static EvaluationResult evaluate(String runId, Domain domain, DomainPhysics physics, BehaviourPolicy policy,
                                            boolean deterministic, int episodes, long seed, long envStep, int threads) {
        long[] seeds = new long[episodes];
        for (int i = 0; i < episodes; i++) {
            seeds[i] = seed + i;
        }
        double[] returns = new double[episodes];
        int[] lengths = new int[episodes];
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, seeds, Math.min(threads, episodes))) {
            double[][] obs = env.reset();
            int[] steps = new int[episodes];
            boolean[] finished = new boolean[episodes];
            int open = episodes;
            while (open > 0) {
                StepResult s = env.step(policy.act(obs, steps));
                for (int i = 0; i < episodes; i++) {
                    if (finished[i]) {
                        continue;
                    }
                    returns[i] += s.rew()[i];
                    lengths[i]++;
                    steps[i]++;
                    if (s.truncated()[i] || s.unstable()[i]) {
                        finished[i] = true;
                        open--;
                    }
                }
                obs = env.observations();
            }
        }
        return new EvaluationResult(SchemaVersion.CURRENT, runId, domain, policy.version(), envStep, deterministic,
                seeds, returns, lengths);
    }
}

package io.sim2real.experiments;

import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.SplittableRandom;

/** Collects a domain's transitions in-process on MuJoCo HalfCheetah (what env-service's collections publish). */
public final class DomainData {

    private DomainData() {
    }

    /** n transitions from {@code envs} parallel episodes of the policy, seeded (env seeds and action noise). */
    public static Transitions collect(DomainPhysics physics, DataPolicy policy, int n, int envs, long seed) {
        double[][] obs = new double[n][];
        double[][] act = new double[n][];
        double[] rew = new double[n];
        double[][] next = new double[n][];
        SplittableRandom random = new SplittableRandom(seed);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, envs, 1, seed)) {
            double[][] current = env.reset();
            int k = 0;
            long step = 0;
            while (k < n) {
                StepResult s = env.step(policy.act(current, step, random));
                current = env.observations();
                for (int i = 0; i < envs && k < n; i++, k++) {
                    obs[k] = s.obs()[i];
                    act[k] = s.act()[i];
                    rew[k] = s.rew()[i];
                    next[k] = s.nextObs()[i];
                }
                step++;
            }
        }
        return new Transitions(obs, act, rew, next);
    }
}

package io.sim2real.nn;

import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.SplittableRandom;

/** Real MuJoCo HalfCheetah transitions for tests: uniform random actions over parallel envs, seeded. */
public final class HalfCheetahData {

    private HalfCheetahData() {
    }

    public static Transitions random(DomainPhysics physics, int n, long seed) {
        return random(physics, n, 4, seed);
    }

    /** n transitions from {@code envs} parallel episodes (more envs: more start states, shorter episodes). */
    public static Transitions random(DomainPhysics physics, int n, int envs, long seed) {
        double[][] obs = new double[n][];
        double[][] act = new double[n][];
        double[] rew = new double[n];
        double[][] next = new double[n][];
        SplittableRandom r = new SplittableRandom(seed);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, envs, 1, seed)) {
            env.reset();
            int k = 0;
            while (k < n) {
                double[][] a = new double[envs][6];
                for (double[] row : a) {
                    for (int j = 0; j < 6; j++) {
                        row[j] = 2 * r.nextDouble() - 1;
                    }
                }
                StepResult s = env.step(a);
                for (int i = 0; i < envs && k < n; i++, k++) {
                    obs[k] = s.obs()[i];
                    act[k] = s.act()[i];
                    rew[k] = s.rew()[i];
                    next[k] = s.nextObs()[i];
                }
            }
        }
        return new Transitions(obs, act, rew, next);
    }
}

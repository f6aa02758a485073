package io.sim2real.nn;

import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.SplittableRandom;

/** Real MuJoCo HalfCheetah transitions for tests: uniform random actions over 4 envs, seeded. */
public final class HalfCheetahData {

    private HalfCheetahData() {
    }

    public static Transitions random(DomainPhysics physics, int n, long seed) {
        double[][] obs = new double[n][];
        double[][] act = new double[n][];
        double[] rew = new double[n];
        double[][] next = new double[n][];
        SplittableRandom r = new SplittableRandom(seed);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, 4, 1, seed)) {
            env.reset();
            int k = 0;
            while (k < n) {
                double[][] a = new double[4][6];
                for (double[] row : a) {
                    for (int j = 0; j < 6; j++) {
                        row[j] = 2 * r.nextDouble() - 1;
                    }
                }
                StepResult s = env.step(a);
                for (int i = 0; i < 4 && k < n; i++, k++) {
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

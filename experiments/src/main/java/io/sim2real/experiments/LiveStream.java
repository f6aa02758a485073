package io.sim2real.experiments;

import io.sim2real.nn.latent.Transitions;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A domain's transitions as a stream that goes on: {@code envs} parallel HalfCheetah episodes acted on by a
 * behaviour policy, read in chunks, never reset between chunks (what a collector publishes while a run goes on).
 * The physics can change mid-stream ({@link #switchTo}): the episodes continue from the states they are in, in the
 * new physics, as a robot whose dynamics drift would.
 */
final class LiveStream implements AutoCloseable {

    private final DataPolicy policy;
    private final SplittableRandom random;
    private final int envs;
    private final long seed;
    private HalfCheetahEnv env;
    private double[][] current;
    private long step;
    private long transitions;

    LiveStream(DomainPhysics physics, DataPolicy policy, int envs, long seed) {
        this.policy = policy;
        this.random = new SplittableRandom(seed);
        this.envs = envs;
        this.seed = seed;
        this.env = new HalfCheetahEnv(physics, envs, 1, seed);
        this.current = env.reset();
    }

    /** Transitions published so far. */
    long transitions() {
        return transitions;
    }

    DomainPhysics physics() {
        return env.physics();
    }

    /** From now on the episodes continue, from their current states, in {@code physics}. */
    void switchTo(DomainPhysics physics) {
        HalfCheetahEnv next = new HalfCheetahEnv(physics, envs, 1, seed + 1 + transitions);
        next.setStates(current);
        env.close();
        env = next;
    }

    /**
     * The next {@code n} transitions, in the order a collector publishes them (env 0..envs-1 of each step). Steps a
     * MuJoCo solver marks unstable are left out, as collections leave them out.
     */
    Transitions next(int n) {
        List<double[]> obs = new ArrayList<>(n);
        List<double[]> act = new ArrayList<>(n);
        List<double[]> next = new ArrayList<>(n);
        double[] rew = new double[n];
        int k = 0;
        while (k < n) {
            StepResult s = env.step(policy.act(current, step, random));
            current = env.observations();
            step++;
            for (int i = 0; i < envs && k < n; i++) {
                if (s.unstable()[i]) {
                    continue;
                }
                obs.add(s.obs()[i]);
                act.add(s.act()[i]);
                next.add(s.nextObs()[i]);
                rew[k++] = s.rew()[i];
            }
        }
        transitions += n;
        return new Transitions(obs.toArray(double[][]::new), act.toArray(double[][]::new), rew, next.toArray(double[][]::new));
    }

    @Override
    public void close() {
        env.close();
    }
}

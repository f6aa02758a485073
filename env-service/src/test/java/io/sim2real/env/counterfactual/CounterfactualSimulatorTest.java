package io.sim2real.env.counterfactual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.nn.calibration.CounterfactualDiscrepancy;
import io.sim2real.physics.halfcheetah.CounterfactualSimulator;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CounterfactualSimulatorTest {

    /** Random-action transitions of {@code envs} envs under {@code physics}: obs, act, next. */
    static double[][][] transitions(DomainPhysics physics, int steps, int envs, long seed) {
        List<double[]> obs = new ArrayList<>(), act = new ArrayList<>(), next = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(seed);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, envs, 1, seed)) {
            env.reset();
            for (int t = 0; t < steps; t++) {
                double[][] a = new double[envs][EnvSpec.HALF_CHEETAH.actDim()];
                for (double[] row : a) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = 2 * r.nextDouble() - 1;
                    }
                }
                StepResult s = env.step(a);
                for (int i = 0; i < envs; i++) {
                    if (!s.unstable()[i]) {
                        obs.add(s.obs()[i]);
                        act.add(s.act()[i]);
                        next.add(s.nextObs()[i]);
                    }
                }
            }
        }
        return new double[][][] {obs.toArray(double[][]::new), act.toArray(double[][]::new), next.toArray(double[][]::new)};
    }

    @Test
    void shouldPairIdenticalPhysicsUpToTheLostWarmStartAndTellGravityApart() {
        double[][][] same = transitions(DomainPhysics.neutral(), 100, 3, 7);
        double[][][] heavy = transitions(DomainPhysics.of(java.util.Map.of("gravity", 2.0)), 100, 3, 7);
        try (CounterfactualSimulator sim = new CounterfactualSimulator(16)) {
            CounterfactualSimulator.Pairs p = sim.pair(same[0], same[1], same[2]);
            assertEquals(same[0].length, p.size());
            assertEquals(0, p.skipped());
            double d = CounterfactualDiscrepancy.measure(p.obs(), p.realNextObs(), p.simNextObs()).mean();
            CounterfactualSimulator.Pairs q = sim.pair(heavy[0], heavy[1], heavy[2]);
            double g = CounterfactualDiscrepancy.measure(q.obs(), q.realNextObs(), q.simNextObs()).mean();
            System.out.printf("counterfactual discrepancy: identical physics %.3e, gravity x2 %.3e%n", d, g);
            assertTrue(d < 1e-9, "identical physics: " + d);
            assertTrue(g > 1e-3, "gravity x2: " + g);
        }
    }

    @Test
    void shouldLeaveOutRowsWhoseStateTheSimulatorCannotTake() {
        double[][][] t = transitions(DomainPhysics.neutral(), 4, 1, 3);
        double[][] obs = t[0].clone();
        obs[1] = obs[1].clone();
        obs[1][10] = 1e11; // beyond mjMAXVAL: MuJoCo would silently reset the state
        obs[2] = obs[2].clone();
        obs[2][12] = 1e8; // finite, but the step's accelerations blow up
        try (CounterfactualSimulator sim = new CounterfactualSimulator(3)) {
            CounterfactualSimulator.Pairs p = sim.pair(obs, t[1], t[2]);
            System.out.println("skipped " + p.skipped() + " of 4");
            assertEquals(2, p.skipped());
            assertArrayEquals(obs[0], p.obs()[0]);
            assertArrayEquals(obs[3], p.obs()[1]);
            assertArrayEquals(t[2][3], p.realNextObs()[1]);
        }
    }
}

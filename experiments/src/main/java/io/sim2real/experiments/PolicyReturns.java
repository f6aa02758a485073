package io.sim2real.experiments;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.experiments.report.Stats;
import io.sim2real.experiments.report.Table;
import io.sim2real.nn.ActorRunner;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.ArrayList;
import java.util.List;

/** A policy's return in whole HalfCheetah episodes of its mean action, in sim or under a perturbation. */
final class PolicyReturns {

    private PolicyReturns() {
    }

    /** One return per episode; one env per episode, seeds from {@code seed}, so the same call gives the same returns. */
    static List<Double> evaluate(PolicySnapshot policy, DomainPhysics physics, int episodes, long seed) {
        ActorRunner runner = new ActorRunner(policy);
        long[] seeds = new long[episodes];
        for (int i = 0; i < episodes; i++) {
            seeds[i] = seed + i;
        }
        double[] returns = new double[episodes];
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, seeds, 1)) {
            double[][] obs = env.reset();
            for (int t = 0; t < HalfCheetahEnv.MAX_EPISODE_STEPS; t++) {
                StepResult s = env.step(runner.act(obs, true, null));
                for (int i = 0; i < episodes; i++) {
                    returns[i] += s.rew()[i];
                }
                obs = env.observations();
            }
        }
        List<Double> out = new ArrayList<>();
        for (double r : returns) {
            out.add(r);
        }
        return out;
    }

    static DomainPhysics perturbed(String kind, double factor) {
        PerturbationKind k = PerturbationKind.fromWire(kind).orElseThrow(() -> new IllegalArgumentException(
                "unknown perturbation kind '" + kind + "'; known: gravity, torso_length, thigh_length"));
        return DomainPhysics.neutral().with(k, factor);
    }

    /**
     * The paper's Table 1 shape for one policy: a row per kind, its return in sim (×1.0) and under each factor. The sim
     * return is evaluated once and repeated on every row.
     */
    static Table transferTable(PolicySnapshot policy, List<String> kinds, List<Double> factors, int episodes, long seed) {
        List<String> header = new ArrayList<>(List.of("perturbation", "×1.0"));
        factors.forEach(f -> header.add("×" + f));
        Table table = new Table("Return of the trained policy under each perturbation", header);
        String sim = Stats.format(evaluate(policy, DomainPhysics.neutral(), episodes, seed), 1);
        for (String kind : kinds) {
            List<String> row = new ArrayList<>(List.of(kind, sim));
            for (double f : factors) {
                row.add(Stats.format(evaluate(policy, perturbed(kind, f), episodes, seed), 1));
            }
            table.add(row);
        }
        return table;
    }
}

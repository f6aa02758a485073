package io.sim2real.experiments;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.experiments.report.Stats;
import io.sim2real.nn.ActorRunner;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** The physics of one kind at one value; an unknown kind or a value out of its range is refused naming the options. */
    static DomainPhysics perturbed(String kind, double factor) {
        PerturbationKind k = PerturbationKind.fromWire(kind).orElseThrow(() -> new IllegalArgumentException(
                "--kinds: unknown perturbation kind '" + kind + "'; known: " + String.join(", ",
                        Arrays.stream(PerturbationKind.values()).map(PerturbationKind::wireName).toList())));
        try {
            return DomainPhysics.neutral().with(k, factor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--factors: " + e.getMessage(), e);
        }
    }

    /** Refuses, before any work, a kind or a kind's factor that {@link #perturbed} would refuse. */
    static void check(List<String> kinds, List<Double> factors) {
        if (kinds.isEmpty() || factors.isEmpty()) {
            throw new IllegalArgumentException("needs at least one of --kinds and one of --factors");
        }
        kinds.forEach(k -> factors.forEach(f -> perturbed(k, f)));
    }

    /** The header of a Table 1 row: the unperturbed simulator, then each factor. */
    static List<String> transferHeader(List<Double> factors) {
        List<String> header = new ArrayList<>(List.of("sim"));
        factors.forEach(f -> header.add("×" + f));
        return header;
    }

    /**
     * A policy's returns in sim and under each kind and factor, with the same episode seeds in every physics (the
     * paper's Table 1 shape).
     */
    record Transfer(List<Double> sim, Map<String, Map<Double, List<Double>>> real) {

        static Transfer measure(PolicySnapshot policy, List<String> kinds, List<Double> factors, int episodes, long seed) {
            check(kinds, factors);
            List<Double> sim = evaluate(policy, DomainPhysics.neutral(), episodes, seed);
            Map<String, Map<Double, List<Double>>> real = new LinkedHashMap<>();
            for (String kind : kinds) {
                for (double f : factors) {
                    real.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(f, evaluate(policy, perturbed(kind, f), episodes, seed));
                }
            }
            return new Transfer(sim, real);
        }

        /** The kind's row under {@link #transferHeader}: mean ± std over the episodes. */
        List<String> row(String kind) {
            List<String> row = new ArrayList<>(List.of(Stats.format(sim, 1)));
            real.get(kind).values().forEach(r -> row.add(Stats.format(r, 1)));
            return row;
        }
    }
}

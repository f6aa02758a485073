package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.datasets.DatasetException;
import io.sim2real.datasets.DatasetHeader;
import io.sim2real.datasets.DatasetWriter;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.StepResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code sim2real dataset}: an offline dataset (the {@code .s2rds} format of docs/DATASETS.md, the same file
 * env-service writes) collected in-process on MuJoCo by a behaviour policy in a domain's physics. With a saved
 * policy it makes datasets of known quality for {@code sim2real train --real-dataset} without a running stack.
 */
public final class DatasetCommand {

    static final Set<String> OPTIONS = Set.of("physics", "domain", "behaviour", "steps", "envs", "seed", "out");

    /** Most transitions in one dataset: a dataset is built in memory before its atomic write. */
    static final int MAX_STEPS = 2_000_000;

    private DatasetCommand() {
    }

    public static Path run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        Domain domain = Domain.fromWire(args.choice("domain", "real", java.util.Arrays.stream(Domain.values()).map(Domain::wireName).toList()));
        DomainPhysics physics = args.physics("physics", "");
        if (domain == Domain.SIM && !physics.changed().isEmpty()) {
            throw new IllegalArgumentException("--domain sim takes no --physics (the simulator is unperturbed)");
        }
        DataPolicy policy = args.behaviour("behaviour", "random");
        int steps = args.integer("steps", 5000, 1, MAX_STEPS);
        int envs = args.integer("envs", 8, 1, 1024);
        long seed = args.integer("seed", 1, 0, Integer.MAX_VALUE);
        if (!args.has("out")) {
            throw new IllegalArgumentException("--out FILE.s2rds is required");
        }
        Path file = Path.of(args.text("out", ""));
        DatasetHeader header = collect(domain, physics, policy, steps, envs, seed, file);
        out.printf("dataset %s: %d transitions of %s in %s (%s), seed %d, sha256 %s%n", file, header.transitions(),
                policy.wireName(), domain.wireName(), physics, seed, header.bodySha256());
        return file;
    }

    /** Collects {@code steps} transitions (unstable steps skipped) and writes them atomically to {@code file}. */
    static DatasetHeader collect(Domain domain, DomainPhysics physics, DataPolicy policy, int steps, int envs, long seed,
                                 Path file) throws DatasetException, java.io.IOException {
        DatasetWriter writer = new DatasetWriter(EnvSpec.HALF_CHEETAH, domain, policy.wireName()).physics(physics.changed())
                .seed(seed).description(steps + " steps of " + policy.wireName() + " in " + physics
                        + ", collected in-process by sim2real dataset");
        SplittableRandom random = new SplittableRandom(seed);
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, envs, 1, seed)) {
            double[][] obs = env.reset();
            for (long t = 0; writer.size() < steps; t++) {
                StepResult s = env.step(policy.act(obs, t, random));
                obs = env.observations();
                for (int i = 0; i < s.size() && writer.size() < steps; i++) {
                    if (!s.unstable()[i]) {
                        writer.append(s.episodeIds()[i], s.stepIndices()[i], s.obs()[i], s.act()[i], s.rew()[i],
                                s.nextObs()[i], false, s.truncated()[i]);
                    }
                }
            }
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        return writer.writeTo(file).header();
    }
}

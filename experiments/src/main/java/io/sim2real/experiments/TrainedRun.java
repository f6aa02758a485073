package io.sim2real.experiments;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.methods.MethodTraits;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a finished {@code sim2real train} run was, written next to its policy as {@code run.properties}: the method,
 * the seed, the budget, the real domain and data it trained on, the settings that make it a variant of its method
 * ({@code variant}: the real-start share, the anchor, mean latent predictions; empty for runs written before it existed)
 * and the whole command, so that {@code sim2real evaluate --runs} can group separate runs into the methods ×
 * perturbations table, variants apart.
 */
record TrainedRun(Path dir, String method, long seed, int envSteps, Map<String, Double> realPhysics, String realBehaviour,
                  String realDatasetSha256, String command, String variant) {

    static final String FILE = "run.properties";
    /** The behaviour sim2real dataset records for a saved policy: "policy FILE (vN, envStep M)". */
    private static final Pattern POLICY_BEHAVIOUR = Pattern.compile("policy (.+?)( \\(v.*)?");

    TrainedRun {
        realPhysics = Map.copyOf(realPhysics);
        variant = variant == null ? "" : variant;
    }

    TrainedRun(Path dir, String method, long seed, int envSteps, Map<String, Double> realPhysics, String realBehaviour,
               String realDatasetSha256, String command) {
        this(dir, method, seed, envSteps, realPhysics, realBehaviour, realDatasetSha256, command, "");
    }

    /** Whether the method sees only the simulator: every perturbation is then its "real" domain. */
    boolean simOnly() {
        try {
            return !MethodTraits.of(RunSpec.Method.fromWire(method)).usesRealData();
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /**
     * The method and, for methods that train on real data, the data's behaviour ("mbpo-mixed · random"): runs of one
     * label and real domain differ only by seed. A saved policy's behaviour is shortened to its file name.
     */
    String label() {
        if (simOnly()) {
            return method;
        }
        String behaviour = realBehaviour;
        Matcher policy = POLICY_BEHAVIOUR.matcher(behaviour);
        if (policy.matches()) {
            behaviour = "policy " + Path.of(policy.group(1)).getFileName();
        }
        return method + " · " + (behaviour.isBlank() ? "real data" : behaviour) + (variant.isBlank() ? "" : " · " + variant);
    }

    /** "gravity ×2.0" for one changed parameter, "sim" for none, the whole map otherwise. */
    String cell() {
        if (realPhysics.isEmpty()) {
            return "sim";
        }
        if (realPhysics.size() == 1) {
            Map.Entry<String, Double> e = realPhysics.entrySet().iterator().next();
            return e.getKey() + " ×" + e.getValue();
        }
        return new TreeMap<>(realPhysics).toString();
    }

    PolicySnapshot policy() {
        return PolicyFiles.read(dir.resolve("policy.json"), "run " + dir);
    }

    /**
     * The run's last {@code n} evaluated policies ({@code policies/step-<env step>.json}, the final one included), oldest
     * first; one MBPO policy swings by hundreds from one evaluation to the next, so a few of them say more about a
     * method than the last alone. With {@code n} = 1, the final policy.
     */
    List<PolicySnapshot> lastPolicies(int n) {
        if (n == 1) {
            return List.of(policy());
        }
        List<Path> steps;
        try (Stream<Path> files = Files.list(dir.resolve("policies"))) {
            steps = files.filter(f -> f.getFileName().toString().matches("step-[0-9]+\\.json"))
                    .sorted(java.util.Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString().replaceAll("\\D", ""))))
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--last " + n + ": run " + dir + " has no readable policies folder: " + e.getMessage(), e);
        }
        if (steps.size() < n) {
            throw new IllegalArgumentException("--last " + n + ": run " + dir + " saved only " + steps.size() + " policies");
        }
        return steps.subList(steps.size() - n, steps.size()).stream().map(f -> PolicyFiles.read(f, "run " + dir)).toList();
    }

    void write() throws IOException {
        Properties p = new Properties();
        p.setProperty("method", method);
        p.setProperty("seed", String.valueOf(seed));
        p.setProperty("env-steps", String.valueOf(envSteps));
        StringBuilder physics = new StringBuilder();
        new TreeMap<>(realPhysics).forEach((k, v) -> physics.append(physics.isEmpty() ? "" : ",").append(k).append('=').append(v));
        p.setProperty("real-physics", physics.toString());
        p.setProperty("real-behaviour", realBehaviour);
        p.setProperty("real-dataset-sha256", realDatasetSha256);
        p.setProperty("command", command);
        p.setProperty("variant", variant);
        try (Writer w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.store(w, "a finished sim2real train run (read by sim2real evaluate --runs)");
        }
    }

    static TrainedRun read(Path dir) {
        Path file = dir.resolve(FILE);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return new TrainedRun(dir, required(p, file, "method"), Long.parseLong(required(p, file, "seed")),
                    Integer.parseInt(required(p, file, "env-steps")), Args.namedNumbers("real-physics", p.getProperty("real-physics", "")),
                    p.getProperty("real-behaviour", ""), p.getProperty("real-dataset-sha256", ""), p.getProperty("command", ""),
                    p.getProperty("variant", ""));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--runs: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, Path file, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }

    /** The runs in each folder, each once: the folder itself if it is a run, else its sub-folders that are, by name. */
    static List<TrainedRun> find(List<String> folders) {
        Map<Path, TrainedRun> out = new LinkedHashMap<>();
        for (String f : folders) {
            Path dir = Path.of(f);
            List<Path> runs = new ArrayList<>();
            if (Files.isRegularFile(dir.resolve(FILE))) {
                runs.add(dir);
            } else if (Files.isDirectory(dir)) {
                try (Stream<Path> children = Files.list(dir)) {
                    children.filter(c -> Files.isRegularFile(c.resolve(FILE))).sorted().forEach(runs::add);
                } catch (IOException e) {
                    throw new IllegalArgumentException("--runs: cannot list " + dir + ": " + e.getMessage(), e);
                }
            } else {
                throw new IllegalArgumentException("--runs: " + dir + " is not a folder");
            }
            for (Path run : runs) {
                try {
                    out.putIfAbsent(run.toRealPath(), read(run));
                } catch (IOException e) {
                    throw new IllegalArgumentException("--runs: cannot resolve " + run + ": " + e.getMessage(), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--runs: no finished train run (a folder with " + FILE + ") in " + folders);
        }
        return List.copyOf(out.values());
    }
}

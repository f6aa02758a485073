package io.sim2real.experiments;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a {@code sim2real train} run was, written next to its policy as {@code run.properties}: the method, the seed,
 * the budget and the real domain it trained on (empty for methods that see only the simulator), so that
 * {@code sim2real evaluate --runs} can group separate runs into the methods × perturbations table.
 */
record TrainedRun(Path dir, String method, long seed, int envSteps, Map<String, Double> realPhysics, String realBehaviour) {

    static final String FILE = "run.properties";

    TrainedRun {
        realPhysics = Map.copyOf(realPhysics);
    }

    /** Whether the run trained on the simulator alone, so that every perturbation is its "real" domain. */
    boolean simOnly() {
        return realPhysics.isEmpty();
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
        java.util.regex.Matcher policy = java.util.regex.Pattern.compile("policy (.+?)( \\(v.*)?").matcher(behaviour);
        if (policy.matches()) {
            behaviour = "policy " + Path.of(policy.group(1)).getFileName();
        }
        return method + " · " + (behaviour.isBlank() ? "real data" : behaviour);
    }

    /** "gravity ×2.0" for one changed parameter; the whole map otherwise. */
    String cell() {
        return cellName(realPhysics);
    }

    static String cellName(Map<String, Double> physics) {
        if (physics.size() == 1) {
            Map.Entry<String, Double> e = physics.entrySet().iterator().next();
            return e.getKey() + " ×" + e.getValue();
        }
        return new TreeMap<>(physics).toString();
    }

    PolicySnapshot policy() {
        Path file = dir.resolve("policy.json");
        try {
            return Codecs.POLICY_SNAPSHOT.decode(Files.readAllBytes(file), EnvSpec.HALF_CHEETAH);
        } catch (IOException | InvalidRecordException | RuntimeException e) {
            throw new IllegalArgumentException(file + " is not a readable policy snapshot (an unfinished run?): " + e.getMessage(), e);
        }
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
        try (Writer w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.store(w, "sim2real train run (read by sim2real evaluate --runs)");
        }
    }

    static TrainedRun read(Path dir) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
            return new TrainedRun(dir, required(p, dir, "method"), Long.parseLong(required(p, dir, "seed")),
                    Integer.parseInt(required(p, dir, "env-steps")), Args.namedNumbers("real-physics", p.getProperty("real-physics", "")),
                    p.getProperty("real-behaviour", ""));
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("cannot read " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, Path dir, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(dir.resolve(FILE) + " has no " + key);
        }
        return v;
    }

    /** The runs in each folder: the folder itself if it is a run, else its sub-folders that are runs, by name. */
    static List<TrainedRun> find(List<String> folders) {
        List<TrainedRun> out = new ArrayList<>();
        for (String f : folders) {
            Path dir = Path.of(f);
            if (Files.isRegularFile(dir.resolve(FILE))) {
                out.add(read(dir));
                continue;
            }
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--runs: " + dir + " is not a folder");
            }
            try (Stream<Path> children = Files.list(dir)) {
                children.filter(c -> Files.isRegularFile(c.resolve(FILE))).sorted().forEach(c -> out.add(read(c)));
            } catch (IOException e) {
                throw new IllegalArgumentException("--runs: cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--runs: no train run (a folder with " + FILE + ") in " + folders);
        }
        return out;
    }

    DomainPhysics physics() {
        return DomainPhysics.of(realPhysics);
    }
}

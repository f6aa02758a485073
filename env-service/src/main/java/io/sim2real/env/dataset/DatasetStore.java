package io.sim2real.env.dataset;

import io.sim2real.training.acting.BehaviourPolicy;
import io.sim2real.training.acting.TransitionCollector;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.datasets.Dataset;
import io.sim2real.datasets.DatasetException;
import io.sim2real.datasets.DatasetHeader;
import io.sim2real.datasets.DatasetReader;
import io.sim2real.datasets.DatasetWriter;
import io.sim2real.datasets.JsonLinesImporter;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Offline datasets in a directory, one {@code NAME.s2rds} file each (format: docs/DATASETS.md): generated
 * here in a domain with a behaviour policy, saved from a run's published transitions, or imported from a
 * robot's JSON-lines log.
 */
public final class DatasetStore {

    public static final String EXTENSION = ".s2rds";
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** A stored dataset: its name and header. */
    public record Entry(String name, DatasetHeader header) {
    }

    private final Path directory;
    private final EnvSpec spec;

    public DatasetStore(Path directory, EnvSpec spec) {
        this.directory = directory;
        this.spec = spec;
    }

    public Path directory() {
        return directory;
    }

    /** Datasets whose header reads; a file with an unreadable header is listed nowhere but logged by callers. */
    public List<Entry> list() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(EXTENSION)).sorted().toList()) {
                try {
                    out.add(new Entry(nameOf(f), DatasetReader.readHeader(f)));
                } catch (DatasetException unreadable) {
                    // listed as absent; reading it by name reports the problem
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list datasets in " + directory, e);
        }
        return out;
    }

    public Optional<Path> find(String name) {
        Path file = file(name);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Collects {@code envSteps} transitions with the policy in the domain and stores them under {@code name}. */
    public DatasetHeader generate(String name, Domain domain, DomainPhysics physics, BehaviourPolicy policy,
                                  long envSteps, int numEnvs, long seed, int threads) throws DatasetException {
        file(name); // refuse a bad name before collecting
        DatasetWriter writer = new DatasetWriter(spec, domain, policy.name()).physics(physics.changed()).seed(seed)
                .description(envSteps + " steps of the " + policy.describe() + " in " + physics);
        List<DatasetException> failures = new ArrayList<>();
        try (HalfCheetahEnv env = new HalfCheetahEnv(physics, numEnvs, threads, seed)) {
            new TransitionCollector(env, policy, "dataset", domain, "dataset", 1000, envSteps, batch -> {
                try {
                    writer.append(batch);
                } catch (DatasetException e) {
                    failures.add(e);
                }
            }).collect(envSteps);
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return write(name, writer);
    }

    /** Stores what a writer holds under {@code name}. */
    public DatasetHeader write(String name, DatasetWriter writer) throws DatasetException {
        Path file = file(name);
        createDirectory();
        return writer.writeTo(file).header();
    }

    /** Imports a JSON-lines log (all lines valid, or nothing stored). */
    public DatasetHeader importJsonLines(String name, Reader lines) throws DatasetException {
        Dataset dataset = JsonLinesImporter.read(lines, spec, "import '" + name + "'");
        createDirectory();
        DatasetWriter.write(dataset, file(name));
        return dataset.header();
    }

    public Dataset read(String name) throws DatasetException {
        return DatasetReader.read(file(name), spec);
    }

    private void createDirectory() {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the dataset directory " + directory, e);
        }
    }

    private Path file(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("dataset name '" + name + "' must match " + NAME.pattern());
        }
        return directory.resolve(name + EXTENSION);
    }

    private static String nameOf(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - EXTENSION.length());
    }
}

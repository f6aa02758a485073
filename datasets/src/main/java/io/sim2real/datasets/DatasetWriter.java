package io.sim2real.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Collects transitions for one environment spec, checking each as it arrives, and makes a {@link Dataset}
 * of them or writes them to a {@code .s2rds} file. A rejected transition or batch leaves the writer as it
 * was. Not thread-safe.
 *
 * <pre>{@code
 * Dataset d = new DatasetWriter(EnvSpec.HALF_CHEETAH, Domain.SIM, "random").seed(7L)
 *         .append(batch)
 *         .writeTo(Path.of("halfcheetah-random.s2rds"));
 * }</pre>
 */
public final class DatasetWriter {

    private static final int BUFFER_BYTES = 1 << 16;

    private final EnvSpec spec;
    private final Domain domain;
    private final String behaviour;
    private Map<String, Double> physics = Map.of();
    private Long seed;
    private String description;
    private Long createdAtMs;
    private final List<Transition> rows = new ArrayList<>();

    /**
     * @param behaviour how the actions were chosen, e.g. "random", "scripted", "medium", "imported"
     */
    public DatasetWriter(EnvSpec spec, Domain domain, String behaviour) {
        if (spec == null || domain == null || behaviour == null || behaviour.isBlank()) {
            throw new IllegalArgumentException("spec, domain and a non-blank behaviour are required");
        }
        this.spec = spec;
        this.domain = domain;
        this.behaviour = behaviour;
    }

    /**
     * The perturbation factors the data was collected under, keyed by {@link PerturbationKind} wire name
     * (e.g. "gravity"). Checked against the kinds' ranges here, so a typo never reaches a file.
     */
    public DatasetWriter physics(Map<String, Double> factors) {
        for (Map.Entry<String, Double> e : factors.entrySet()) {
            PerturbationKind kind = PerturbationKind.fromWire(e.getKey()).orElseThrow(
                    () -> new IllegalArgumentException("unknown perturbation kind '" + e.getKey() + "'"));
            Double v = e.getValue();
            if (v == null || !(v >= kind.min() && v <= kind.max()) || (kind.integral() && v != Math.rint(v))) {
                throw new IllegalArgumentException("physics factor '" + e.getKey() + "' is " + v + ", must be "
                        + (kind.integral() ? "a whole number " : "") + "in [" + kind.min() + ", " + kind.max() + "]");
            }
        }
        this.physics = Map.copyOf(factors);
        return this;
    }

    /** The seed that generated the data, if any. */
    public DatasetWriter seed(Long seed) {
        this.seed = seed;
        return this;
    }

    public DatasetWriter description(String description) {
        this.description = description;
        return this;
    }

    /** Fixes the creation time (default: when {@link #toDataset()} is called), e.g. for reproducible files. */
    public DatasetWriter createdAtMs(long createdAtMs) {
        if (createdAtMs < 0) {
            throw new IllegalArgumentException("createdAtMs is " + createdAtMs + ", must be >= 0");
        }
        this.createdAtMs = createdAtMs;
        return this;
    }

    /** Appends a copy of {@code t}, if it fits the spec (dimensions, finite numbers, action bounds, step >= 0). */
    public DatasetWriter append(Transition t) throws DatasetException {
        // Copy first: callers often reuse their buffers for the next step.
        Transition copy = new Transition(t.episodeId(), t.step(), clone(t.obs()), clone(t.act()), t.rew(),
                clone(t.nextObs()), t.done(), t.truncated());
        String problem = copy.problem(spec).orElse(null);
        if (problem != null) {
            throw new DatasetException("transition " + rows.size() + " (episode " + t.episodeId() + ", step "
                    + t.step() + ") does not fit " + spec.name() + ": " + problem);
        }
        rows.add(copy);
        return this;
    }

    public DatasetWriter append(long episodeId, int step, double[] obs, double[] act, double rew, double[] nextObs,
            boolean done, boolean truncated) throws DatasetException {
        return append(new Transition(episodeId, step, obs, act, rew, nextObs, done, truncated));
    }

    /** Appends every row of a batch, or none of them: the batch is validated whole first. */
    public DatasetWriter append(TransitionBatch batch) throws DatasetException {
        try {
            batch.validate(spec);
        } catch (InvalidRecordException e) {
            throw new DatasetException("batch is not valid for " + spec.name() + ": " + e.getMessage(), e);
        }
        if (batch.domain() != domain) {
            throw new DatasetException("batch domain " + batch.domain().wireName() + " is not the dataset's domain "
                    + domain.wireName());
        }
        for (int i = 0; i < batch.size(); i++) {
            rows.add(new Transition(batch.episodeIds()[i], batch.stepIndices()[i], batch.obs()[i].clone(),
                    batch.act()[i].clone(), batch.rew()[i], batch.nextObs()[i].clone(), batch.done()[i],
                    batch.truncated() != null && batch.truncated()[i]));
        }
        return this;
    }

    /** Transitions appended so far. */
    public int size() {
        return rows.size();
    }

    /** The transitions appended so far as a dataset, with its header and body checksum. */
    public Dataset toDataset() throws DatasetException {
        int n = rows.size();
        if (n == 0) {
            throw new DatasetException("no transitions: a dataset needs at least one");
        }
        Columns columns = new Columns(n);
        for (int i = 0; i < n; i++) {
            columns.set(i, rows.get(i));
        }
        // The checksum goes in the header, which precedes the body: hash the body once here, without storing it.
        MessageDigest digest = DatasetFormat.sha256();
        try (DataOutputStream body = new DataOutputStream(new BufferedOutputStream(
                new DigestOutputStream(OutputStream.nullOutputStream(), digest), BUFFER_BYTES))) {
            for (Transition t : rows) {
                DatasetFormat.writeRecord(body, t.episodeId(), t.step(), t.obs(), t.act(), t.rew(), t.nextObs(), t.done(),
                        t.truncated());
            }
        } catch (IOException e) {
            throw new IllegalStateException("hashing in memory cannot fail", e);
        }
        DatasetHeader header = new DatasetHeader(DatasetFormat.NAME, DatasetFormat.VERSION, spec.name(), spec.obsDim(),
                spec.actDim(), n, domain, physics, behaviour, seed,
                createdAtMs != null ? createdAtMs : System.currentTimeMillis(), description,
                DatasetFormat.hex(digest.digest()));
        header.problem().ifPresent(p -> {
            throw new IllegalStateException("writer made an invalid header: " + p);
        });
        return columns.toDataset(header);
    }

    /** {@link #toDataset()}, then {@link #write(Dataset, Path)}. */
    public Dataset writeTo(Path file) throws DatasetException {
        Dataset dataset = toDataset();
        write(dataset, file);
        return dataset;
    }

    /**
     * Writes {@code dataset} to {@code file}, replacing any file of that name, atomically: the bytes go to a
     * temporary file in the same directory, are forced to disk, and only then renamed to {@code file}. A crash
     * at any point leaves either the old file or the complete new one under that name, never a partial one.
     */
    public static void write(Dataset dataset, Path file) throws DatasetException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        // Same directory, so the rename stays on one file system and can be atomic; hidden, so listings skip it.
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean moved = false;
        try {
            writeAndForce(dataset, tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new DatasetException(target + ": cannot write: " + e, e);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
    }

    private static void writeAndForce(Dataset dataset, Path tmp) throws IOException, DatasetException {
        DatasetHeader header = dataset.header();
        byte[] headerJson;
        try {
            headerJson = MessageCodec.MAPPER.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a dataset header: " + e.getOriginalMessage(), e);
        }
        // JSON escapes control characters inside strings, so the line holds no '\n' of its own.
        if (headerJson.length + 1 > DatasetFormat.MAX_HEADER_BYTES) {
            throw new DatasetException(tmp + ": header is " + (headerJson.length + 1) + " bytes, more than the "
                    + DatasetFormat.MAX_HEADER_BYTES + " allowed (is the description very long?)");
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            BufferedOutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
            out.write(headerJson);
            out.write('\n');
            MessageDigest digest = DatasetFormat.sha256();
            DataOutputStream body = new DataOutputStream(new DigestOutputStream(out, digest));
            for (int i = 0; i < dataset.size(); i++) {
                DatasetFormat.writeRecord(body, dataset.episodeIds[i], dataset.stepIndices[i], dataset.obs[i],
                        dataset.act[i], dataset.rew[i], dataset.nextObs[i], dataset.done[i], dataset.truncated[i]);
            }
            body.flush();
            // The header promised this checksum before the body was written; make sure the bytes keep it.
            String written = DatasetFormat.hex(digest.digest());
            if (!written.equals(header.bodySha256())) {
                throw new IllegalStateException("body hashes to " + written + " but the header says "
                        + header.bodySha256());
            }
            channel.force(true);
        }
    }

    /** Makes the rename itself durable. Some platforms cannot open a directory; there the OS decides. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupported) {
            // the data file itself is already on disk
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // nothing better to do: the temporary name never shadows a dataset
        }
    }

    private static double[] clone(double[] v) {
        return v == null ? null : v.clone();
    }
}

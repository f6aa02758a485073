package io.sim2real.datasets;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.sim2real.contracts.Domain;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a dataset file says about itself: the first line of a {@code .s2rds} file, as one JSON object
 * (docs/DATASETS.md). {@code seed} and {@code description} may be null; {@code physics} holds the
 * perturbation factors the data was collected under (empty when unknown or unperturbed, e.g. a real robot).
 */
@JsonPropertyOrder({"format", "formatVersion", "envName", "obsDim", "actDim", "transitions", "domain", "physics",
        "behaviour", "seed", "createdAtMs", "description", "bodySha256"})
public record DatasetHeader(
        String format,
        int formatVersion,
        String envName,
        int obsDim,
        int actDim,
        long transitions,
        Domain domain,
        Map<String, Double> physics,
        String behaviour,
        Long seed,
        long createdAtMs,
        String description,
        String bodySha256) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public DatasetHeader {
        // Sorted and unmodifiable: equal headers serialise identically, and nobody edits a read header.
        physics = physics == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(physics));
    }

    /** Bytes per transition in the body: 8 + 4 + 8 × (2·obsDim + actDim + 1) + 1. */
    public long recordSize() {
        return DatasetFormat.recordSize(obsDim, actDim);
    }

    /**
     * The first thing wrong with this header, or empty. Checked before the body is touched, so that a
     * file from another program or a newer version is refused for what it is.
     */
    public Optional<String> problem() {
        if (!DatasetFormat.NAME.equals(format)) {
            return Optional.of("not a sim2real dataset: format is " + quoted(format) + ", expected '"
                    + DatasetFormat.NAME + "'");
        }
        if (formatVersion != DatasetFormat.VERSION) {
            return Optional.of("format version " + formatVersion + " is not supported (this reader reads version "
                    + DatasetFormat.VERSION + ")");
        }
        if (envName == null || envName.isBlank()) {
            return Optional.of("envName is missing");
        }
        if (obsDim <= 0 || actDim <= 0) {
            return Optional.of("dimensions must be positive: obsDim " + obsDim + ", actDim " + actDim);
        }
        if (transitions < 1) {
            return Optional.of("transitions is " + transitions + ", must be >= 1");
        }
        if (domain == null) {
            return Optional.of("domain is missing");
        }
        for (Map.Entry<String, Double> e : physics.entrySet()) {
            if (e.getKey().isBlank() || e.getValue() == null || !Double.isFinite(e.getValue())) {
                return Optional.of("physics factor " + quoted(e.getKey()) + " is " + e.getValue()
                        + ", must be a finite number");
            }
        }
        if (behaviour == null || behaviour.isBlank()) {
            return Optional.of("behaviour is missing");
        }
        if (createdAtMs < 0) {
            return Optional.of("createdAtMs is " + createdAtMs + ", must be >= 0");
        }
        if (bodySha256 == null || !SHA256_HEX.matcher(bodySha256).matches()) {
            return Optional.of("bodySha256 is " + quoted(bodySha256) + ", expected 64 lower-case hex digits");
        }
        return Optional.empty();
    }

    private static String quoted(String s) {
        return s == null ? "missing" : "'" + s + "'";
    }
}

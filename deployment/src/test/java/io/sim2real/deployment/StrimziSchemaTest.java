package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Strimzi resource under k8s/ is valid against the CRDs of the Strimzi releases docs/DEPLOYMENT.md supports: their
 * {@code kafka.strimzi.io/v1} openAPIV3Schema, unchanged from upstream, in ../shared/schemas/strimzi-*
 * (packaging/install/cluster-operator/04x-Crd-*.yaml of strimzi/strimzi-kafka-operator at tags 1.0.0 and 0.51.0), and
 * the Kafka version is one both releases run. A deliberately broken copy of each resource is rejected.
 */
class StrimziSchemaTest {

    /** The Strimzi releases whose CRDs we validate against: the first that serves v1 beside v1beta2, and 1.0.0 (v1 only). */
    static final List<String> RELEASES = List.of("strimzi-0.51.0", "strimzi-1.0.0");
    /**
     * Kafka versions that every release of the supported range runs (Strimzi's kafka-versions.yaml: 0.51.x 4.1.x–4.2.0,
     * 1.0.x 4.1.x–4.2.0, 1.1.x 4.2.0–4.3.0); 4.2.0 is the one all three run.
     */
    static final Set<String> KAFKA_VERSIONS = Set.of("4.2.0");

    static Path schemas(String release) {
        return Repo.root().resolve("../shared/schemas").resolve(release).normalize();
    }

    /** Every YAML document under k8s/ (kustomization files excluded) whose apiVersion is Strimzi's, by file. */
    static Map<String, List<JsonNode>> strimziResources() {
        Map<String, List<JsonNode>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Repo.file("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")
                    && !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = Repo.YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode d = docs.next();
                        if (d != null && d.path("apiVersion").asText().startsWith("kafka.strimzi.io/")) {
                            out.computeIfAbsent(Repo.root().relativize(f).toString(), k -> new ArrayList<>()).add(d);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<JsonNode> all() {
        return strimziResources().values().stream().flatMap(List::stream).toList();
    }

    @Test
    void shouldValidateEveryStrimziResourceAgainstTheCrdsOfEverySupportedRelease() {
        Set<String> kinds = new TreeSet<>();
        all().forEach(r -> kinds.add(r.path("kind").asText()));
        assertTrue(kinds.containsAll(Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")), kinds.toString());
        int checked = 0;
        for (String release : RELEASES) {
            CrdSchemas crds = CrdSchemas.load(schemas(release));
            assertTrue(crds.kinds().containsAll(kinds), release + " has CRDs for " + crds.kinds());
            List<String> errors = new ArrayList<>();
            for (Map.Entry<String, List<JsonNode>> file : strimziResources().entrySet()) {
                for (JsonNode r : file.getValue()) {
                    assertEquals("kafka.strimzi.io/v1", r.path("apiVersion").asText(), file.getKey());
                    crds.validate(r).forEach(e -> errors.add(file.getKey() + ": " + e));
                    checked++;
                }
            }
            assertTrue(errors.isEmpty(), release + ": " + errors.size() + " schema errors:\n" + String.join("\n", errors));
        }
        assertTrue(checked >= 2 * 3, "validated " + checked);
    }

    @Test
    void shouldRunAKafkaVersionEverySupportedStrimziReleaseRuns() {
        for (JsonNode kafka : all().stream().filter(r -> r.path("kind").asText().equals("Kafka")).toList()) {
            String version = kafka.path("spec").path("kafka").path("version").asText();
            assertTrue(KAFKA_VERSIONS.contains(version), "Kafka " + version + " is not run by all of " + RELEASES);
            String metadata = kafka.path("spec").path("kafka").path("metadataVersion").asText(null);
            if (metadata != null) {
                assertTrue(version.startsWith(metadata.replaceFirst("-IV\\d+$", "")), metadata + " is not " + version + "'s");
            }
        }
    }

    @Test
    void shouldRejectDeliberatelyBrokenCopies() {
        CrdSchemas v1only = CrdSchemas.load(schemas("strimzi-1.0.0"));
        Map<String, JsonNode> byKind = new TreeMap<>();
        all().forEach(r -> byKind.putIfAbsent(r.path("kind").asText(), r));
        for (JsonNode original : byKind.values()) {
            assertEquals(List.of(), v1only.validate(original));
            String kind = original.path("kind").asText();
            broken(v1only, original, "v1beta2, which 1.0.0 no longer serves", r -> r.put("apiVersion", "kafka.strimzi.io/v1beta2"));
            broken(v1only, original, "an unknown field in spec", r -> ((ObjectNode) r.path("spec")).put("replicaz", 3));
            broken(v1only, original, "spec removed", r -> r.remove("spec"));
            broken(v1only, original, "an unknown metadata field", r -> ((ObjectNode) r.path("metadata")).put("nmae", "x"));
            switch (kind) {
                case "KafkaTopic" -> {
                    broken(v1only, original, "partitions as a word", r -> ((ObjectNode) r.path("spec")).put("partitions", "six"));
                    broken(v1only, original, "zero partitions", r -> ((ObjectNode) r.path("spec")).put("partitions", 0));
                }
                case "KafkaNodePool" -> {
                    broken(v1only, original, "no roles", r -> ((ObjectNode) r.path("spec")).remove("roles"));
                    broken(v1only, original, "an unknown role", r -> ((ArrayNode) r.path("spec").path("roles")).add("zookeeper"));
                    broken(v1only, original, "an unknown storage type", r -> ((ObjectNode) r.path("spec").path("storage"))
                            .put("type", "tape"));
                }
                case "Kafka" -> {
                    broken(v1only, original, "an unknown listener type", r -> ((ObjectNode) r.path("spec").path("kafka")
                            .path("listeners").get(0)).put("type", "carrier-pigeon"));
                    broken(v1only, original, "v1beta2's spec.kafka.replicas", r -> ((ObjectNode) r.path("spec").path("kafka"))
                            .put("replicas", 3));
                    broken(v1only, original, "a ZooKeeper section", r -> ((ObjectNode) r.path("spec")).putObject("zookeeper")
                            .put("replicas", 3));
                }
                case "KafkaUser" -> {
                    broken(v1only, original, "an operation Kafka does not have", r -> ((ArrayNode) r.path("spec").path("authorization")
                            .path("acls").get(0).path("operations")).add("Publish"));
                    broken(v1only, original, "SCRAM-SHA-256, which Strimzi does not offer", r -> ((ObjectNode) r.path("spec")
                            .path("authentication")).put("type", "scram-sha-256"));
                    broken(v1only, original, "an ACL without its resource", r -> ((ObjectNode) r.path("spec").path("authorization")
                            .path("acls").get(0)).remove("resource"));
                    broken(v1only, original, "v1beta2's singular operation", r -> ((ObjectNode) r.path("spec").path("authorization")
                            .path("acls").get(0)).put("operation", "Read"));
                }
                default -> {
                }
            }
        }
        assertTrue(byKind.keySet().containsAll(Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")), byKind.keySet().toString());
    }

    private static void broken(CrdSchemas crds, JsonNode original, String what, Consumer<ObjectNode> change) {
        ObjectNode copy = original.deepCopy();
        change.accept(copy);
        List<String> errors = crds.validate(copy);
        assertFalse(errors.isEmpty(), original.path("kind").asText() + " with " + what + " passed validation");
    }
}

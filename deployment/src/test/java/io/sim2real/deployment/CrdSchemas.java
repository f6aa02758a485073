package io.sim2real.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Validates custom resources against the {@code openAPIV3Schema} of the CustomResourceDefinitions that serve them, the
 * way the API server does with strict field validation ({@code kubectl apply --validate=strict}): the served
 * group/version and kind, types (with {@code x-kubernetes-int-or-string}), unknown fields rejected unless the schema
 * says {@code additionalProperties} or {@code x-kubernetes-preserve-unknown-fields}, {@code required}, {@code enum},
 * {@code pattern}, bounds, {@code oneOf}/{@code anyOf}/{@code allOf}/{@code not}, and the metadata fields a manifest may set.
 * CEL rules ({@code x-kubernetes-validations}) are not evaluated: a resource that reaches one is reported, so that
 * whoever adds such a field has to look at the rule (the Strimzi 1.0.0 CRDs have three, on rack awareness and metrics
 * configuration, which our manifests do not use).
 */
final class CrdSchemas {

    /** kind → (apiVersion group/version → schema) of every served version. */
    private final Map<String, Map<String, JsonNode>> served = new TreeMap<>();
    final String source;

    private CrdSchemas(String source) {
        this.source = source;
    }

    /** The CRDs in a folder's *.yaml files (other documents in them are ignored). */
    static CrdSchemas load(Path dir) {
        // The schemas live beside the repository (../shared/schemas), not in it: a clone without them skips these
        // checks, saying so, rather than failing a build that cannot see them.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "CRD schemas not found at "
                + dir.toAbsolutePath().normalize() + " (the shared/ folder beside the repository, ../shared/schemas/README.md)");
        CrdSchemas out = new CrdSchemas(dir.getFileName().toString());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = Repo.YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode crd = docs.next();
                        if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                            continue;
                        }
                        String group = crd.path("spec").path("group").asText();
                        String kind = crd.path("spec").path("names").path("kind").asText();
                        for (JsonNode v : crd.path("spec").path("versions")) {
                            if (v.path("served").asBoolean()) {
                                out.served.computeIfAbsent(kind, k -> new TreeMap<>()).put(group + "/" + v.path("name").asText(),
                                        v.path("schema").path("openAPIV3Schema"));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.served.isEmpty()) {
            throw new AssertionError("no CustomResourceDefinition in " + dir);
        }
        return out;
    }

    Set<String> kinds() {
        return served.keySet();
    }

    Set<String> servedVersions(String kind) {
        return served.getOrDefault(kind, Map.of()).keySet();
    }

    /** Every error of one resource; empty when the API server would accept it. */
    List<String> validate(JsonNode resource) {
        List<String> errors = new ArrayList<>();
        String kind = resource.path("kind").asText();
        String apiVersion = resource.path("apiVersion").asText();
        String where = kind + " " + resource.path("metadata").path("name").asText();
        Map<String, JsonNode> versions = served.get(kind);
        if (versions == null) {
            errors.add(where + ": no CRD for kind " + kind + " in " + source);
            return errors;
        }
        JsonNode schema = versions.get(apiVersion);
        if (schema == null) {
            errors.add(where + ": " + apiVersion + " is not served by " + source + " (served: " + versions.keySet() + ")");
            return errors;
        }
        metadata(resource.path("metadata"), errors);
        // The API server handles apiVersion, kind and metadata itself; the schema covers the rest.
        Iterator<Map.Entry<String, JsonNode>> fields = resource.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (Set.of("apiVersion", "kind", "metadata").contains(e.getKey())) {
                continue;
            }
            JsonNode property = schema.path("properties").path(e.getKey());
            if (property.isMissingNode()) {
                errors.add("." + e.getKey() + ": unknown field");
            } else {
                check(e.getValue(), property, "." + e.getKey(), true, errors);
            }
        }
        for (JsonNode r : schema.path("required")) {
            if (!resource.has(r.asText())) {
                errors.add("." + r.asText() + ": required");
            }
        }
        errors.replaceAll(m -> m.startsWith(where) ? m : where + " " + m);
        return errors;
    }

    private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static void metadata(JsonNode meta, List<String> errors) {
        if (!meta.isObject()) {
            errors.add(".metadata: required");
            return;
        }
        meta.fieldNames().forEachRemaining(f -> {
            if (!METADATA.contains(f)) {
                errors.add(".metadata." + f + ": not a field a manifest sets");
            }
        });
        String name = meta.path("name").asText();
        if (name.isEmpty() || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            errors.add(".metadata.name: " + name + " is not a DNS subdomain");
        }
        for (String map : List.of("labels", "annotations")) {
            meta.path(map).fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    errors.add(".metadata." + map + "." + e.getKey() + ": must be a string");
                }
            });
        }
    }

    /**
     * @param structural whether unknown fields are errors here: true on the schema's own tree, false inside
     *                   {@code oneOf}/{@code anyOf}/{@code allOf}/{@code not}, which only constrain values
     */
    private static void check(JsonNode value, JsonNode schema, String path, boolean structural, List<String> errors) {
        if (schema.has("x-kubernetes-validations") && structural) {
            schema.path("x-kubernetes-validations").forEach(r -> errors.add(path + ": CEL rule not evaluated by this test: "
                    + r.path("rule").asText()));
        }
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean()) {
                errors.add(path + ": null");
            }
            return;
        }
        boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean();
        String type = schema.path("type").asText("");
        if (intOrString) {
            if (!(value.isTextual() || value.isIntegralNumber())) {
                errors.add(path + ": must be an integer or a string, is " + value.getNodeType());
            }
        } else if (!type.isEmpty() && !typeMatches(value, type)) {
            errors.add(path + ": must be " + type + ", is " + value.getNodeType() + " (" + value + ")");
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.path("enum")) {
                found |= e.equals(value) || (e.isNumber() && value.isNumber() && e.decimalValue().compareTo(value.decimalValue()) == 0);
            }
            if (!found) {
                errors.add(path + ": " + value + " is not one of " + schema.path("enum"));
            }
        }
        if (value.isTextual()) {
            String s = value.asText();
            if (schema.has("pattern") && !Pattern.compile(schema.path("pattern").asText()).matcher(s).find()) {
                errors.add(path + ": " + s + " does not match " + schema.path("pattern").asText());
            }
            if (schema.has("minLength") && s.length() < schema.path("minLength").asInt()) {
                errors.add(path + ": shorter than " + schema.path("minLength").asInt());
            }
            if (schema.has("maxLength") && s.length() > schema.path("maxLength").asInt()) {
                errors.add(path + ": longer than " + schema.path("maxLength").asInt());
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum")) {
                int c = value.decimalValue().compareTo(schema.path("minimum").decimalValue());
                if (c < 0 || (c == 0 && schema.path("exclusiveMinimum").asBoolean())) {
                    errors.add(path + ": " + value + " is below the minimum " + schema.path("minimum"));
                }
            }
            if (schema.has("maximum")) {
                int c = value.decimalValue().compareTo(schema.path("maximum").decimalValue());
                if (c > 0 || (c == 0 && schema.path("exclusiveMaximum").asBoolean())) {
                    errors.add(path + ": " + value + " is above the maximum " + schema.path("maximum"));
                }
            }
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
            value.fields().forEachRemaining(e -> {
                String p = path + "." + e.getKey();
                if (properties.has(e.getKey())) {
                    check(e.getValue(), properties.path(e.getKey()), p, structural, errors);
                } else if (additional.isObject()) {
                    check(e.getValue(), additional, p, structural, errors);
                } else if (structural && !preserve && !additional.asBoolean(false)) {
                    errors.add(p + ": unknown field");
                }
            });
            for (JsonNode r : schema.path("required")) {
                if (!value.has(r.asText())) {
                    errors.add(path + "." + r.asText() + ": required");
                }
            }
            if (schema.has("minProperties") && value.size() < schema.path("minProperties").asInt()) {
                errors.add(path + ": fewer than " + schema.path("minProperties").asInt() + " properties");
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.path("minItems").asInt()) {
                errors.add(path + ": fewer than " + schema.path("minItems").asInt() + " items");
            }
            if (schema.has("maxItems") && value.size() > schema.path("maxItems").asInt()) {
                errors.add(path + ": more than " + schema.path("maxItems").asInt() + " items");
            }
            for (int i = 0; i < value.size(); i++) {
                if (schema.has("items")) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", structural, errors);
                }
            }
        }
        if (schema.has("oneOf")) {
            int matching = 0;
            for (JsonNode branch : schema.path("oneOf")) {
                matching += branchErrors(value, branch, path).isEmpty() ? 1 : 0;
            }
            if (matching != 1) {
                errors.add(path + ": matches " + matching + " of oneOf " + schema.path("oneOf") + ", not exactly one");
            }
        }
        if (schema.has("anyOf")) {
            boolean any = false;
            for (JsonNode branch : schema.path("anyOf")) {
                any |= branchErrors(value, branch, path).isEmpty();
            }
            if (!any) {
                errors.add(path + ": matches none of anyOf " + schema.path("anyOf"));
            }
        }
        for (JsonNode branch : schema.path("allOf")) {
            errors.addAll(branchErrors(value, branch, path));
        }
        if (schema.has("not") && branchErrors(value, schema.path("not"), path).isEmpty()) {
            errors.add(path + ": matches not " + schema.path("not"));
        }
    }

    private static List<String> branchErrors(JsonNode value, JsonNode branch, String path) {
        List<String> e = new ArrayList<>();
        check(value, branch, path, false, e);
        return e;
    }

    private static boolean typeMatches(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> throw new IllegalArgumentException("schema type " + type);
        };
    }
}

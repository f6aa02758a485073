package io.sim2real.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sim2real.contracts.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository's files as the deployment tests read them: service configuration, manifests, dashboards. */
final class Repo {

    /** The four services and their modules; their HTTP ports come from their application.properties. */
    static final List<String> SERVICES = List.of("env-service", "model-service", "policy-service", "metrics-service");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    private Repo() {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("deploy")) && Files.isDirectory(dir.resolve("k8s"))
                    && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("repository root (with deploy/ and k8s/) not found above " + Path.of("").toAbsolutePath());
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String relative) {
        try {
            return JSON.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A service's configuration as it runs in production: service-common's shared defaults overridden by its
     * application.properties, without profile-specific ({@code %test.}) keys, and with the
     * {@code sim2real.topic.*} names and the {@code sim2real.kafka.max-record-bytes} limit that service-common derives
     * from {@link Topics}, references resolved.
     */
    static Map<String, String> config(String service) {
        Map<String, String> out = new HashMap<>();
        for (Topics.TopicSpec t : Topics.DATA_TOPICS) {
            out.put("sim2real.topic." + t.configKey(), t.name());
            out.put("sim2real.topic." + t.configKey() + ".dlq", Topics.deadLetterOf(t.name()));
        }
        out.put("sim2real.kafka.max-record-bytes", String.valueOf(Topics.MAX_RECORD_BYTES));
        load(out, file("service-common/src/main/resources/META-INF/microprofile-config.properties"));
        load(out, file(service + "/src/main/resources/application.properties"));
        out.keySet().removeIf(k -> k.startsWith("%"));
        out.replaceAll((k, v) -> resolve(out, v));
        return out;
    }

    private static void load(Map<String, String> into, Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        p.forEach((k, v) -> into.put(k.toString(), v.toString()));
    }

    private static final Pattern REF = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");

    /** Resolves ${key} references (one level deep is all the services use). */
    static String resolve(Map<String, String> config, String value) {
        Matcher m = REF.matcher(value);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = config.get(m.group(1));
            m.appendReplacement(b, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(b);
        return b.toString();
    }

    static int httpPort(String service) {
        return Integer.parseInt(config(service).get("quarkus.http.port"));
    }

    /** Topics a service's channels read, write or dead-letter to. */
    static Set<String> topics(String service) {
        Map<String, String> c = config(service);
        Set<String> topics = new TreeSet<>();
        c.forEach((k, v) -> {
            if (k.startsWith("mp.messaging.") && (k.endsWith(".topic"))) {
                topics.add(resolve(c, v));
            }
        });
        return topics;
    }

    /**
     * Every configuration key a service can be given: the keys of its properties files and the names in
     * {@code @ConfigProperty(name = "...")} and {@code @ConfigMapping(prefix = "...")} members of its and
     * service-common's sources (a mapping's members are in application.properties too).
     */
    static Set<String> knownKeys(String service) {
        Set<String> keys = new TreeSet<>(config(service).keySet());
        Pattern property = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"");
        for (String module : List.of(service, "service-common")) {
            try (Stream<Path> files = Files.walk(file(module + "/src/main/java"))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    Matcher m = property.matcher(readPath(f));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keys;
    }

    private static String readPath(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment variable that SmallRye Config maps onto a key (non-alphanumerics to _, upper case). */
    static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Whether an environment variable sets one of the service's configuration keys. */
    static boolean isConfigEnv(String service, String env) {
        return knownKeys(service).stream().anyMatch(k -> envName(k).equals(env)) || isKafkaClientEnv(env);
    }

    /**
     * Whether an environment variable is a Kafka client property as Quarkus hands it to every Kafka client (its
     * KafkaRuntimeConfigProducer turns {@code KAFKA_SASL_JAAS_CONFIG} into {@code sasl.jaas.config}: the rest after
     * {@code KAFKA_}, lower case, {@code _} to {@code .}): the name must be one the Kafka clients define.
     */
    static boolean isKafkaClientEnv(String env) {
        if (!env.startsWith("KAFKA_")) {
            return false;
        }
        String property = env.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
        return org.apache.kafka.clients.producer.ProducerConfig.configNames().contains(property)
                && org.apache.kafka.clients.consumer.ConsumerConfig.configNames().contains(property);
    }
}

package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.function.Consumer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is valid against the Compose Specification's JSON schema (../shared/schemas/compose-spec/, upstream's
 * schema/compose-spec.json unchanged), starts in order on healthchecks, and agrees with the services' configuration,
 * their Dockerfiles, Prometheus and Grafana.
 */
class DockerComposeTest {

    static final JsonNode COMPOSE = Repo.yaml("docker-compose.yml");

    static JsonNode service(String name) {
        JsonNode s = COMPOSE.path("services").path(name);
        assertTrue(s.isObject(), "compose service " + name);
        return s;
    }

    static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new TreeMap<>();
        service.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    @Test
    void shouldRunKafkaInKRaftModeAndPointEveryServiceAtIt() {
        Map<String, String> kafka = environment(service("kafka"));
        assertTrue(kafka.get("KAFKA_PROCESS_ROLES").contains("controller"), "KRaft: the broker is its own controller");
        assertTrue(kafka.get("KAFKA_PROCESS_ROLES").contains("broker"));
        // Every listener has a protocol; the services use the inter-broker one, on the compose network.
        Map<String, String> advertisedByName = listeners(kafka.get("KAFKA_ADVERTISED_LISTENERS"));
        Map<String, String> protocols = listeners(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").replace(":", "://"));
        assertEquals(protocols.keySet(), listeners(kafka.get("KAFKA_LISTENERS")).keySet(), "a protocol for each listener");
        String advertised = advertisedByName.get(kafka.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
        assertEquals("kafka:9092", advertised, "the services' listener is advertised by the compose name");
        long maxMessage = Long.parseLong(kafka.get("KAFKA_MESSAGE_MAX_BYTES"));
        assertEquals(io.sim2real.contracts.Topics.MAX_RECORD_BYTES, maxMessage, "the broker's limit is Topics.MAX_RECORD_BYTES");
        for (String name : Repo.SERVICES) {
            JsonNode s = service(name);
            assertEquals(advertised, environment(s).get("KAFKA_BOOTSTRAP_SERVERS"), name);
            assertEquals("service_healthy", s.path("depends_on").path("kafka").path("condition").asText(), name);
            Repo.config(name).forEach((k, v) -> {
                if (k.endsWith(".max.request.size")) {
                    assertTrue(Long.parseLong(v) <= maxMessage, name + " " + k);
                }
            });
        }
    }

    /** {@code NAME://host:port,...} to name -> host:port. */
    static Map<String, String> listeners(String list) {
        Map<String, String> out = new TreeMap<>();
        for (String l : list.split(",")) {
            String[] parts = l.split("://", 2);
            out.put(parts[0], parts[1]);
        }
        return out;
    }

    /**
     * Clients on the Docker host (bin/run-local --attach, bin/sim2real) reach Kafka on a listener of its own, published on
     * loopback only (plaintext without users) at the port it advertises, which is bin/run-local's Kafka port variable.
     */
    @Test
    void shouldPublishKafkaToTheHostOnLoopbackAtTheAddressItAdvertises() {
        JsonNode kafka = service("kafka");
        Map<String, String> advertised = listeners(environment(kafka).get("KAFKA_ADVERTISED_LISTENERS"));
        String host = advertised.get("HOST");
        assertEquals("127.0.0.1:${SIM2REAL_KAFKA_PORT:-" + RUN_LOCAL_PORTS.get("kafka") + "}", host);
        int containerPort = Integer.parseInt(listeners(environment(kafka).get("KAFKA_LISTENERS")).get("HOST").replaceFirst("^.*:", ""));
        assertEquals(1, kafka.path("ports").size(), kafka.path("ports").toString());
        assertEquals(host + ":" + containerPort, kafka.path("ports").get(0).asText(), "published where it is advertised, on loopback");
    }

    /** bin/run-local's port variables and defaults (its {@code "${SIM2REAL_X_PORT:-8081}"}), by service; "kafka" too. */
    static final Map<String, Integer> RUN_LOCAL_PORTS = new TreeMap<>();
    static final Map<String, String> RUN_LOCAL_PORT_VARIABLES = new TreeMap<>();

    static {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?:\\[([a-z-]+)\\]=|([A-Z]+)_PORT=)\"\\$\\{(SIM2REAL_[A-Z]+_PORT):-(\\d+)\\}\"")
                .matcher(Repo.read("bin/run-local"));
        while (m.find()) {
            String key = m.group(1) != null ? m.group(1) : m.group(2).toLowerCase(java.util.Locale.ROOT);
            RUN_LOCAL_PORTS.put(key, Integer.parseInt(m.group(4)));
            RUN_LOCAL_PORT_VARIABLES.put(key, m.group(3));
        }
    }

    @Test
    void shouldKeepTheBrokersDataOnItsVolume() {
        JsonNode kafka = service("kafka");
        String logDirs = environment(kafka).get("KAFKA_LOG_DIRS");
        assertTrue(logDirs != null && !logDirs.isBlank(),
                "KAFKA_LOG_DIRS unset: the apache/kafka image then writes to /tmp/kraft-combined-logs, off the volume");
        Map<String, String> namedVolumes = new TreeMap<>();
        for (JsonNode v : kafka.path("volumes")) {
            String[] parts = v.asText().split(":");
            namedVolumes.put(parts[1], parts[0]);
        }
        for (String dir : logDirs.split(",")) {
            String mountedFrom = namedVolumes.entrySet().stream()
                    .filter(e -> dir.equals(e.getKey()) || dir.startsWith(e.getKey() + "/"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            assertTrue(mountedFrom != null, "log dir " + dir + " is on no mounted volume: " + namedVolumes);
            assertTrue(COMPOSE.path("volumes").has(mountedFrom),
                    "log dir " + dir + " is on " + mountedFrom + ", which is no named volume of the compose file");
        }
    }

    @Test
    void shouldPublishEachServicesOwnPortAndSetOnlyItsConfiguration() throws Exception {
        for (String name : Repo.SERVICES) {
            JsonNode s = service(name);
            int port = Repo.httpPort(name);
            // Published at bin/run-local's port for the service (its variable and default), so that bin/run-local --attach
            // finds a compose stack started with the same variables (bin/images compose).
            assertEquals(port, RUN_LOCAL_PORTS.get(name), "bin/run-local's default port of " + name);
            assertEquals("${" + RUN_LOCAL_PORT_VARIABLES.get(name) + ":-" + port + "}:" + port, s.path("ports").get(0).asText(), name);
            Map<String, String> env = environment(s);
            assertEquals("0.0.0.0", env.get("QUARKUS_HTTP_HOST"), name + " listens beyond loopback in a container");
            for (String e : env.keySet()) {
                assertTrue(KubernetesManifestsTest.PROCESS_ENV.contains(e) || Repo.isConfigEnv(name, e),
                        name + ": " + e + " sets no configuration key the service has");
            }
            // Volumes hold the directories the service writes to.
            env.forEach((k, v) -> {
                if (k.endsWith("_DIR")) {
                    boolean mounted = false;
                    for (JsonNode vol : s.path("volumes")) {
                        mounted |= v.startsWith(vol.asText().split(":")[1]);
                    }
                    assertTrue(mounted, name + " " + k);
                }
            });
            // The JVM-mode Dockerfile packs the fast-jar the Maven build made (its context) and exposes its port;
            // ContainerImagesTest checks that no Maven build runs inside it.
            String context = s.path("build").path("context").asText();
            assertEquals(name + "/target/quarkus-app", context);
            Path dockerfile = Repo.file(context).resolve(s.path("build").path("dockerfile").asText()).normalize();
            assertEquals(Repo.file("deploy/docker/" + name + ".Dockerfile"), dockerfile, name + ": the dockerfile, relative to the context");
            String text = Files.readString(dockerfile);
            assertTrue(text.contains("COPY --chown=185 quarkus/ quarkus/"), dockerfile.toString());
            assertTrue(text.contains("EXPOSE " + port), dockerfile.toString());
            assertTrue(text.contains("/q/health/ready"), dockerfile.toString());
        }
    }

    @Test
    void shouldScrapeEveryServiceWithPrometheusAndProvisionTheDashboard() {
        JsonNode prometheus = service("prometheus");
        String mount = prometheus.path("volumes").get(0).asText();
        assertEquals("./deploy/prometheus:/etc/prometheus:ro", mount);
        JsonNode config = Repo.yaml("deploy/prometheus/prometheus.yml");
        assertEquals("alerts.yml", config.path("rule_files").get(0).asText());
        Map<String, String> targets = new TreeMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            assertEquals("/q/metrics", job.path("metrics_path").asText());
            targets.put(job.path("job_name").asText(), job.path("static_configs").get(0).path("targets").get(0).asText());
        }
        Map<String, String> expected = new TreeMap<>();
        for (String name : Repo.SERVICES) {
            expected.put(name, name + ":" + Repo.httpPort(name));
        }
        assertEquals(expected, targets, "one job per service, named as the service (as in k8s)");

        JsonNode grafana = service("grafana");
        Set<String> volumes = new TreeSet<>();
        grafana.path("volumes").forEach(v -> volumes.add(v.asText()));
        JsonNode provider = Repo.yaml("deploy/grafana/provisioning/dashboards/sim2real.yml").path("providers").get(0);
        String dashboardsDir = provider.path("options").path("path").asText();
        assertTrue(volumes.contains("./deploy/grafana/dashboards:" + dashboardsDir + ":ro"), volumes.toString());
        assertTrue(volumes.contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro"), volumes.toString());
        assertTrue(Files.exists(Repo.file(DashboardAndAlertsTest.DASHBOARD)));
        JsonNode datasource = Repo.yaml("deploy/grafana/provisioning/datasources/prometheus.yml").path("datasources").get(0);
        assertEquals("${" + RUN_LOCAL_PORT_VARIABLES.get("prometheus") + ":-9090}:9090", prometheus.path("ports").get(0).asText());
        assertEquals("http://prometheus:" + prometheus.path("ports").get(0).asText().replaceFirst("^.*:", ""), datasource.path("url").asText());
        assertEquals(Repo.json(DashboardAndAlertsTest.DASHBOARD).path("templating").path("list").get(0).path("current")
                .path("value").asText(), datasource.path("uid").asText(), "the dashboard's default data source is the provisioned one");
    }

    /**
     * The Compose Specification's schema (draft-07). Its {@code format: duration} means Go's durations ({@code 10s}),
     * not JSON Schema's ISO 8601 ones, so formats are not asserted; {@link #shouldStartInOrderOnHealthchecks} checks
     * the durations this file uses.
     */
    static JsonSchema composeSchema() throws Exception {
        Path file = Repo.root().resolve("../shared/schemas/compose-spec/compose-spec.json").normalize();
        JsonNode schema = Repo.JSON.readTree(file.toFile());
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(false).build();
        // Retrieved from its file, so that its relative $id (compose_spec.json) resolves against the file's URI.
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(file.toUri(), schema, config);
    }

    @Test
    void shouldBeValidAgainstTheComposeSpecification() throws Exception {
        JsonSchema schema = composeSchema();
        assertEquals(Set.of(), schema.validate(COMPOSE), "docker-compose.yml against compose-spec.json");
        broken(schema, "an unknown service key", c -> ((ObjectNode) c.path("services").path("kafka")).put("imagee", "x"));
        broken(schema, "a depends_on condition compose does not have", c -> ((ObjectNode) c.path("services").path("grafana")
                .path("depends_on").path("prometheus")).put("condition", "service_ready"));
        broken(schema, "a healthcheck test as a number", c -> ((ObjectNode) c.path("services").path("kafka").path("healthcheck"))
                .put("test", 1));
        broken(schema, "an unknown top-level key", c -> ((ObjectNode) c).putObject("servicez"));
    }

    private static void broken(JsonSchema schema, String what, Consumer<JsonNode> change) {
        JsonNode copy = COMPOSE.deepCopy();
        change.accept(copy);
        Set<ValidationMessage> errors = schema.validate(copy);
        assertTrue(!errors.isEmpty(), "docker-compose.yml with " + what + " passed the schema");
    }

    @Test
    void shouldStartInOrderOnHealthchecks() {
        JsonNode services = COMPOSE.path("services");
        // Every service the others wait for as healthy has a healthcheck, with durations in Go's syntax.
        services.fields().forEachRemaining(s -> s.getValue().path("depends_on").fields().forEachRemaining(d -> {
            String condition = d.getValue().path("condition").asText();
            assertTrue(Set.of("service_healthy", "service_started", "service_completed_successfully").contains(condition),
                    s.getKey() + " on " + d.getKey() + ": " + condition);
            if (condition.equals("service_healthy")) {
                JsonNode check = services.path(d.getKey()).path("healthcheck");
                assertTrue(check.path("test").isArray(), s.getKey() + " waits for " + d.getKey() + ", which has no healthcheck");
                for (String duration : List.of("interval", "timeout", "start_period")) {
                    if (check.has(duration)) {
                        assertTrue(check.path(duration).asText().matches("(\\d+(ms|s|m|h))+"), d.getKey() + " " + duration);
                    }
                }
            }
        }));
        // The services' checks ask their own readiness, as the images' HEALTHCHECK does.
        for (String name : Repo.SERVICES) {
            JsonNode test = service(name).path("healthcheck").path("test");
            assertEquals("CMD", test.get(0).asText(), name);
            assertEquals("http://localhost:" + Repo.httpPort(name) + "/q/health/ready", test.get(test.size() - 1).asText(), name);
            assertEquals("service_healthy", service("prometheus").path("depends_on").path(name).path("condition").asText(),
                    "Prometheus waits for " + name);
        }
        assertEquals("service_healthy", service("grafana").path("depends_on").path("prometheus").path("condition").asText());
    }
}

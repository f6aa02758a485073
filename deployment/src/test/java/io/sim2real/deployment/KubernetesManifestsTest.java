package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.sim2real.contracts.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/base/ (what every overlay deploys; KustomizeOverlaysTest renders the overlays): every manifest parses into fabric8's typed objects, and each agrees with what it deploys: the services'
 * ports, topics and configuration keys (their application.properties), contracts' topic names, the dashboard and
 * the alert rules in deploy/. {@code -Dsim2real.update-k8s=true} regenerates monitoring.yaml and
 * grafana-dashboard.yaml from deploy/ instead of checking them.
 */
class KubernetesManifestsTest {

    static final String NAMESPACE = "sim2real";
    /** Process environment that is not Quarkus configuration. */
    static final Set<String> PROCESS_ENV = Set.of("OMP_NUM_THREADS");

    static List<HasMetadata> all;

    @BeforeAll
    static void parse() throws Exception {
        if (Boolean.getBoolean("sim2real.update-k8s")) {
            writeMonitoring();
        }
        all = Manifests.base();
    }

    @Test
    void shouldParseEveryManifestIntoTypedObjectsInOneNamespace() throws Exception {
        assertEquals(1, Manifests.of(all, Namespace.class).size());
        assertEquals(NAMESPACE, Manifests.of(all, Namespace.class).get(0).getMetadata().getName());
        Set<String> genericKinds = new TreeSet<>();
        for (HasMetadata o : all) {
            if (!(o instanceof Namespace)) {
                assertEquals(NAMESPACE, o.getMetadata().getNamespace(), o.getKind() + " " + o.getMetadata().getName());
            }
            if (o instanceof GenericKubernetesResource) {
                genericKinds.add(o.getKind());
            }
        }
        // Only custom resources stay generic: everything built in is a typed object.
        assertEquals(Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "ServiceMonitor", "PodMonitor", "PrometheusRule"), genericKinds);
        // base/kustomization.yaml applies every manifest of base/.
        Set<String> listed = new TreeSet<>();
        Repo.yaml("k8s/base/kustomization.yaml").path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new TreeSet<>();
        try (var s = Files.list(Repo.file("k8s/base"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .forEach(files::add);
        }
        assertEquals(files, listed);
    }

    static GenericKubernetesResource kafka() {
        List<GenericKubernetesResource> k = Manifests.custom(all, "Kafka");
        assertEquals(1, k.size());
        return k.get(0);
    }

    @Test
    void shouldRunAKRaftKafkaClusterThroughStrimzi() {
        GenericKubernetesResource kafka = kafka();
        // Strimzi 1.0 serves only v1; KRaft with node pools is its only mode (StrimziSchemaTest validates the schema).
        assertEquals("kafka.strimzi.io/v1", kafka.getApiVersion());
        assertFalse(kafka.getAdditionalProperties().toString().contains("zookeeper"), "no ZooKeeper");
        GenericKubernetesResource pool = Manifests.custom(all, "KafkaNodePool").get(0);
        assertEquals(kafka.getMetadata().getName(), pool.getMetadata().getLabels().get("strimzi.io/cluster"));
        List<String> roles = pool.get("spec", "roles");
        assertEquals(Set.of("controller", "broker"), new TreeSet<>(roles));

        // The services' bootstrap address is Strimzi's bootstrap Service on the plain listener.
        Map<String, Object> listener = ((List<Map<String, Object>>) kafka.get("spec", "kafka", "listeners")).get(0);
        assertEquals(kafka.getMetadata().getName() + "-kafka-bootstrap." + NAMESPACE + ".svc:" + listener.get("port"),
                configMap().getData().get("KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals(false, listener.get("tls"));
        // Records as large as any service may produce fit the broker.
        long maxMessage = ((Number) kafka.<Object>get("spec", "kafka", "config", "message.max.bytes")).longValue();
        assertEquals(Topics.MAX_RECORD_BYTES, maxMessage, "the broker's limit is Topics.MAX_RECORD_BYTES");
        for (String service : Repo.SERVICES) {
            Repo.config(service).forEach((k, v) -> {
                if (k.endsWith(".max.request.size")) {
                    assertTrue(Long.parseLong(v) <= maxMessage, service + " " + k);
                }
            });
        }
    }

    @Test
    void shouldExportConsumerGroupLagForTheDashboard() {
        GenericKubernetesResource kafka = kafka();
        Map<String, Object> exporter = kafka.get("spec", "kafkaExporter");
        assertNotNull(exporter, "kafka.yaml runs no Kafka Exporter (spec.kafkaExporter): the dashboard's group lag needs it");
        java.util.regex.Pattern topicRegex = java.util.regex.Pattern.compile((String) exporter.get("topicRegex"));
        Topics.declaredConfigs().keySet().forEach(t -> assertTrue(topicRegex.matcher(t).matches(), "the exporter skips " + t));
        java.util.regex.Pattern groupRegex = java.util.regex.Pattern.compile((String) exporter.get("groupRegex"));
        for (String service : Repo.SERVICES) {
            Repo.config(service).forEach((k, v) -> {
                if (k.endsWith(".group.id")) {
                    assertTrue(groupRegex.matcher(v).matches(), "the exporter skips " + service + "'s group " + v);
                }
            });
        }
        // Strimzi names the exporter's pods <cluster>-kafka-exporter (label strimzi.io/name); the PodMonitor scrapes them.
        List<GenericKubernetesResource> monitors = Manifests.custom(all, "PodMonitor");
        assertEquals(1, monitors.size());
        Map<String, String> selector = monitors.get(0).get("spec", "selector", "matchLabels");
        assertEquals(Map.of("strimzi.io/name", kafka.getMetadata().getName() + "-kafka-exporter"), selector);
    }

    static Map<String, GenericKubernetesResource> topics() {
        Map<String, GenericKubernetesResource> out = new TreeMap<>();
        for (GenericKubernetesResource t : Manifests.custom(all, "KafkaTopic")) {
            assertEquals(kafka().getMetadata().getName(), t.getMetadata().getLabels().get("strimzi.io/cluster"));
            out.put(t.get("spec", "topicName"), t);
        }
        return out;
    }

    @Test
    void shouldDeclareEveryTopicOfTheContractsAndOfTheServicesChannels() {
        Map<String, GenericKubernetesResource> topics = topics();
        int brokers = ((Number) Manifests.custom(all, "KafkaNodePool").get(0).get("spec", "replicas")).intValue();
        Set<String> expected = new TreeSet<>();
        for (Topics.TopicSpec spec : Topics.DATA_TOPICS) {
            expected.add(spec.name());
            expected.add(Topics.deadLetterOf(spec.name()));
        }
        assertEquals(expected, topics.keySet());
        // Retention, compaction and size limits are Topics' declaration, the same the services' provisioner sets.
        Topics.declaredConfigs().forEach((name, declared) -> declared.forEach((key, value) -> assertEquals(value,
                String.valueOf(topics.get(name).<Object>get("spec", "config", key)), name + " " + key)));
        for (GenericKubernetesResource t : topics.values()) {
            String name = t.get("spec", "topicName");
            int replicas = ((Number) t.get("spec", "replicas")).intValue();
            assertTrue(((Number) t.get("spec", "partitions")).intValue() >= 3, name);
            assertTrue(replicas >= 1 && replicas <= brokers, name);
            assertTrue(Integer.parseInt(String.valueOf(t.<Object>get("spec", "config", "min.insync.replicas"))) < replicas, name);
        }
        for (String service : Repo.SERVICES) {
            Map<String, String> config = Repo.config(service);
            for (String topic : Repo.topics(service)) {
                assertTrue(topics.containsKey(topic), service + " uses " + topic + ", which has no KafkaTopic");
            }
            // A topic a service writes large records to accepts them.
            config.forEach((k, v) -> {
                if (k.startsWith("mp.messaging.outgoing.") && k.endsWith(".max.request.size")) {
                    String channel = k.substring(0, k.length() - ".max.request.size".length());
                    String topic = Repo.resolve(config, config.get(channel + ".topic"));
                    Object max = topics.get(topic).get("spec", "config", "max.message.bytes");
                    assertNotNull(max, topic + " needs max.message.bytes for " + service + "'s " + k);
                    assertTrue(Long.parseLong(String.valueOf(max)) >= Long.parseLong(v), topic);
                }
            });
        }
    }

    static ConfigMap configMap() {
        return Manifests.of(all, ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals("sim2real-config"))
                .findFirst().orElseThrow();
    }

    static Deployment deployment(List<HasMetadata> objects, String name) {
        return Manifests.of(objects, Deployment.class).stream().filter(d -> d.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    @Test
    void shouldDeployEveryServiceWithProbesResourcesAndItsOwnPortsAndConfiguration() {
        assertEquals("false", configMap().getData().get("SIM2REAL_TOPICS_PROVISION"), "Strimzi owns the topics");
        assertEquals("0.0.0.0", configMap().getData().get("QUARKUS_HTTP_HOST"));
        for (String service : Repo.SERVICES) {
            checkDeployment(service, deployment(all, service));
        }
    }

    private void checkDeployment(String service, Deployment d) {
        int port = Repo.httpPort(service);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()), service);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(1, d.getSpec().getTemplate().getSpec().getContainers().size());
        assertTrue(c.getImage().startsWith("sim2real/" + service + ":"), c.getImage());
        assertEquals(port, c.getPorts().get(0).getContainerPort(), service + " listens on quarkus.http.port");
        assertEquals("http", c.getPorts().get(0).getName());
        probe(service, c.getLivenessProbe(), "/q/health/live");
        probe(service, c.getReadinessProbe(), "/q/health/ready");
        probe(service, c.getStartupProbe(), "/q/health/started");
        for (String r : List.of("cpu", "memory")) {
            Quantity request = c.getResources().getRequests().get(r);
            Quantity limit = c.getResources().getLimits().get(r);
            assertNotNull(request, service + " requests " + r);
            assertNotNull(limit, service + " limits " + r);
            assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0, service + " " + r);
        }
        assertTrue(c.getEnvFrom().stream().map(EnvFromSource::getConfigMapRef).anyMatch(r -> r != null
                && r.getName().equals("sim2real-config")), service + " reads sim2real-config");
        Set<String> env = new TreeSet<>(configMap().getData().keySet());
        c.getEnv().stream().map(EnvVar::getName).forEach(env::add);
        for (String name : env) {
            assertTrue(PROCESS_ENV.contains(name) || Repo.isConfigEnv(service, name),
                    service + ": " + name + " sets no configuration key the service has");
        }
        // Paths a service writes to are on mounted volumes.
        c.getEnv().stream().filter(e -> e.getName().endsWith("_DIR")).forEach(e -> assertTrue(
                c.getVolumeMounts().stream().anyMatch(m -> e.getValue().startsWith(m.getMountPath())), e.getName()));

        Service s = Manifests.of(all, Service.class).stream().filter(x -> x.getMetadata().getName().equals(service))
                .findFirst().orElseThrow(() -> new AssertionError("no Service " + service));
        assertTrue(podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()), service + "'s Service selects its pods");
        ServicePort sp = s.getSpec().getPorts().get(0);
        assertEquals(port, sp.getPort());
        assertEquals("http", sp.getName());
        assertEquals("http", sp.getTargetPort().getStrVal());
    }

    private static void probe(String service, Probe p, String path) {
        assertNotNull(p, service + " probe " + path);
        assertEquals(path, p.getHttpGet().getPath(), service);
        assertEquals("http", p.getHttpGet().getPort().getStrVal(), service);
    }

    @Test
    void shouldAutoscaleEnvServiceWorkersOnCpu() {
        HorizontalPodAutoscaler hpa = Manifests.of(all, HorizontalPodAutoscaler.class).get(0);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals("env-service", hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 1 && hpa.getSpec().getMinReplicas() < hpa.getSpec().getMaxReplicas());
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
        assertNotNull(deployment(all, "env-service").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getResources().getRequests().get("cpu"), "utilisation needs a CPU request");
    }

    @Test
    void shouldScrapeEveryServiceAndShipTheDashboardAndRulesUnchanged() throws Exception {
        GenericKubernetesResource monitor = Manifests.custom(all, "ServiceMonitor").get(0);
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        Map<String, Object> endpoint = ((List<Map<String, Object>>) monitor.get("spec", "endpoints")).get(0);
        assertEquals("/q/metrics", endpoint.get("path"));
        for (String service : Repo.SERVICES) {
            Service s = Manifests.of(all, Service.class).stream().filter(x -> x.getMetadata().getName().equals(service))
                    .findFirst().orElseThrow();
            assertTrue(s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()), service + " is scraped");
            assertTrue(s.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(endpoint.get("port"))));
        }
        ObjectMapper json = Repo.JSON;
        GenericKubernetesResource rule = Manifests.custom(all, "PrometheusRule").get(0);
        String regenerate = " differs from deploy/; regenerate: mvn -pl deployment test -Dsim2real.update-k8s=true";
        assertTrue(Repo.yaml(DashboardAndAlertsTest.ALERTS).path("groups")
                .equals(json.valueToTree(rule.getAdditionalProperties()).path("spec").path("groups")), "k8s/base/monitoring.yaml" + regenerate);
        ConfigMap dashboard = Manifests.of(all, ConfigMap.class).stream()
                .filter(c -> "1".equals(c.getMetadata().getLabels().get("grafana_dashboard"))).findFirst().orElseThrow();
        assertTrue(Repo.json(DashboardAndAlertsTest.DASHBOARD).equals(json.readTree(dashboard.getData().get("sim2real.json"))),
                "k8s/base/grafana-dashboard.yaml" + regenerate);
    }

    /** Writes k8s/base/monitoring.yaml and k8s/base/grafana-dashboard.yaml from deploy/ (-Dsim2real.update-k8s=true). */
    static void writeMonitoring() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));
        String monitor = """
                # Prometheus operator: scrape every sim2real Service's /q/metrics (the job label is the Service's name,
                # as in deploy/prometheus/prometheus.yml) and load deploy/prometheus/alerts.yml's rules.
                # Generated from deploy/ by: mvn -pl deployment test -Dsim2real.update-k8s=true
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata:
                  name: sim2real
                  namespace: sim2real
                  labels:
                    app.kubernetes.io/part-of: sim2real
                spec:
                  namespaceSelector:
                    matchNames:
                      - sim2real
                  selector:
                    matchLabels:
                      app.kubernetes.io/part-of: sim2real
                  endpoints:
                    - port: http
                      path: /q/metrics
                      interval: 15s
                ---
                # Strimzi's Kafka Exporter (kafka.yaml's kafkaExporter): consumer-group lag for the dashboard. Its pod
                # serves /metrics on the port Strimzi names tcp-prometheus.
                apiVersion: monitoring.coreos.com/v1
                kind: PodMonitor
                metadata:
                  name: sim2real-kafka-exporter
                  namespace: sim2real
                  labels:
                    app.kubernetes.io/part-of: sim2real
                spec:
                  namespaceSelector:
                    matchNames:
                      - sim2real
                  selector:
                    matchLabels:
                      strimzi.io/name: sim2real-kafka-exporter
                  podMetricsEndpoints:
                    - port: tcp-prometheus
                      path: /metrics
                      interval: 30s
                ---
                """;
        ObjectNode rule = Repo.JSON.createObjectNode();
        rule.put("apiVersion", "monitoring.coreos.com/v1").put("kind", "PrometheusRule");
        rule.putObject("metadata").put("name", "sim2real").put("namespace", NAMESPACE).putObject("labels")
                .put("app.kubernetes.io/part-of", "sim2real");
        rule.putObject("spec").set("groups", Repo.yaml(DashboardAndAlertsTest.ALERTS).path("groups"));
        Files.writeString(Repo.file("k8s/base/monitoring.yaml"), monitor + yaml.writeValueAsString(rule));

        ObjectNode cm = Repo.JSON.createObjectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        ObjectNode meta = cm.putObject("metadata").put("name", "sim2real-grafana-dashboard").put("namespace", NAMESPACE);
        meta.putObject("labels").put("app.kubernetes.io/part-of", "sim2real").put("grafana_dashboard", "1");
        cm.putObject("data").put("sim2real.json", Repo.read(DashboardAndAlertsTest.DASHBOARD));
        Files.writeString(Repo.file("k8s/base/grafana-dashboard.yaml"), "# Grafana's dashboard sidecar loads ConfigMaps labelled "
                + "grafana_dashboard=1. Generated from deploy/grafana/dashboards/sim2real.json by:\n"
                + "# mvn -pl deployment test -Dsim2real.update-k8s=true\n" + yaml.writeValueAsString(cm));
    }
}

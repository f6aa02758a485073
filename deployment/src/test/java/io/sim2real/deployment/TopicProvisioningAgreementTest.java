package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.service.topics.TopicProvisioner;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topics k8s/base/topics.yaml declares for Strimzi are the topics the services create themselves where they own
 * them (compose, bin/run-local), with the same retention, compaction and size limits: service-common's own
 * {@link TopicProvisioner} runs against a real broker, and every KafkaTopic's settings are read back from what it made.
 */
class TopicProvisioningAgreementTest {

    /**
     * KafkaTopic settings the provisioner leaves to the broker's configuration: min.insync.replicas goes with the
     * replication factor (3 brokers in k8s; one where the services provision, sim2real.topics.replication-factor).
     */
    static final Set<String> REPLICATION_SETTINGS = Set.of("min.insync.replicas");

    static EmbeddedKafkaBroker broker;
    static List<String> created;
    /** What the provisioner left on the broker: topic name to its configuration (every entry, defaults included). */
    static Map<String, Map<String, String>> provisioned = new TreeMap<>();

    @BeforeAll
    static void provision() throws Exception {
        broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
        TopicProvisioner provisioner = new TopicProvisioner();
        set(provisioner, "kafkaConfig", Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        set(provisioner, "partitions", 1);
        set(provisioner, "replicationFactor", (short) 1);
        created = provisioner.ensureTopics();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<ConfigResource> resources = new ArrayList<>();
            admin.listTopics().names().get(30, TimeUnit.SECONDS).forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            configs.forEach((r, c) -> {
                Map<String, String> values = new TreeMap<>();
                c.entries().forEach(e -> values.put(e.name(), e.value()));
                provisioned.put(r.name(), values);
            });
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A CDI bean's injected field, set by hand: the provisioner runs here without Quarkus. */
    private static void set(Object bean, String field, Object value) throws ReflectiveOperationException {
        Field f = bean.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(bean, value);
    }

    static List<JsonNode> kafkaTopics() {
        return StrimziSchemaTest.all().stream().filter(r -> r.path("kind").asText().equals("KafkaTopic")).toList();
    }

    /** Where KafkaTopics and the provisioned topics differ: missing or extra topics, and every setting that differs. */
    static List<String> differences(List<JsonNode> kafkaTopics) {
        List<String> out = new ArrayList<>();
        Set<String> declared = new TreeSet<>();
        for (JsonNode t : kafkaTopics) {
            String name = t.path("spec").path("topicName").asText();
            declared.add(name);
            Map<String, String> actual = provisioned.get(name);
            if (actual == null) {
                out.add(name + ": a KafkaTopic, but the services do not create it");
                continue;
            }
            t.path("spec").path("config").fields().forEachRemaining(e -> {
                if (!REPLICATION_SETTINGS.contains(e.getKey()) && !e.getValue().asText().equals(actual.get(e.getKey()))) {
                    out.add(name + " " + e.getKey() + ": " + e.getValue().asText() + " in its KafkaTopic, "
                            + actual.get(e.getKey()) + " as the services create it");
                }
            });
        }
        provisioned.keySet().stream().filter(n -> !n.startsWith("__") && !declared.contains(n))
                .forEach(n -> out.add(n + ": the services create it, but it has no KafkaTopic"));
        return out;
    }

    @Test
    void shouldDeclareInKafkaTopicsWhatTheServicesProvision() {
        assertEquals(new TreeSet<>(created), new TreeSet<>(provisioned.keySet().stream().filter(n -> !n.startsWith("__")).toList()),
                "the provisioner created every topic on an empty broker");
        List<JsonNode> topics = kafkaTopics();
        assertTrue(topics.size() >= 16, topics.size() + " KafkaTopics");
        assertEquals(List.of(), differences(topics));
        // The KafkaTopics state every setting the provisioner sets (nothing is left to Strimzi's or the broker's default).
        for (JsonNode t : topics) {
            Set<String> keys = new TreeSet<>();
            t.path("spec").path("config").fieldNames().forEachRemaining(keys::add);
            assertTrue(keys.containsAll(Set.of("cleanup.policy", "max.message.bytes")), t.path("spec").path("topicName") + " " + keys);
            if (provisioned.get(t.path("spec").path("topicName").asText()).get("cleanup.policy").equals("delete")) {
                assertTrue(keys.contains("retention.ms"), t.path("spec").path("topicName") + " deletes by age without retention.ms");
            }
        }
    }

    @Test
    void shouldNoticeADeliberatelyDifferentRetention() {
        List<JsonNode> topics = new ArrayList<>();
        kafkaTopics().forEach(t -> topics.add(t.deepCopy()));
        JsonNode rollouts = topics.stream().filter(t -> t.path("spec").path("topicName").asText().equals(io.sim2real.contracts.Topics.ROLLOUTS))
                .findFirst().orElseThrow();
        ((ObjectNode) rollouts.path("spec").path("config")).put("retention.ms", 1000);
        assertFalse(differences(topics).isEmpty(), "a KafkaTopic keeping rollouts 1 s passed");
        topics.remove(rollouts);
        assertFalse(differences(topics).isEmpty(), "a missing KafkaTopic passed");
    }
}

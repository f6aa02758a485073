package io.sim2real.service.topics;

import io.quarkus.runtime.StartupEvent;
import io.sim2real.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates the system's topics and their dead-letter topics at start-up if they do not exist, with the
 * configured partitions and replication; {@code sim2real.runs} is compacted. Creation is idempotent,
 * so every service may run it. Deployments whose topics are owned elsewhere (Strimzi KafkaTopic
 * resources) turn it off with {@code sim2real.topics.provision=false}.
 */
@ApplicationScoped
public class TopicProvisioner {

    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);

    @ConfigProperty(name = "sim2real.topics.provision", defaultValue = "true")
    boolean provision;

    @ConfigProperty(name = "sim2real.topics.partitions", defaultValue = "3")
    int partitions;

    @ConfigProperty(name = "sim2real.topics.replication-factor", defaultValue = "1")
    short replicationFactor;

    @ConfigProperty(name = "sim2real.topics.retention-ms", defaultValue = "604800000")
    long retentionMs;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    // Before the messaging connectors subscribe, so consumers find their topics.
    void onStart(@Observes @Priority(1) StartupEvent event) {
        if (!provision) {
            LOG.info("topic provisioning disabled (sim2real.topics.provision=false)");
            return;
        }
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalStateException("sim2real.topics.partitions and sim2real.topics.replication-factor must be >= 1");
        }
        ensureTopics();
    }

    /** Creates the missing topics; returns the names it created. */
    public List<String> ensureTopics() {
        Map<String, Object> adminConfig = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (!k.startsWith("topic") && v != null) {
                adminConfig.put(k, v);
            }
        });
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (NewTopic topic : wanted()) {
                if (!existing.contains(topic.name())) {
                    missing.add(topic);
                }
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // Another service may have created them at the same moment.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
            }
            List<String> names = missing.stream().map(NewTopic::name).toList();
            LOG.infof("created topics %s (partitions=%d, replication=%d)", names, partitions, replicationFactor);
            return names;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + kafkaConfig.get("bootstrap.servers") + ": " + e, e);
        }
    }

    private List<NewTopic> wanted() {
        List<NewTopic> topics = new ArrayList<>();
        for (Topics.TopicSpec spec : Topics.DATA_TOPICS) {
            Map<String, String> configs = spec.compacted()
                    ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                    : Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retentionMs));
            topics.add(new NewTopic(spec.name(), partitions, replicationFactor).configs(configs));
            topics.add(new NewTopic(Topics.deadLetterOf(spec.name()), partitions, replicationFactor)
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retentionMs))));
        }
        return topics;
    }
}

package io.sim2real.service.topics;

import io.quarkus.runtime.StartupEvent;
import io.sim2real.contracts.Topics;
import io.sim2real.service.messaging.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates the system's topics and their dead-letter topics at start-up if they do not exist, with the
 * configured partitions and replication and the retention, compaction and size limit that {@link Topics}
 * declares; on topics that exist it sets those declared settings where they differ (so an upgrade changes the
 * retention of topics created by an older build). Idempotent, so every service may run it. Deployments whose
 * topics are owned elsewhere (Strimzi KafkaTopic resources, which declare the same settings and are checked
 * against {@link Topics} by the deployment tests) turn it off with {@code sim2real.topics.provision=false}.
 */
@ApplicationScoped
public class TopicProvisioner {

    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    @ConfigProperty(name = "sim2real.topics.provision", defaultValue = "true")
    boolean provision;

    @ConfigProperty(name = "sim2real.topics.partitions", defaultValue = "3")
    int partitions;

    @ConfigProperty(name = "sim2real.topics.replication-factor", defaultValue = "1")
    short replicationFactor;

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

    /** Creates the missing topics and sets the declared settings on the others; returns the names it created. */
    public List<String> ensureTopics() {
        Map<String, Object> adminConfig = KafkaClients.config(kafkaConfig);
        Map<String, Map<String, String>> declared = Topics.declaredConfigs();
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            declared.forEach((name, configs) -> {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, replicationFactor).configs(configs));
                }
            });
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // Another service may have created them at the same moment.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
                LOG.infof("created topics %s (partitions=%d, replication=%d)", missing.stream().map(NewTopic::name).toList(),
                        partitions, replicationFactor);
            }
            alignExisting(admin, declared, existing);
            return missing.stream().map(NewTopic::name).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + kafkaConfig.get("bootstrap.servers") + ": " + e, e);
        }
    }

    /** Sets the declared settings on existing topics where they differ. */
    private void alignExisting(Admin admin, Map<String, Map<String, String>> declared, Set<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = declared.keySet().stream().filter(existing::contains)
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        if (resources.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> current = admin.describeConfigs(resources).all()
                .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        current.forEach((resource, config) -> {
            List<AlterConfigOp> ops = new ArrayList<>();
            declared.get(resource.name()).forEach((key, value) -> {
                ConfigEntry entry = config.get(key);
                if (entry == null || !value.equals(entry.value())) {
                    ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
                }
            });
            if (!ops.isEmpty()) {
                changes.put(resource, ops);
            }
        });
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            changes.forEach((resource, ops) -> LOG.infof("set %s on existing topic %s", ops.stream()
                    .map(op -> op.configEntry().name() + "=" + op.configEntry().value()).toList(), resource.name()));
        }
    }
}

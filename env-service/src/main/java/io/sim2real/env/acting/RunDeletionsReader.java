package io.sim2real.env.acting;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sim2real.service.messaging.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads {@code sim2real.runs} from its beginning into {@link RunDeletions}, on a thread of its own, for as long as
 * the process runs: its own consumer without a group, so that it knows when it has caught up with the topic's end
 * offsets as of its start (service-common's run registry does not say).
 */
@ApplicationScoped
public class RunDeletionsReader {

    private static final Logger LOG = Logger.getLogger(RunDeletionsReader.class);

    @Inject
    RunDeletions deletions;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "sim2real.topic.runs")
    String topic;

    private volatile boolean closing;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    // After the topics exist (TopicProvisioner observes start-up with priority 1), before collections resume.
    void onStart(@Observes StartupEvent event) {
        thread = new Thread(this::read, "run-deletions");
        thread.setDaemon(true);
        thread.start();
    }

    private void read() {
        Map<String, Object> config = KafkaClients.config(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        long t0 = System.nanoTime();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> partitions = assign(c);
            while (!closing) {
                try {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                        deletions.apply(r.key(), r.value());
                    }
                    boolean before = deletions.caughtUp();
                    Map<Integer, Long> positions = new HashMap<>();
                    for (TopicPartition p : partitions) {
                        positions.put(p.partition(), c.position(p));
                    }
                    deletions.reached(positions);
                    if (!before && deletions.caughtUp()) {
                        LOG.infof("%s read back in %.1f s", topic, (System.nanoTime() - t0) / 1e9);
                    }
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    LOG.warnf("reading %s: %s; retrying", topic, e.getMessage());
                    pause();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "stopped reading %s: collections of deleted runs will not stop", topic);
        }
    }

    /** Every partition of the topic from its beginning, with the end offsets as of now; waits for the topic. */
    private List<TopicPartition> assign(KafkaConsumer<String, byte[]> c) {
        while (!closing) {
            try {
                List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                if (!partitions.isEmpty()) {
                    c.assign(partitions);
                    c.seekToBeginning(partitions);
                    Map<Integer, Long> end = new HashMap<>();
                    c.endOffsets(partitions, Duration.ofSeconds(30)).forEach((p, o) -> end.put(p.partition(), o));
                    deletions.beginAt(end);
                    return partitions;
                }
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                LOG.warnf("finding the partitions of %s: %s; retrying", topic, e.getMessage());
            }
            pause();
        }
        throw new WakeupException();
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        closing = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}

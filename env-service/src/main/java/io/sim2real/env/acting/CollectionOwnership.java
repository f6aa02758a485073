package io.sim2real.env.acting;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sim2real.service.messaging.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which runs' collections this env-service instance runs (docs/REPLICAS.md). A run belongs to the instance that
 * holds its partition of {@code sim2real.runs} (the partition its runId key hashes to) in the consumer group
 * {@code sim2real.env.ownership.group}: a consumer of its own that reads nothing (its partitions are paused) and
 * only takes part in the group, cooperative-sticky, as a static member named {@code sim2real.env.instance-id} (a
 * restart under the same name gets its partitions back at once). When partitions come to this instance,
 * {@link CollectionRecovery} resumes their runs' unfinished collections from the collections log and what
 * {@code sim2real.transitions} holds; when they go, {@link CollectionService#release} stops their collections
 * without logging an end, so that the new owner resumes them.
 *
 * <p><b>Fencing.</b> Every transition batch and log entry of a collection is sent through {@link #publish}: only
 * while the run's partition is still held under the term the collection started with, and only while a lease is
 * fresh. The lease is renewed by committing to the group every second; a commit succeeds only from a current
 * member, and the coordinator removes a member no sooner than a session timeout after its last heartbeat, so a
 * partition cannot have been given to another instance before {@code session timeout - heartbeat interval} after
 * the commit was sent; the lease is that, less a second. A paused (SIGSTOPped) instance finds its lease expired
 * when it continues and publishes nothing until its consumer has learnt whether it still owns the run; a
 * revocation waits for a send in progress. What is left: a batch that had passed the check and had not yet left
 * the process when it was stopped is sent when it continues (the producer sends at once, {@code linger.ms=0}).
 */
@ApplicationScoped
public class CollectionOwnership {

    private static final Logger LOG = Logger.getLogger(CollectionOwnership.class);

    /** A collection's run is no longer this instance's (or the instance stops): it must publish nothing more. */
    public static final class NotOwnedException extends RuntimeException {
        public NotOwnedException(String message) {
            super(message);
        }
    }

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    CollectionService collections;

    @Inject
    CollectionRecovery recovery;

    @Inject
    PublishedTransitions published;

    @ConfigProperty(name = "sim2real.topic.runs")
    String topic;

    @ConfigProperty(name = "sim2real.env.recovery-timeout", defaultValue = "PT5M")
    Duration startTimeout;

    @ConfigProperty(name = "sim2real.env.ownership.group", defaultValue = "env-service-collections")
    String group;

    @ConfigProperty(name = "mp.messaging.connector.smallrye-kafka.session.timeout.ms", defaultValue = "10000")
    long sessionTimeoutMs;

    @ConfigProperty(name = "mp.messaging.connector.smallrye-kafka.heartbeat.interval.ms", defaultValue = "3000")
    long heartbeatIntervalMs;

    private final Map<Integer, Long> terms = new ConcurrentHashMap<>();
    private final Map<Integer, ReentrantReadWriteLock> locks = new ConcurrentHashMap<>();
    private final AtomicLong termCounter = new AtomicLong();
    private volatile long leaseUntilNanos = Long.MIN_VALUE;
    private volatile int partitionCount = -1;
    private volatile boolean ready;
    private volatile boolean closing;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private final ExecutorService recoveries = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "collections-recovery");
        t.setDaemon(true);
        return t;
    });

    // After the topics exist (the provisioner observes start-up with priority 1), as the recovery did before.
    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 500) StartupEvent event) {
        if (leaseNanos() <= 0) {
            throw new IllegalStateException("the session timeout (" + sessionTimeoutMs + " ms) must exceed the heartbeat"
                    + " interval (" + heartbeatIntervalMs + " ms) by more than a second");
        }
        thread = new Thread(this::run, "collections-ownership");
        thread.setDaemon(true);
        thread.start();
        // As the recovery at start did before: new work is taken once the collections this instance holds are back.
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!ready && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!ready) {
            LOG.warnf("no partitions of %s assigned by the group %s within %s: not ready until they are", topic, group,
                    startTimeout);
        }
    }

    private long leaseNanos() {
        return TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs - heartbeatIntervalMs - 1000);
    }

    /** Whether the first assignment has come and its collections are listed again. */
    public boolean ready() {
        return ready;
    }

    /** The run's partition of {@code sim2real.runs}: where its key lands (the producers' default partitioner). */
    public int partitionOf(String runId) {
        int n = partitionCount;
        if (n < 1) {
            throw new IllegalStateException("the partitions of " + topic + " are not known yet");
        }
        return BuiltInPartitioner.partitionForKey(runId.getBytes(StandardCharsets.UTF_8), n);
    }

    /** The term under which this instance holds the run's partition, if it does. */
    public OptionalLong term(String runId) {
        if (partitionCount < 1) {
            return OptionalLong.empty();
        }
        Long t = terms.get(partitionOf(runId));
        return t == null ? OptionalLong.empty() : OptionalLong.of(t);
    }

    public boolean owns(String runId) {
        return term(runId).isPresent();
    }

    /** The partitions held now, sorted. */
    public Set<Integer> partitions() {
        return new java.util.TreeSet<>(terms.keySet());
    }

    private ReentrantReadWriteLock lock(int partition) {
        return locks.computeIfAbsent(partition, p -> new ReentrantReadWriteLock());
    }

    /**
     * Runs {@code send} (a publication for the run, awaited) while the run's partition is held under {@code term}
     * and the lease is fresh; waits while the lease is stale.
     *
     * @throws NotOwnedException when the run is not held under that term any more, or {@code stop} says so while
     *                           waiting for the lease
     */
    public <T> T publish(String runId, long term, BooleanSupplier stop, Supplier<T> send) {
        int partition = partitionOf(runId);
        long warnAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            ReentrantReadWriteLock.ReadLock read = lock(partition).readLock();
            read.lock();
            try {
                Long held = terms.get(partition);
                if (held == null || held != term) {
                    throw new NotOwnedException("run '" + runId + "' (partition " + partition + " of " + topic
                            + ") is no longer this instance's");
                }
                if (System.nanoTime() - leaseUntilNanos < 0) {
                    return send.get();
                }
            } finally {
                read.unlock();
            }
            if (stop.getAsBoolean()) {
                throw new NotOwnedException("stopped while the ownership of run '" + runId + "' was being confirmed");
            }
            if (System.nanoTime() > warnAt) {
                LOG.warnf("run %s: publishing waits for the group %s to confirm this instance's partitions", runId, group);
                warnAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotOwnedException("interrupted while the ownership of run '" + runId + "' was being confirmed");
            }
        }
    }

    private void run() {
        Map<String, Object> config = KafkaClients.config(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        // Kafka takes only [A-Za-z0-9._-] in a member name; a host name may hold other characters.
        String member = collections.instanceId().replaceAll("[^A-Za-z0-9._-]", "_");
        config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, member);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "env-service-ownership-" + member);
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeoutMs);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) heartbeatIntervalMs);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            while (!closing && partitionCount < 1) {
                try {
                    partitionCount = c.partitionsFor(topic, Duration.ofSeconds(10)).size();
                } catch (KafkaException e) {
                    LOG.warnf("finding the partitions of %s: %s; retrying", topic, e.getMessage());
                }
                if (partitionCount < 1) {
                    Thread.sleep(1000);
                }
            }
            c.subscribe(java.util.List.of(topic), new Rebalance(c));
            long nextConfirm = 0;
            while (!closing) {
                try {
                    pollStartNanos = System.nanoTime();
                    c.poll(Duration.ofMillis(200));
                    if (!terms.isEmpty() && System.nanoTime() - nextConfirm >= 0) {
                        nextConfirm = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                        confirm(c);
                    }
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    LOG.warnf("the collections' ownership group %s: %s; retrying", group, e.getMessage());
                    Thread.sleep(500);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "stopped taking part in %s: this instance runs no collections any more", group);
            release(terms.keySet());
        }
    }

    /** When the current poll started: an assignment it returns was the coordinator's answer after that. */
    private volatile long pollStartNanos;

    /** Renews the lease: a commit only a current member of this generation can make. */
    private void confirm(KafkaConsumer<String, byte[]> c) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p : terms.keySet()) {
            offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
        }
        long sent = System.nanoTime();
        try {
            c.commitSync(offsets, Duration.ofSeconds(5));
            leaseUntilNanos = sent + leaseNanos();
        } catch (KafkaException e) {
            // Not a member of this generation any more, or a rebalance: the next poll says which partitions remain.
            LOG.debugf("ownership not confirmed: %s", e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;
        private boolean first = true;

        Rebalance(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            c.pause(partitions);
            Map<Integer, Long> added = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                long term = termCounter.incrementAndGet();
                terms.put(tp.partition(), term);
                added.put(tp.partition(), term);
            }
            if (!added.isEmpty()) {
                // The assignment is the coordinator's answer to this member, given after the poll started.
                leaseUntilNanos = pollStartNanos + leaseNanos();
                LOG.infof("%s: partitions %s of %s now run here (%s)", group, added.keySet(), topic, collections.instanceId());
            }
            if (!added.isEmpty() || first) {
                boolean markReady = first;
                first = false;
                recoveries.submit(() -> {
                    try {
                        recovery.recover(added);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "resuming the collections of partitions %s failed", added.keySet());
                    } finally {
                        if (markReady) {
                            ready = true;
                        }
                    }
                });
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.infof("%s: partitions %s of %s go to another instance", group,
                        partitions.stream().map(TopicPartition::partition).toList(), topic);
                release(partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet()));
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.warnf("%s: partitions %s of %s were lost (this instance was out of the group)", group,
                        partitions.stream().map(TopicPartition::partition).toList(), topic);
                release(partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet()));
            }
        }
    }

    /** Ends the terms (waiting for sends in progress), then stops the partitions' collections. */
    private void release(Collection<Integer> partitions) {
        Set<Integer> gone = Set.copyOf(partitions);
        for (int p : gone) {
            ReentrantReadWriteLock.WriteLock write = lock(p).writeLock();
            boolean locked = false;
            try {
                locked = write.tryLock(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                terms.remove(p);
            } finally {
                if (locked) {
                    write.unlock();
                }
            }
            if (!locked) {
                LOG.errorf("partition %d released while a send of it was still in progress after 30 s", p);
            }
        }
        collections.release(gone);
        published.forget(runId -> gone.contains(partitionOf(runId)));
    }

    void onStop(@Observes ShutdownEvent event) {
        closing = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        recoveries.shutdownNow();
    }
}

package io.sim2real.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one node), bound to
 * 127.0.0.1 only. The same class serves tests (in-process, random port, throw-away data) and the local
 * run (its own process via {@link KafkaBrokerMain}, fixed port, data kept across restarts).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final Path dataDir;
    private final boolean deleteDataOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteDataOnClose, int brokerPort, int controllerPort,
                                Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.deleteDataOnClose = deleteDataOnClose;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.overrides = Map.copyOf(overrides);
    }

    /** A broker on free loopback ports with a temporary data directory that is deleted on close. */
    public static EmbeddedKafkaBroker temporary() {
        try {
            return new EmbeddedKafkaBroker(Files.createTempDirectory("sim2real-kafka-"), true,
                    freePort(), freePort(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for the broker", e);
        }
    }

    /** A broker with a kept data directory; restarting on the same directory resumes the same cluster. */
    public static EmbeddedKafkaBroker persistent(Path dataDir, int brokerPort, int controllerPort,
                                                 Map<String, String> overrides) {
        return new EmbeddedKafkaBroker(dataDir, false, brokerPort, controllerPort, overrides);
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Formats storage on first use, starts the server and waits until it answers a cluster description. */
    public synchronized EmbeddedKafkaBroker start(Duration timeout) {
        if (server != null) {
            return this;
        }
        Map<String, String> props = brokerProperties();
        formatIfNeeded(props);
        KafkaConfig config = new KafkaConfig(props, false);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady(timeout);
        return this;
    }

    private Map<String, String> brokerProperties() {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("log").toString());
        // One node: every internal topic has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created on purpose by the services' provisioner, with the configured settings.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "3");
        // Policy snapshots and large transition batches exceed Kafka's 1 MiB default; the limit has one home.
        p.put("message.max.bytes", String.valueOf(io.sim2real.contracts.Topics.MAX_RECORD_BYTES));
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    private void formatIfNeeded(Map<String, String> props) {
        Path logDir = Path.of(props.get("log.dirs"));
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            Path configFile = dataDir.resolve("server.properties");
            Properties asProperties = new Properties();
            asProperties.putAll(props);
            try (var out = Files.newOutputStream(configFile)) {
                asProperties.store(out, "sim2real embedded broker");
            }
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            int code = StorageTool.execute(new String[] {
                    "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", configFile.toString(),
                    "--ignore-formatted"}, new PrintStream(captured, true, StandardCharsets.UTF_8));
            if (code != 0) {
                throw new IllegalStateException("kafka storage format failed (" + code + "): "
                        + captured.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare broker storage in " + dataDir, e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(adminConfig)) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                sleep(100);
            }
            close();
            throw new IllegalStateException("Kafka broker at " + bootstrapServers() + " not ready within " + timeout, last);
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
        if (deleteDataOnClose) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temp directory left behind is harmless.
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

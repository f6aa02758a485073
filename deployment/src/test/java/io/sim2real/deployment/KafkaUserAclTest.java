package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/base/users.yaml's KafkaUsers, one per service, against what the services do and against a real broker.
 * <ul>
 *   <li>What each service needs comes from its configuration (service-common's defaults and its
 *       application.properties, as {@link Repo#config} resolves them from contracts' {@link Topics}): Read on every
 *       topic its incoming channels and its {@code TopicReader.readToEnd} calls read, Write on each of those topics'
 *       dead-letter topic and on every topic its outgoing channels write, Read on its channels' consumer groups. The
 *       manifests' ACLs must grant exactly that.</li>
 *   <li>The embedded KRaft broker then runs with a SASL_PLAINTEXT listener (SCRAM-SHA-512) and Kafka's
 *       {@code StandardAuthorizer}; the users get SCRAM credentials through the Admin API and the ACLs converted from
 *       the manifests (not a copy of them), and each service's user writes to and reads from every sim2real topic and
 *       joins its own and another service's groups: it succeeds exactly where it needs to and is denied everywhere
 *       else.</li>
 * </ul>
 */
class KafkaUserAclTest {

    static final String USERS = "k8s/base/users.yaml";

    /** A service's needs: topics it reads, topics it writes, the consumer groups it joins (a uuid for ${quarkus.uuid}). */
    record Needs(Set<String> read, Set<String> write, Set<String> groups) {
    }

    /** Derives what {@code service} does with Kafka from its configuration and its sources' reads to the end. */
    static Needs needs(String service) {
        Map<String, String> c = Repo.config(service);
        Set<String> read = new TreeSet<>();
        Set<String> write = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        Pattern channel = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.topic");
        c.forEach((k, v) -> {
            Matcher m = channel.matcher(k);
            if (!m.matches()) {
                return;
            }
            if (m.group(1).equals("incoming")) {
                read.add(v);
                String group = c.get("mp.messaging.incoming." + m.group(2) + ".group.id");
                assertTrue(group != null, service + " channel " + m.group(2) + " has no group.id");
                groups.add(group.replace("${quarkus.uuid}", UUID.randomUUID().toString()));
            } else {
                write.add(v);
            }
        });
        // Services read some topics to their end without a group (service-common's TopicReader).
        Pattern readToEnd = Pattern.compile("readToEnd\\(\\s*\\w+\\s*,\\s*Topics\\.([A-Z_]+)");
        try (Stream<Path> files = Files.walk(Repo.file(service + "/src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = readToEnd.matcher(Files.readString(f));
                while (m.find()) {
                    read.add((String) Topics.class.getField(m.group(1)).get(null));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("a readToEnd of " + service + " names no Topics constant", e);
        }
        // InboundRecords and CollectionLog dead-letter what they cannot process from any topic the service reads.
        read.forEach(t -> write.add(Topics.deadLetterOf(t)));
        assertFalse(read.isEmpty() || write.isEmpty() || groups.isEmpty(), service + ": " + read + write + groups);
        return new Needs(read, write, groups);
    }

    /** users.yaml's KafkaUsers by name. */
    static Map<String, JsonNode> users() {
        Map<String, JsonNode> out = new TreeMap<>();
        StrimziSchemaTest.strimziResources().getOrDefault(USERS, List.of()).stream()
                .filter(r -> r.path("kind").asText().equals("KafkaUser"))
                .forEach(r -> out.put(r.path("metadata").path("name").asText(), r));
        return out;
    }

    /** A KafkaUser's ACLs as Kafka's AclBindings, the way Strimzi's user operator creates them (principal User:name). */
    static List<AclBinding> bindings(JsonNode user) {
        String principal = "User:" + user.path("metadata").path("name").asText();
        List<AclBinding> out = new ArrayList<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            JsonNode r = acl.path("resource");
            ResourceType type = switch (r.path("type").asText()) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                case "cluster" -> ResourceType.CLUSTER;
                case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                default -> throw new AssertionError("resource type " + r.path("type"));
            };
            PatternType pattern = r.path("patternType").asText("literal").equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL;
            String name = type == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText();
            AclPermissionType permission = acl.path("type").asText("allow").equals("deny") ? AclPermissionType.DENY : AclPermissionType.ALLOW;
            for (JsonNode op : acl.path("operations")) {
                // Strimzi's operation names are Kafka's in camel case: IdempotentWrite is IDEMPOTENT_WRITE.
                AclOperation operation = AclOperation.valueOf(op.asText().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
                out.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry(principal, acl.path("host").asText("*"), operation, permission)));
            }
        }
        return out;
    }

    /**
     * Where a KafkaUser's ACLs differ from its service's needs (empty when they agree): topics read and written must
     * be exactly the needed ones, named literally; groups one prefix, the service's name, which every group it joins
     * starts with; nothing else (no Describe-only, Create, Alter, cluster or deny rules).
     */
    static List<String> differences(String service, JsonNode user, Needs needs) {
        List<String> errors = new ArrayList<>();
        Set<String> read = new TreeSet<>();
        Set<String> write = new TreeSet<>();
        Set<String> groupPrefixes = new TreeSet<>();
        for (AclBinding b : bindings(user)) {
            ResourcePattern p = b.pattern();
            AclOperation op = b.entry().operation();
            if (b.entry().permissionType() != AclPermissionType.ALLOW || !b.entry().host().equals("*")) {
                errors.add(service + ": only allow rules from any host are expected: " + b);
            } else if (p.resourceType() == ResourceType.TOPIC && p.patternType() == PatternType.LITERAL
                    && (op == AclOperation.READ || op == AclOperation.WRITE)) {
                (op == AclOperation.READ ? read : write).add(p.name());
            } else if (p.resourceType() == ResourceType.GROUP && p.patternType() == PatternType.PREFIXED && op == AclOperation.READ) {
                groupPrefixes.add(p.name());
            } else {
                errors.add(service + ": an ACL no service needs: " + b);
            }
        }
        if (!read.equals(needs.read())) {
            errors.add(service + ": Read on " + read + ", but it reads " + needs.read());
        }
        if (!write.equals(needs.write())) {
            errors.add(service + ": Write on " + write + ", but it writes " + needs.write());
        }
        if (!groupPrefixes.equals(Set.of(service))) {
            errors.add(service + ": group prefixes " + groupPrefixes + ", expected its name only");
        }
        needs.groups().stream().filter(g -> !g.startsWith(service)).forEach(g -> errors.add(service + ": group " + g
                + " is not under the prefix " + service));
        return errors;
    }

    @Test
    void shouldGrantEachServiceExactlyWhatItsChannelsUse() {
        Map<String, JsonNode> users = users();
        assertEquals(new TreeSet<>(Repo.SERVICES), users.keySet(), "one KafkaUser per service in " + USERS);
        Set<String> topics = new TreeSet<>();
        StrimziSchemaTest.all().stream().filter(r -> r.path("kind").asText().equals("KafkaTopic"))
                .forEach(t -> topics.add(t.path("spec").path("topicName").asText()));
        List<String> errors = new ArrayList<>();
        for (String service : Repo.SERVICES) {
            JsonNode user = users.get(service);
            assertEquals("sim2real", user.path("metadata").path("labels").path("strimzi.io/cluster").asText(), service);
            assertEquals("scram-sha-512", user.path("spec").path("authentication").path("type").asText(), service);
            assertEquals("simple", user.path("spec").path("authorization").path("type").asText(), service);
            errors.addAll(differences(service, user, needs(service)));
            bindings(user).stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
                    .filter(b -> !topics.contains(b.pattern().name()))
                    .forEach(b -> errors.add(service + ": " + b.pattern().name() + " has no KafkaTopic"));
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldSignEachServiceInAsItsOwnUser() {
        List<io.fabric8.kubernetes.api.model.HasMetadata> base = Manifests.base();
        JsonNode listener = StrimziSchemaTest.all().stream().filter(r -> r.path("kind").asText().equals("Kafka")).findFirst()
                .orElseThrow().path("spec").path("kafka").path("listeners").get(0);
        assertEquals("scram-sha-512", listener.path("authentication").path("type").asText(), "the services' listener");
        assertEquals("SASL_" + (listener.path("tls").asBoolean() ? "SSL" : "PLAINTEXT"), configMapValue("KAFKA_SECURITY_PROTOCOL"));
        assertEquals("SCRAM-SHA-512", configMapValue("KAFKA_SASL_MECHANISM"));
        for (String service : Repo.SERVICES) {
            io.fabric8.kubernetes.api.model.Container c = KubernetesManifestsTest.deployment(base, service).getSpec().getTemplate()
                    .getSpec().getContainers().get(0);
            io.fabric8.kubernetes.api.model.EnvVar jaas = c.getEnv().stream()
                    .filter(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG")).findFirst()
                    .orElseThrow(() -> new AssertionError(service + " sets no KAFKA_SASL_JAAS_CONFIG"));
            // Strimzi's user operator writes the Secret under the KafkaUser's name, its JAAS line under sasl.jaas.config.
            assertEquals(service, jaas.getValueFrom().getSecretKeyRef().getName(), service + "'s Secret");
            assertEquals("sasl.jaas.config", jaas.getValueFrom().getSecretKeyRef().getKey(), service);
        }
    }

    @Test
    void shouldNoticeADeliberatelyWrongCopy() {
        JsonNode original = users().get("model-service");
        Needs needs = needs("model-service");
        assertEquals(List.of(), differences("model-service", original, needs));
        // Read on transitions dropped: model-service could not train.
        ObjectNode lacking = original.deepCopy();
        ArrayNode acls = (ArrayNode) lacking.path("spec").path("authorization").path("acls");
        for (int i = 0; i < acls.size(); i++) {
            if (acls.get(i).path("resource").path("name").asText().equals(Topics.TRANSITIONS)) {
                acls.remove(i);
                break;
            }
        }
        assertFalse(differences("model-service", lacking, needs).isEmpty(), "a missing Read passed");
        // A prefix on every topic: more than model-service needs.
        ObjectNode wide = original.deepCopy();
        ObjectNode everything = ((ArrayNode) wide.path("spec").path("authorization").path("acls")).addObject();
        everything.putObject("resource").put("type", "topic").put("name", "sim2real.").put("patternType", "prefix");
        everything.putArray("operations").add("Write");
        assertFalse(differences("model-service", wide, needs).isEmpty(), "a prefix on every topic passed");
    }

    // The real broker: SCRAM-SHA-512 on a SASL_PLAINTEXT listener, Kafka's StandardAuthorizer and the manifests' ACLs.

    static EmbeddedKafkaBroker broker;
    static Path dataDir;
    static String saslServers;
    static final Map<String, String> PASSWORDS = new LinkedHashMap<>();

    @BeforeAll
    static void startBroker() throws Exception {
        dataDir = Files.createTempDirectory("sim2real-kafka-acl-");
        int plain = freePort();
        int controller = freePort();
        int sasl = freePort();
        saslServers = "127.0.0.1:" + sasl;
        Map<String, String> overrides = new HashMap<>();
        // PLAINTEXT (the broker itself and this test's setup) and CONTROLLER are loopback-only super-user listeners,
        // as Strimzi's own TLS listeners are for its operators; the services sign in on SASL.
        overrides.put("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller
                + ",SASL://127.0.0.1:" + sasl);
        overrides.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL://127.0.0.1:" + sasl);
        overrides.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL:SASL_PLAINTEXT");
        overrides.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        overrides.put("listener.name.sasl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        overrides.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        overrides.put("super.users", "User:ANONYMOUS");
        overrides.put("allow.everyone.if.no.acl.found", "false");
        broker = EmbeddedKafkaBroker.persistent(dataDir, plain, controller, overrides).start(Duration.ofSeconds(60));

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            Topics.declaredConfigs().forEach((name, configs) -> topics.add(new NewTopic(name, 1, (short) 1).configs(configs)));
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            List<UserScramCredentialUpsertion> credentials = new ArrayList<>();
            List<AclBinding> acls = new ArrayList<>();
            users().forEach((name, user) -> {
                String password = UUID.randomUUID().toString();
                PASSWORDS.put(name, password);
                credentials.add(new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password));
                acls.addAll(bindings(user));
            });
            admin.alterUserScramCredentials(new ArrayList<>(credentials)).all().get(60, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
            // The authorizer has them once the broker lists them.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeAcls(AclBindingFilter.ANY).values().get().size() < acls.size()) {
                assertTrue(System.nanoTime() < deadline, "the broker never listed the " + acls.size() + " ACLs");
                Thread.sleep(100);
            }
            // One record on every topic for the readers to find.
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                for (String topic : Topics.declaredConfigs().keySet()) {
                    producer.send(new ProducerRecord<>(topic, "seed", "seed")).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    @AfterAll
    static void stopBroker() throws IOException {
        if (broker != null) {
            broker.close();
        }
        if (dataDir != null) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A client's settings as a service in k8s gets them: sim2real-config's protocol and mechanism, its Secret's JAAS line. */
    static Map<String, Object> client(String user, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslServers);
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, configMapValue("KAFKA_SECURITY_PROTOCOL"));
        c.put(SaslConfigs.SASL_MECHANISM, configMapValue("KAFKA_SASL_MECHANISM"));
        // The form of the sasl.jaas.config key of the Secret Strimzi's user operator writes.
        c.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        c.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return c;
    }

    static String configMapValue(String key) {
        String v = Repo.yaml("k8s/base/config.yaml").path("data").path(key).asText(null);
        assertTrue(v != null, "k8s/base/config.yaml sets no " + key);
        return v;
    }

    @Test
    void shouldLetEachServiceWriteAndReadExactlyItsTopicsOnARealBroker() {
        List<String> errors = new ArrayList<>();
        int allowed = 0;
        int denied = 0;
        for (String service : Repo.SERVICES) {
            Needs needs = needs(service);
            Map<String, Object> config = client(service, PASSWORDS.get(service));
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                for (String topic : Topics.declaredConfigs().keySet()) {
                    Throwable error = null;
                    try {
                        producer.send(new ProducerRecord<>(topic, service, "probe")).get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        error = e.getCause();
                    } catch (KafkaException e) {
                        error = e;
                    } catch (Exception e) {
                        throw new AssertionError(service + " writing " + topic, e);
                    }
                    boolean expected = needs.write().contains(topic);
                    if (expected && error != null) {
                        errors.add(service + " could not write " + topic + ": " + error);
                    } else if (!expected && !(error instanceof TopicAuthorizationException)) {
                        errors.add(service + " was not denied writing " + topic + (error == null ? "" : ": " + error));
                    }
                    if (expected) {
                        allowed++;
                    } else {
                        denied++;
                    }
                }
            }
            for (String topic : Topics.declaredConfigs().keySet()) {
                Throwable error = readOne(client(service, PASSWORDS.get(service)), topic, null);
                boolean expected = needs.read().contains(topic);
                if (expected && error != null) {
                    errors.add(service + " could not read " + topic + ": " + error);
                } else if (!expected && !(error instanceof TopicAuthorizationException)) {
                    errors.add(service + " was not denied reading " + topic + (error == null ? "" : ": " + error));
                }
                if (expected) {
                    allowed++;
                } else {
                    denied++;
                }
            }
        }
        assertEquals(List.of(), errors);
        assertTrue(allowed > 0 && denied > 0, allowed + " allowed, " + denied + " denied");
    }

    @Test
    void shouldLetEachServiceJoinItsOwnGroupsAndNoOtherServices() {
        List<String> errors = new ArrayList<>();
        for (String service : Repo.SERVICES) {
            Needs needs = needs(service);
            String topic = needs.read().iterator().next();
            for (String group : needs.groups()) {
                Throwable error = readOne(client(service, PASSWORDS.get(service)), topic, group);
                if (error != null) {
                    errors.add(service + " could not consume " + topic + " in its group " + group + ": " + error);
                }
            }
            String other = Repo.SERVICES.get((Repo.SERVICES.indexOf(service) + 1) % Repo.SERVICES.size());
            String othersGroup = needs(other).groups().iterator().next();
            Throwable error = readOne(client(service, PASSWORDS.get(service)), topic, othersGroup);
            if (!(error instanceof GroupAuthorizationException)) {
                errors.add(service + " was not denied " + other + "'s group " + othersGroup + (error == null ? "" : ": " + error));
            }
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldDenyCreatingTopicsAndAWrongPassword() throws Exception {
        for (String service : Repo.SERVICES) {
            try (Admin admin = Admin.create(client(service, PASSWORDS.get(service)))) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> admin.createTopics(
                        List.of(new NewTopic(Topics.TRANSITIONS + "-" + service, 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), service + " may create topics");
            }
        }
        Throwable error = readOne(client("policy-service", "not-" + PASSWORDS.get("policy-service")), Topics.POLICIES, null);
        assertInstanceOf(SaslAuthenticationException.class, error, "a wrong password was not refused");
    }

    /**
     * metrics-service's packaged jar as a process with its k8s Deployment's environment: sim2real-config's data, its
     * own env values, and KAFKA_SASL_JAAS_CONFIG as its KafkaUser's Secret holds it (the bootstrap address and the
     * HTTP port point at this test's broker and a free port). It must get ready (Quarkus' Kafka health check signs
     * in), its channels' consumers must join the broker as metrics-service's groups, and its dead-letter producer must
     * dead-letter the seeded (invalid) gap record to sim2real.gap.dlq: every client of the service signed in with the
     * KAFKA_* variables. The service with a wrong password never becomes ready.
     */
    @Test
    void shouldRunMetricsServiceSignedInWithItsDeploymentsEnvironment() throws Exception {
        Path jar = Repo.file("metrics-service/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "package metrics-service first (mvn verify builds it before this module): " + jar);
        Map<String, String> env = new LinkedHashMap<>();
        Repo.yaml("k8s/base/config.yaml").path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        io.fabric8.kubernetes.api.model.Container c = KubernetesManifestsTest.deployment(Manifests.base(), "metrics-service")
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        env.put("KAFKA_SASL_JAAS_CONFIG", (String) client("metrics-service", PASSWORDS.get("metrics-service")).get(SaslConfigs.SASL_JAAS_CONFIG));
        env.put("KAFKA_BOOTSTRAP_SERVERS", saslServers);
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        int port = freePort();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));

        Path log = Repo.file("deployment/target/metrics-service-sasl.log");
        Process service = start(jar, env, log);
        try {
            assertTrue(awaitReady(service, port, Duration.ofSeconds(180)), "metrics-service not ready over SASL; its log: " + log);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                Set<String> groups = new TreeSet<>();
                boolean deadLettered = false;
                while (System.nanoTime() < deadline && !(groups.size() >= 4 && deadLettered)) {
                    groups.clear();
                    admin.listGroups().all().get(10, TimeUnit.SECONDS).forEach(g -> {
                        if (g.groupId().startsWith("metrics-service-")) {
                            groups.add(g.groupId().replaceAll("-[0-9a-f-]{36}$", ""));
                        }
                    });
                    deadLettered = hasDeadLetter(Topics.deadLetterOf(Topics.GAP));
                    Thread.sleep(500);
                }
                assertEquals(Set.of("metrics-service-evaluations", "metrics-service-gap", "metrics-service-runs",
                        "metrics-service-transitions"), groups, "metrics-service's consumer groups on the broker");
                assertTrue(deadLettered, "metrics-service did not dead-letter the invalid gap record; its log: " + log);
            }
        } finally {
            service.destroy();
            service.waitFor(60, TimeUnit.SECONDS);
        }

        env.put("KAFKA_SASL_JAAS_CONFIG", (String) client("metrics-service", "wrong").get(SaslConfigs.SASL_JAAS_CONFIG));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port = freePort()));
        Process refused = start(jar, env, Repo.file("deployment/target/metrics-service-sasl-refused.log"));
        try {
            assertFalse(awaitReady(refused, port, Duration.ofSeconds(60)), "metrics-service got ready with a wrong password");
        } finally {
            refused.destroy();
            refused.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static Process start(Path jar, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx384m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Whether the process answers 200 on /q/health/ready within {@code timeout} (false if it exits first). */
    private static boolean awaitReady(Process p, int port, Duration timeout) throws InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** Whether {@code topic} holds a record with service-common's dead-letter reason header. */
    private static boolean hasDeadLetter(String topic) {
        Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            for (int i = 0; i < 4; i++) {
                for (var r : consumer.poll(Duration.ofMillis(250))) {
                    if (r.headers().lastHeader(io.sim2real.service.messaging.DeadLetters.REASON_CODE_HEADER) != null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Reads the seeded record of {@code topic} (partition 0 assigned, or subscribed in {@code group} and committed);
     * null when it was read, else the error that stopped it.
     */
    static Throwable readOne(Map<String, Object> config, String topic, String group) {
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            if (group == null) {
                consumer.assign(List.of(new TopicPartition(topic, 0)));
            } else {
                consumer.subscribe(List.of(topic));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    if (group != null) {
                        consumer.commitSync(Duration.ofSeconds(10));
                    }
                    return null;
                }
            }
            fail("no record of " + topic + " within 30 s" + (group == null ? "" : " in group " + group));
            return null;
        } catch (KafkaException e) {
            return e;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

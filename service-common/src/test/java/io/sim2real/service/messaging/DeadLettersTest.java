package io.sim2real.service.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link DeadLetters} against a real broker: records of any size, a dead-letter topic that refuses them, and one that is missing. */
class DeadLettersTest {

    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    private static DeadLetters deadLetters(SimpleMeterRegistry registry, Duration sendTimeout) {
        DeadLetters d = new DeadLetters();
        d.kafkaConfig = Map.of("bootstrap.servers", broker.bootstrapServers());
        d.registry = registry;
        d.retryBackoff = Duration.ofMillis(200);
        d.sendTimeout = sendTimeout;
        return d;
    }

    /** A dead-letter topic as the provisioner declares it (17 MiB records), or with another size limit. */
    private static void createDeadLetterTopic(String source, Integer maxMessageBytes) throws Exception {
        Map<String, String> configs = new java.util.HashMap<>(Topics.declaredConfigs().get(Topics.deadLetterOf(Topics.TRANSITIONS)));
        if (maxMessageBytes != null) {
            configs.put("max.message.bytes", String.valueOf(maxMessageBytes));
        }
        admin.createTopics(List.of(new NewTopic(Topics.deadLetterOf(source), 1, (short) 1).configs(configs)))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
        return PartitionRecords.read(broker.bootstrapServers(), topic, expected);
    }

    private static InvalidRecordException invalid(String detail) {
        return new InvalidRecordException(InvalidRecordException.Reason.MALFORMED, detail);
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        return r.headers().lastHeader(name) == null ? null
                : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static double counted(SimpleMeterRegistry registry, String name, String topic) {
        var c = registry.find(name).tag("topic", topic).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void shouldDeadLetterARecordAtTheSizeLimitWholeWithItsHeaders() throws Exception {
        String topic = "whole.test";
        createDeadLetterTopic(topic, null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadLetters d = deadLetters(registry, Duration.ofSeconds(30));
        byte[] value = new byte[Topics.MAX_RECORD_BYTES - 1024];
        value[value.length - 1] = 42;
        RecordHeaders original = new RecordHeaders();
        original.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        try {
            d.send(new DeadLetters.Source(topic, 2, 77, "run-9", value, original), "MALFORMED", invalid("not JSON"))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            d.close();
        }
        ConsumerRecord<String, byte[]> dead = readAll(Topics.deadLetterOf(topic), 1).get(0);
        assertEquals("run-9", dead.key());
        assertArrayEquals(value, dead.value());
        assertEquals("abc", header(dead, "trace-id"));
        assertEquals("MALFORMED", header(dead, DeadLetters.REASON_CODE_HEADER));
        assertEquals(DeadLetters.CONTENT_ORIGINAL, header(dead, DeadLetters.CONTENT_HEADER));
        assertEquals(topic, header(dead, "dead-letter-topic"));
        assertEquals("2", header(dead, "dead-letter-partition"));
        assertEquals("77", header(dead, "dead-letter-offset"));
        assertTrue(header(dead, "dead-letter-reason").contains("not JSON"));
        assertEquals(1.0, counted(registry, "sim2real.records.dead.lettered", topic));
    }

    @Test
    void shouldSendMetadataWhenTheDeadLetterTopicRefusesTheWholeRecord() throws Exception {
        String topic = "metadata.test";
        createDeadLetterTopic(topic, 64 * 1024);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadLetters d = deadLetters(registry, Duration.ofSeconds(30));
        byte[] value = new byte[3 * 1024 * 1024];
        try {
            d.send(new DeadLetters.Source(topic, 0, 5, "run-big", value, null), "OUT_OF_RANGE",
                    invalid("x".repeat(100_000))).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            d.close();
        }
        ConsumerRecord<String, byte[]> dead = readAll(Topics.deadLetterOf(topic), 1).get(0);
        assertEquals(DeadLetters.CONTENT_METADATA, header(dead, DeadLetters.CONTENT_HEADER));
        assertEquals("OUT_OF_RANGE", header(dead, DeadLetters.REASON_CODE_HEADER));
        JsonNode meta = new ObjectMapper().readTree(dead.value());
        assertEquals(topic, meta.get("topic").asText());
        assertEquals(5, meta.get("offset").asLong());
        assertEquals(value.length, meta.get("valueBytes").asInt());
        assertEquals("run-big", meta.get("key").asText());
        assertTrue(dead.serializedValueSize() < 64 * 1024, "the metadata fits the small topic");
        assertEquals(1.0, counted(registry, "sim2real.records.dead.lettered", topic));
        assertEquals(1.0, counted(registry, "sim2real.records.dead.lettered.metadata.only", topic));
    }

    @Test
    void shouldWaitAndRetryWhileTheDeadLetterTopicIsMissingAndCountOnlyWhatArrived() throws Exception {
        String topic = "missing.test";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeadLetters d = deadLetters(registry, Duration.ofSeconds(2));
        try {
            CompletableFuture<Void> sent = d.send(new DeadLetters.Source(topic, 1, 3, "run-x", new byte[] {1, 2}, null),
                    "MALFORMED", invalid("bad")).toCompletableFuture();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (d.undelivered().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(sent.isDone(), "not delivered, so not done");
            assertTrue(d.undelivered().get(topic + "-1").contains("offset 3"), d.undelivered().toString());
            assertEquals(0.0, counted(registry, "sim2real.records.dead.lettered", topic));

            createDeadLetterTopic(topic, null);
            sent.get(90, TimeUnit.SECONDS);
            assertTrue(d.undelivered().isEmpty());
            assertEquals(1.0, counted(registry, "sim2real.records.dead.lettered", topic));
            ConsumerRecord<String, byte[]> dead = readAll(Topics.deadLetterOf(topic), 1).get(0);
            assertArrayEquals(new byte[] {1, 2}, dead.value());
            assertNull(header(dead, "dead-letter-cause"));
        } finally {
            d.close();
        }
    }
}

package io.sim2real.service.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.WireFormat;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageSerializer;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.messages.TransitionBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One topic holding JSON v1 (with and without the content-type header) and Protobuf v2 records, read through
 * {@link InboundRecords} from a real broker: the valid ones arrive with the values sent, the invalid v2 ones are
 * dead-lettered with their reason and keep their header and bytes.
 */
class InboundRecordsWireFormatTest {

    private static final String TOPIC = "wire-mix";
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1),
                new NewTopic(Topics.deadLetterOf(TOPIC), 1, (short) 1)
                        .configs(Topics.declaredConfigs().get(Topics.deadLetterOf(Topics.TRANSITIONS)))))
                .all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    /** Doubles as MuJoCo writes them, almost none a float32: v2 must carry them exactly. */
    static TransitionBatch batch(String runId, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] obs = new double[n][17];
        double[][] act = new double[n][6];
        double[][] next = new double[n][17];
        double[] rew = new double[n];
        long[] episodes = new long[n];
        int[] steps = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 17; j++) {
                obs[i][j] = r.nextGaussian();
                next[i][j] = r.nextGaussian();
            }
            for (int j = 0; j < 6; j++) {
                act[i][j] = 2 * r.nextDouble() - 1;
            }
            rew[i] = r.nextGaussian();
            episodes[i] = seed;
            steps[i] = i;
        }
        return new TransitionBatch(SchemaVersion.CURRENT, runId, Domain.REAL, "env-0", 2, episodes, steps, obs, act, rew,
                next, new boolean[n], new boolean[n]);
    }

    private static InboundRecords inbound() {
        InboundRecords in = new InboundRecords();
        in.registry = new SimpleMeterRegistry();
        in.envSpec = EnvSpec.HALF_CHEETAH;
        DeadLetters d = new DeadLetters();
        d.kafkaConfig = Map.of("bootstrap.servers", broker.bootstrapServers());
        d.registry = in.registry;
        d.retryBackoff = Duration.ofMillis(200);
        d.sendTimeout = Duration.ofSeconds(30);
        in.deadLetters = d;
        return in;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> out = PartitionRecords.read(broker.bootstrapServers(), topic, expected);
        assertEquals(expected, out.size(), "records on " + topic);
        return out;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadATopicMixingJsonAndProtobufAndDeadLetterInvalidProtobufWithItsHeader() throws Exception {
        TransitionBatch robot = batch("mix-run", 3, 1);
        TransitionBatch json = batch("mix-run", 4, 2);
        TransitionBatch protobuf = batch("mix-run", 5, 3);
        TransitionBatch nan = batch("mix-run", 2, 4);
        nan.obs()[1][3] = Double.NaN;
        TransitionBatch narrow = new TransitionBatch(1, "mix-run", Domain.SIM, "env-0", 0, new long[1], new int[1],
                new double[][] {new double[16]}, new double[][] {new double[6]}, new double[1],
                new double[][] {new double[16]}, new boolean[1], null);
        Map<String, Object> producerConfig = Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all");
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
             KafkaProducer<String, Sim2RealMessage> asJson = new KafkaProducer<>(producerConfig, new StringSerializer(),
                     new MessageSerializer(WireFormat.JSON));
             KafkaProducer<String, Sim2RealMessage> asProtobuf = new KafkaProducer<>(producerConfig, new StringSerializer(),
                     new MessageSerializer(WireFormat.PROTOBUF))) {
            // A robot: JSON, no header.
            raw.send(new ProducerRecord<>(TOPIC, "mix-run", Codecs.TRANSITION_BATCH.encode(robot))).get();
            asJson.send(new ProducerRecord<>(TOPIC, "mix-run", json)).get();
            asProtobuf.send(new ProducerRecord<>(TOPIC, "mix-run", protobuf)).get();
            asProtobuf.send(new ProducerRecord<>(TOPIC, "mix-run", nan)).get();
            asProtobuf.send(new ProducerRecord<>(TOPIC, "mix-run", narrow)).get();
            ProducerRecord<String, byte[]> junk = new ProducerRecord<>(TOPIC, "mix-run", garbage);
            junk.headers().add(WireFormat.HEADER, WireFormat.PROTOBUF.headerValue());
            raw.send(junk).get();
        }

        List<ConsumerRecord<String, byte[]>> records = readAll(TOPIC, 6);
        assertNull(header(records.get(0), WireFormat.HEADER));
        assertEquals("application/json", header(records.get(1), WireFormat.HEADER));
        assertEquals("application/x-protobuf", header(records.get(2), WireFormat.HEADER));
        assertTrue(records.get(2).value().length / 5.0 < 0.5 * records.get(1).value().length / 4.0,
                "v2 takes less than half the bytes per transition, even as float64");

        InboundRecords in = inbound();
        List<TransitionBatch> received = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            CompletableFuture<Void> acked = new CompletableFuture<>();
            Message<byte[]> message = Message.of(r.value(), Metadata.of(new IncomingKafkaRecordMetadata<>(r, "transitions")),
                    () -> {
                        acked.complete(null);
                        return acked;
                    });
            in.process(message, Codecs.TRANSITION_BATCH, (InboundRecords.Handler<TransitionBatch>) received::add).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertTrue(acked.isDone(), "every record is acked, processed or dead-lettered");
        }
        in.deadLetters.close();

        assertEquals(3, received.size());
        TransitionBatch[] sent = {robot, json, protobuf};
        for (int i = 0; i < 3; i++) {
            assertEquals(sent[i].size(), received.get(i).size());
            assertArrayEquals(sent[i].obs(), received.get(i).obs(), "batch " + i + ": obs exactly as sent");
            assertArrayEquals(sent[i].act(), received.get(i).act());
            assertArrayEquals(sent[i].rew(), received.get(i).rew());
            assertArrayEquals(sent[i].nextObs(), received.get(i).nextObs());
            assertArrayEquals(sent[i].episodeIds(), received.get(i).episodeIds());
        }
        assertEquals(SchemaVersion.PROTOBUF, received.get(2).schemaVersion());

        List<ConsumerRecord<String, byte[]>> dead = readAll(Topics.deadLetterOf(TOPIC), 3);
        String[][] expected = {
                {"NON_FINITE", "field 'obs[1][3]' is NaN"},
                {"DIMENSION_MISMATCH", "field 'obs[0]' has length 16, expected 17"},
                {"MALFORMED", "not a valid TransitionBatch (application/x-protobuf)"}};
        for (int i = 0; i < 3; i++) {
            ConsumerRecord<String, byte[]> letter = dead.get(i);
            ConsumerRecord<String, byte[]> original = records.get(3 + i);
            assertEquals(expected[i][0], header(letter, DeadLetters.REASON_CODE_HEADER));
            assertTrue(header(letter, "dead-letter-reason").contains(expected[i][1]), header(letter, "dead-letter-reason"));
            assertEquals("application/x-protobuf", header(letter, WireFormat.HEADER), "the dead letter keeps the content type");
            assertArrayEquals(original.value(), letter.value(), "the dead letter keeps the original bytes");
            assertEquals("mix-run", letter.key());
            // What an operator does with a dead letter: decode it by its header, as the consumer did.
            if (i < 2) {
                assertEquals(expected[i][0], org.junit.jupiter.api.Assertions.assertThrows(
                        io.sim2real.contracts.validation.InvalidRecordException.class,
                        () -> Codecs.TRANSITION_BATCH.decode(letter.value(), letter.headers(), EnvSpec.HALF_CHEETAH))
                        .reason().name());
            }
        }
    }
}

package io.sim2real.bench;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.service.replay.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How long a restarted service takes to read back a run's transitions from {@code sim2real.transitions}, which is
 * kept for ever ({@link Topics}): the topic is filled with N transitions in TransitionBatches of 200 (JSON v1, as
 * env-service publishes them), then read from its beginning and every batch decoded and validated on one thread,
 * as model-, policy- and metrics-service do at start. Prints seconds per size and the rate, from which the
 * rebuild time of a run of any age follows. The reference is the raw read of the same bytes without decoding.
 * Run: {@code bin/bench rebuild [transitions,...]}.
 */
public final class RebuildBenchmark {

    private static final int TRANSITIONS_PER_BATCH = 200;

    private RebuildBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String sizes = args.length > 0 ? args[0] : "100000,300000,1000000";
        byte[] encoded = Codecs.TRANSITION_BATCH.encode(KafkaSerdeBenchmark.randomBatch(TRANSITIONS_PER_BATCH, 1));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60))) {
            Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
            long written = 0;
            try (Admin admin = Admin.create(client)) {
                admin.createTopics(List.of(new NewTopic(Topics.TRANSITIONS, 3, (short) 1)
                        .configs(Topics.declaredConfigs().get(Topics.TRANSITIONS)))).all().get();
            }
            System.out.printf(Locale.ROOT, "%,d bytes per batch of %d transitions; one thread decodes%n", encoded.length,
                    TRANSITIONS_PER_BATCH);
            System.out.println("transitions  bytes        read only (s)  read + decode + validate (s)  transitions/s");
            for (String size : sizes.split(",")) {
                long target = Long.parseLong(size.trim());
                written += fill(broker.bootstrapServers(), encoded, target - written);
                double rawSeconds = read(client, false);
                double seconds = read(client, true);
                System.out.printf(Locale.ROOT, "%,11d  %,11d  %13.1f  %28.1f  %,13.0f%n", written,
                        written / TRANSITIONS_PER_BATCH * encoded.length, rawSeconds, seconds, written / seconds);
            }
        }
    }

    private static long fill(String bootstrap, byte[] batch, long transitions) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        long batches = (transitions + TRANSITIONS_PER_BATCH - 1) / TRANSITIONS_PER_BATCH;
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < batches; i++) {
                p.send(new ProducerRecord<>(Topics.TRANSITIONS, "run-1", batch));
            }
            p.flush();
        }
        return batches * TRANSITIONS_PER_BATCH;
    }

    private static double read(Map<String, Object> client, boolean decode) {
        AtomicLong sink = new AtomicLong();
        long t0 = System.nanoTime();
        TopicReader.readToEnd(client, Topics.TRANSITIONS, Duration.ofMinutes(30), r -> {
            if (decode) {
                try {
                    TransitionBatch b = Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH);
                    sink.addAndGet(b.size());
                } catch (InvalidRecordException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                sink.addAndGet(r.value().length);
            }
        });
        return (System.nanoTime() - t0) / 1e9;
    }
}

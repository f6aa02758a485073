package io.sim2real.bench;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageSerializer;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.messages.TransitionBatch;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Transitions per second through our path (TransitionBatch encoded by {@link MessageSerializer} in the
 * producer) against the raw Kafka producer sending already-encoded bytes of the same size, to a real broker
 * on loopback, in the same run. Also the consumer side's decode-and-validate cost.
 * Run: {@code bin/bench kafka [batches]}.
 */
public final class KafkaSerdeBenchmark {

    private static final int TRANSITIONS_PER_BATCH = 200;

    private KafkaSerdeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        TransitionBatch batch = randomBatch(TRANSITIONS_PER_BATCH, 1);
        byte[] encoded = Codecs.TRANSITION_BATCH.encode(batch);
        System.out.printf(Locale.ROOT, "TransitionBatch of %d transitions = %,d bytes of JSON (%.0f bytes/transition); %d batches per run%n",
                TRANSITIONS_PER_BATCH, encoded.length, (double) encoded.length / TRANSITIONS_PER_BATCH, batches);

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60))) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("bench-raw", 3, (short) 1), new NewTopic("bench-ours", 3, (short) 1)))
                        .all().get();
            }
            Map<String, Object> config = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, io.sim2real.contracts.Topics.MAX_RECORD_BYTES,
                    ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
            // warm-up both paths
            raw(config, encoded, batches / 4);
            ours(config, batch, batches / 4);
            double[] rawRates = new double[3];
            double[] ourRates = new double[3];
            for (int r = 0; r < 3; r++) {
                rawRates[r] = raw(config, encoded, batches);
                ourRates[r] = ours(config, batch, batches);
            }
            java.util.Arrays.sort(rawRates);
            java.util.Arrays.sort(ourRates);
            double rawT = rawRates[1] * TRANSITIONS_PER_BATCH;
            double ourT = ourRates[1] * TRANSITIONS_PER_BATCH;
            System.out.printf(Locale.ROOT, "producer: raw Kafka (pre-encoded bytes) %,.0f transitions/s   "
                    + "ours (encode + send) %,.0f transitions/s   ratio %.3f%n", rawT, ourT, ourT / rawT);
        }

        long t0 = System.nanoTime();
        int decodes = Math.max(200, batches / 4);
        long sink = 0;
        for (int i = 0; i < decodes; i++) {
            sink += Codecs.TRANSITION_BATCH.decode(encoded, EnvSpec.HALF_CHEETAH).size();
        }
        double decodeRate = sink / ((System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        for (int i = 0; i < decodes; i++) {
            sink += Codecs.TRANSITION_BATCH.encode(batch).length;
        }
        double encodeRate = (double) decodes * TRANSITIONS_PER_BATCH / ((System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "serde alone, one thread: encode %,.0f transitions/s, decode + validate %,.0f transitions/s%n",
                encodeRate, decodeRate);
    }

    private static double raw(Map<String, Object> config, byte[] payload, int batches) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                producer.send(new ProducerRecord<>("bench-raw", "run-" + (i % 8), payload));
            }
            producer.flush();
            return batches / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double ours(Map<String, Object> config, TransitionBatch batch, int batches) {
        try (KafkaProducer<String, Sim2RealMessage> producer = new KafkaProducer<>(config, new StringSerializer(), new MessageSerializer())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                producer.send(new ProducerRecord<>("bench-ours", "run-" + (i % 8), batch));
            }
            producer.flush();
            return batches / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static TransitionBatch randomBatch(int n, long seed) {
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
            steps[i] = i;
        }
        return new TransitionBatch(SchemaVersion.CURRENT, "run-1", Domain.SIM, "env-0", 1, episodes, steps, obs, act, rew,
                next, new boolean[n], new boolean[n]);
    }
}

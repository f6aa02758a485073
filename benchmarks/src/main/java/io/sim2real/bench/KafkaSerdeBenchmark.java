package io.sim2real.bench;

import io.sim2real.broker.EmbeddedKafkaBroker;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.WireFormat;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.json.MessageSerializer;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.messages.TransitionBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Transitions per second through our path ({@link MessageSerializer} encoding each batch in the producer) against the
 * raw Kafka producer sending already-encoded bytes of the same encoding, to a real broker on loopback, in the same
 * run; and the consumer side's decode-and-validate on one thread. Schema version 1 (JSON) and 2 (Protobuf) side by
 * side, for env transitions (doubles, as MuJoCo writes them: v2 carries them as float64) and model rollouts (v2 exact:
 * float32 actions, float64 for the rest; and v2 float32, {@code sim2real.rollout-precision=float32}), with the ratios. Run: {@code bin/bench kafka [batches of 200 transitions]}.
 */
public final class KafkaSerdeBenchmark {

    private static final int TRANSITIONS_PER_BATCH = 200;
    /** model-service's rollout-batch-size: the chunk a rollout round goes in. */
    private static final int ROLLOUTS_PER_BATCH = 5000;
    private static final EnvSpec SPEC = EnvSpec.HALF_CHEETAH;

    private KafkaSerdeBenchmark() {
    }

    /** One message kind in one encoding, as a producer configured with {@code settings} sends it. */
    private record Case(String name, Sim2RealMessage message, int rows, MessageCodec<? extends Sim2RealMessage> codec,
                        WireFormat format, Map<String, Object> settings, byte[] encoded) {

        static Case of(String name, Sim2RealMessage message, int rows, MessageCodec<? extends Sim2RealMessage> codec,
                       Map<String, Object> settings) {
            MessageSerializer serializer = serializer(settings);
            RecordHeaders headers = new RecordHeaders();
            byte[] encoded = serializer.serialize("bench", headers, message);
            return new Case(name, message, rows, codec, serializer.formatOf(message), settings, encoded);
        }

        String encoding() {
            return format.contentType() + (settings.containsKey(MessageSerializer.ROLLOUT_PRECISION_CONFIG) ? " (float32)" : "");
        }

        double bytesPerRow() {
            return (double) encoded.length / rows;
        }
    }

    private static MessageSerializer serializer(Map<String, Object> settings) {
        MessageSerializer s = new MessageSerializer();
        s.configure(settings, false);
        return s;
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        long totalRows = (long) batches * TRANSITIONS_PER_BATCH;
        TransitionBatch transitions = randomBatch(TRANSITIONS_PER_BATCH, 1);
        RolloutBatch rollouts = randomRollouts(ROLLOUTS_PER_BATCH, 2);
        Map<String, Object> json = Map.of(MessageSerializer.WIRE_FORMAT_CONFIG, "json");
        Map<String, Object> protobuf = Map.of(MessageSerializer.WIRE_FORMAT_CONFIG, "protobuf");
        Map<String, Object> float32 = Map.of(MessageSerializer.WIRE_FORMAT_CONFIG, "protobuf",
                MessageSerializer.ROLLOUT_PRECISION_CONFIG, "float32");
        List<Case> cases = List.of(
                Case.of("transitions", transitions, TRANSITIONS_PER_BATCH, Codecs.TRANSITION_BATCH, json),
                Case.of("transitions", transitions, TRANSITIONS_PER_BATCH, Codecs.TRANSITION_BATCH, protobuf),
                Case.of("rollouts", rollouts, ROLLOUTS_PER_BATCH, Codecs.ROLLOUT_BATCH, json),
                Case.of("rollouts", rollouts, ROLLOUTS_PER_BATCH, Codecs.ROLLOUT_BATCH, protobuf),
                Case.of("rollouts", rollouts, ROLLOUTS_PER_BATCH, Codecs.ROLLOUT_BATCH, float32));
        System.out.printf(Locale.ROOT, "%,d transitions per measurement; TransitionBatch of %d rows, RolloutBatch of %d rows%n",
                totalRows, TRANSITIONS_PER_BATCH, ROLLOUTS_PER_BATCH);
        for (Case c : cases) {
            System.out.printf(Locale.ROOT, "  %-11s %-32s %,10d bytes per batch = %4.0f bytes/transition%n",
                    c.name, c.encoding(), c.encoded.length, c.bytesPerRow());
        }

        List<double[]> producer = new ArrayList<>(); // per case: raw, ours (transitions/s)
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
            for (Case c : cases) {
                int n = (int) Math.max(4, totalRows / c.rows);
                raw(config, c, n / 4); // warm-up
                ours(config, c, n / 4);
                double[] rawRates = new double[3];
                double[] ourRates = new double[3];
                for (int r = 0; r < 3; r++) {
                    rawRates[r] = raw(config, c, n) * c.rows;
                    ourRates[r] = ours(config, c, n) * c.rows;
                }
                producer.add(new double[] {median(rawRates), median(ourRates)});
            }
        }

        System.out.println();
        System.out.println("| message | encoding | bytes/transition | raw producer (pre-encoded), transitions/s | ours: encode + send | "
                + "ratio to raw | encode alone, 1 thread | decode + validate, 1 thread |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        double[][] serde = new double[cases.size()][];
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            serde[i] = serde(c, (int) Math.max(20, totalRows / 4 / c.rows));
            System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %,.0f | %,.0f | **%.3f** | %,.0f | %,.0f |%n", c.name,
                    c.encoding(), c.bytesPerRow(), producer.get(i)[0], producer.get(i)[1],
                    producer.get(i)[1] / producer.get(i)[0], serde[i][0], serde[i][1]);
        }
        System.out.println();
        for (int i = 0; i < cases.size(); i++) {
            Case v2 = cases.get(i);
            if (v2.format == WireFormat.JSON) {
                continue;
            }
            int j = i;
            while (cases.get(j).format != WireFormat.JSON || !cases.get(j).name.equals(v2.name)) {
                j--;
            }
            Case v1 = cases.get(j);
            System.out.printf(Locale.ROOT, "%s %s against JSON: bytes %.3f, encode + send %.2fx, encode %.2fx, "
                            + "decode + validate %.2fx%n", v2.name, v2.encoding(), (double) v2.encoded.length / v1.encoded.length,
                    producer.get(i)[1] / producer.get(j)[1], serde[i][0] / serde[j][0], serde[i][1] / serde[j][1]);
        }
    }

    /** Median of three runs of encode alone and of decode + validate (by the record's header), transitions/s. */
    private static double[] serde(Case c, int reps) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireFormat.HEADER, c.format.headerValue());
        MessageSerializer serializer = serializer(c.settings);
        double[] enc = new double[3];
        double[] dec = new double[3];
        long sink = 0;
        for (int r = -1; r < 3; r++) { // r = -1: warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                sink += serializer.serialize("bench", new RecordHeaders(), c.message).length;
            }
            double e = (double) reps * c.rows / ((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                sink += c.codec.decode(c.encoded, headers, SPEC).schemaVersion();
            }
            double d = (double) reps * c.rows / ((System.nanoTime() - t0) / 1e9);
            if (r >= 0) {
                enc[r] = e;
                dec[r] = d;
            }
        }
        if (sink == 42) {
            System.out.println();
        }
        return new double[] {median(enc), median(dec)};
    }

    private static double median(double[] three) {
        double[] s = three.clone();
        Arrays.sort(s);
        return s[1];
    }

    /** Batches/s of the raw producer sending the case's pre-encoded bytes, with the same header ours sets. */
    private static double raw(Map<String, Object> config, Case c, int batches) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>("bench-raw", "run-" + (i % 8), c.encoded);
                record.headers().add(WireFormat.HEADER, c.format.headerValue());
                producer.send(record);
            }
            producer.flush();
            return batches / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double ours(Map<String, Object> config, Case c, int batches) {
        try (KafkaProducer<String, Sim2RealMessage> producer = new KafkaProducer<>(config, new StringSerializer(),
                serializer(c.settings))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                producer.send(new ProducerRecord<>("bench-ours", "run-" + (i % 8), c.message));
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

    /**
     * Rollouts as model-service writes them: observations, next observations and rewards are doubles (start states from
     * MuJoCo, predictions de-standardised in float64), actions come from the float32 actor.
     */
    static RolloutBatch randomRollouts(int n, long seed) {
        TransitionBatch b = randomBatch(n, seed);
        for (double[] a : b.act()) {
            for (int j = 0; j < a.length; j++) {
                a[j] = (float) a[j];
            }
        }
        return new RolloutBatch(SchemaVersion.CURRENT, "run-1", 3, 7, false, Domain.SIM, b.obs(), b.act(), b.rew(),
                b.nextObs(), b.done(), 4000L, 100_000L);
    }
}

package io.sim2real.experiments;

import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.validation.Checks;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code sim2real publish-policy}: puts a saved PolicySnapshot (e.g. one that {@code sim2real train} wrote) on
 * {@code sim2real.policies} as the newest policy of a run, so that env-service can act with it: evaluations, and
 * datasets of a known behaviour quality ({@code "policy": "snapshot"}). The file is validated first.
 */
public final class PublishPolicy {

    static final Set<String> OPTIONS = Set.of("file", "run-id", "bootstrap");

    private PublishPolicy() {
    }

    public static PolicySnapshot run(String[] argv, PrintStream out) throws Exception {
        Args args = new Args(argv, OPTIONS);
        // Each option checked, and named, before the file is read or the broker contacted.
        if (!args.has("file")) {
            throw new IllegalArgumentException("--file is required: a policy JSON file (as sim2real train writes them)");
        }
        Path file = Path.of(args.text("file", ""));
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("--file: no readable file '" + file + "'");
        }
        String runId = args.text("run-id", "");
        if (runId.isEmpty()) {
            throw new IllegalArgumentException("--run-id is required: the run whose newest policy this becomes");
        }
        if (!Checks.RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("--run-id must match " + Checks.RUN_ID.pattern() + ", got '" + runId + "'");
        }
        String bootstrap = GapSweep.bootstrap(args.text("bootstrap", "127.0.0.1:9092"));
        PolicySnapshot saved = PolicyFiles.read(file, "--file");
        PolicySnapshot policy = new PolicySnapshot(saved.schemaVersion(), runId, saved.version(), saved.envStep(),
                saved.architecture(), saved.obsDim(), saved.actDim(), saved.weights(), saved.sha256(), saved.checkpointUri());
        byte[] encoded = Codecs.POLICY_SNAPSHOT.encode(policy);
        Codecs.POLICY_SNAPSHOT.decode(encoded, EnvSpec.HALF_CHEETAH);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.POLICIES, runId, encoded)).get();
        }
        out.printf("published %s as run %s's policy v%d (%d bytes) on %s%n", file, runId, policy.version(), encoded.length,
                Topics.POLICIES);
        return policy;
    }
}

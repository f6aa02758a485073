package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.testing.KafkaBrokerResource;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy written in another language from the contract alone: examples/python/publish_policy.py builds a
 * PolicySnapshot from docs/CONTRACTS.md 3.3's layout in plain Python, its JSON bytes go unchanged onto
 * {@code sim2real.policies} (by the Java producer: the machine's Python package index has no Kafka client), and
 * env-service, on the real broker and real MuJoCo, acts with it: every collected transition carries its version, and
 * each action is tanh(m + std eps) for the mean m and std Python computes for the transition's observation, with eps
 * a standard normal draw (per action dimension: mean near 0, variance near 1, none beyond 6), which holds only if
 * both sides read the weights, activations and log-std squashing alike.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class PythonPolicySnapshotTest {

    private static final String TOKEN = "Bearer test-token";
    private static final String RUN = "python-policy-run";
    private static final long VERSION = 3;
    private static final int STEPS = 2000;

    @InjectKafkaCompanion
    KafkaCompanion companion;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** python3 on the PATH; missing, the test fails under bin/test or CI (it names the package) and skips elsewhere. */
    static String python() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "python3");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String why = "python3 is not installed: apt-get install -y --no-install-recommends python3 (bin/test does)";
        String require = System.getenv("SIM2REAL_REQUIRE_TOOLS");
        if (System.getenv("CI") != null || (require != null && !require.isEmpty() && !require.equals("0"))) {
            throw new AssertionError(why);
        }
        abort(why);
        return null;
    }

    /** Runs the example with these arguments from the repository root; returns its standard output. */
    static String example(Path dir, String... args) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> command = new ArrayList<>(List.of(python(), root.resolve("examples/python/publish_policy.py").toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("python.out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "publish_policy.py did not finish in 120 s");
        String printed = Files.readString(out);
        assertEquals(0, p.exitValue(), "publish_policy.py " + String.join(" ", args) + ": " + printed);
        return printed;
    }

    @Test
    void shouldActWithAPolicySnapshotBuiltInPythonFromTheContract(@TempDir Path dir) throws Exception {
        Path snapshot = dir.resolve("snapshot.json");
        example(dir, "build", "--run-id", RUN, "--version", String.valueOf(VERSION), "--env-step", "0", "--hidden", "16,16",
                "--seed", "7", "--out", snapshot.toString());
        byte[] value = Files.readAllBytes(snapshot);
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.POLICIES, RUN, value))
                .awaitCompletion();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/policies/" + RUN).then().statusCode(200).body("version", equalTo((int) VERSION)));

        String id = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"" + RUN + "\",\"domain\":\"sim\",\"policy\":\"snapshot\",\"envSteps\":" + STEPS
                        + ",\"numEnvs\":4,\"batchSize\":250,\"seed\":11}")
                .post("/api/v1/collections").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                given().get("/api/v1/collections/" + id).then().body("state", equalTo("DONE")));

        List<TransitionBatch> batches = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : companion.consume(String.class, byte[].class)
                .fromTopics(Topics.TRANSITIONS, x -> x.select().where(t -> RUN.equals(t.key())).select().first(STEPS / 250))
                .awaitCompletion(Duration.ofSeconds(30)).getRecords()) {
            batches.add(Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH));
        }
        List<double[]> obs = new ArrayList<>();
        List<double[]> act = new ArrayList<>();
        for (TransitionBatch b : batches) {
            assertEquals(VERSION, b.policyVersion(), "every transition was chosen by the Python policy");
            obs.addAll(List.of(b.obs()));
            act.addAll(List.of(b.act()));
        }
        assertEquals(STEPS, obs.size());

        Path obsFile = dir.resolve("obs.json");
        Files.writeString(obsFile, JSON.writeValueAsString(obs), StandardCharsets.UTF_8);
        JsonNode python = JSON.readTree(example(dir, "act", "--snapshot", snapshot.toString(), "--obs", obsFile.toString()));
        int actDim = EnvSpec.HALF_CHEETAH.actDim();
        double[] sum = new double[actDim];
        double[] sumSq = new double[actDim];
        double[] sumSqOtherStd = new double[actDim];
        double worst = 0;
        for (int i = 0; i < STEPS; i++) {
            for (int j = 0; j < actDim; j++) {
                double a = act.get(i)[j];
                double mean = python.get("mean").get(i).get(j).asDouble();
                double std = python.get("std").get(i).get(j).asDouble();
                double u = 0.5 * Math.log((1 + a) / (1 - a)); // atanh: the pre-squash value behind a = tanh(u)
                double eps = (u - mean) / std;
                sum[j] += eps;
                sumSq[j] += eps * eps;
                worst = Math.max(worst, Math.abs(eps));
                double other = (u - mean) / python.get("std").get(i).get((j + 1) % actDim).asDouble();
                sumSqOtherStd[j] += other * other;
            }
        }
        boolean otherStdFits = true;
        for (int j = 0; j < actDim; j++) {
            double m = sum[j] / STEPS;
            double var = sumSq[j] / STEPS - m * m;
            System.out.printf("action %d: the noise behind env-service's actions has mean %.4f, variance %.4f%n", j, m, var);
            // 2,000 draws: the mean's standard error is 0.022, the variance's 0.032
            assertTrue(Math.abs(m) < 0.12 && var > 0.85 && var < 1.15, "action " + j + ": the noise behind env-service's "
                    + "actions, by Python's decoding, has mean " + m + " and variance " + var + ", not a standard normal's");
            double otherVar = sumSqOtherStd[j] / STEPS;
            otherStdFits &= otherVar > 0.85 && otherVar < 1.15;
        }
        assertTrue(worst < 6, "a noise draw of " + worst + " standard deviations: the decodings disagree");
        // The check can tell decodings apart: with the next action's std (the example gives each action its own), it fails.
        assertTrue(!otherStdFits, "the noise check also passes with another action's std, so it cannot check the std");

        // Evaluations act with the mean, tanh(m): deterministic, and with the same version.
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"" + RUN + "\",\"policy\":\"snapshot\",\"episodes\":1}")
                .post("/api/v1/evaluations").then().statusCode(200)
                .body("[0].policyVersion", equalTo((int) VERSION)).body("[0].deterministic", equalTo(true));
    }
}

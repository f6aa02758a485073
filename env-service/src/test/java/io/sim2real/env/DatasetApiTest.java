package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.testing.KafkaBrokerResource;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Offline datasets through env-service's API, replayed onto the real broker. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class DatasetApiTest {

    private static final String TOKEN = "Bearer test-token";

    @InjectKafkaCompanion
    KafkaCompanion companion;

    private static String line(int step, double obs0, String act0) {
        String obs = "[" + obs0 + ",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
        return "{\"episodeId\":1,\"step\":" + step + ",\"obs\":" + obs + ",\"act\":[" + act0 + ",0,0,0,0,0],\"rew\":0.5,"
                + "\"nextObs\":" + obs + "}\n";
    }

    @Test
    void shouldGenerateListAndReplayADatasetAsRealTransitions() throws Exception {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"gravity2-random\",\"domain\":\"real\",\"physics\":{\"gravity\":2.0},\"policy\":\"random\","
                        + "\"envSteps\":300,\"numEnvs\":2,\"seed\":7}")
                .post("/api/v1/datasets").then().statusCode(201)
                .body("header.transitions", equalTo(300)).body("header.physics.gravity", equalTo(2.0f));
        given().get("/api/v1/datasets").then().statusCode(200).body("name", hasItem("gravity2-random"));

        given().header("Authorization", TOKEN).contentType("application/json").body("{\"runId\":\"replay-run\",\"batchSize\":100}")
                .post("/api/v1/datasets/gravity2-random/replay").then().statusCode(200).body("batches", equalTo(3));
        List<ConsumerRecord<String, byte[]>> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.TRANSITIONS, r -> r.select().where(x -> "replay-run".equals(x.key())).select().first(3))
                .awaitCompletion(Duration.ofSeconds(30)).getRecords();
        int total = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            TransitionBatch b = Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH);
            assertEquals(Domain.REAL, b.domain());
            total += b.size();
        }
        assertEquals(300, total);
    }

    @Test
    void shouldGenerateADatasetWithALearnedPolicyAndSayWhichOne() {
        var actor = new io.sim2real.nn.SquashedGaussianActor(17, 6, new int[] {16}, 4, 3);
        var expert = io.sim2real.nn.PolicySnapshots.toSnapshot(actor, 17, new int[] {16}, "policy-expert", 9, 900);
        companion.produce(String.class, byte[].class).fromRecords(new org.apache.kafka.clients.producer.ProducerRecord<>(
                Topics.POLICIES, "policy-expert", Codecs.POLICY_SNAPSHOT.encode(expert))).awaitCompletion();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/v1/policies/policy-expert").then().statusCode(200).body("version", equalTo(9)));

        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"gravity1.5-expert\",\"domain\":\"real\",\"physics\":{\"gravity\":1.5},\"policy\":\"snapshot\","
                        + "\"policyRunId\":\"policy-expert\",\"envSteps\":200,\"numEnvs\":2,\"seed\":7}")
                .post("/api/v1/datasets").then().statusCode(201)
                .body("header.behaviour", equalTo("snapshot")).body("header.transitions", equalTo(200))
                .body("header.description", equalTo("200 steps of the policy v9 of run 'policy-expert' (sampled actions) in {gravity=1.5}"));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"no-policy\",\"policy\":\"snapshot\",\"policyRunId\":\"nobody\",\"envSteps\":10}")
                .post("/api/v1/datasets").then().statusCode(400);
    }

    @Test
    void shouldSaveARunsPublishedTransitionsAsADataset() throws Exception {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"run-to-save\",\"domain\":\"real\",\"physics\":{\"thigh_length\":1.5},"
                        + "\"envSteps\":250,\"numEnvs\":1,\"batchSize\":100,\"seed\":3}")
                .post("/api/v1/collections").then().statusCode(202);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().header("Authorization", TOKEN).contentType("application/json")
                        .body("{\"runId\":\"run-to-save\",\"domain\":\"real\"}")
                        .post("/api/v1/datasets/saved-run/from-run").then().statusCode(201)
                        .body("header.transitions", equalTo(250)).body("header.behaviour", equalTo("run:run-to-save")));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"run-to-save\",\"domain\":\"sim\"}")
                .post("/api/v1/datasets/nothing/from-run").then().statusCode(404);
    }

    @Test
    void shouldImportARobotLogAllOrNothing() {
        given().header("Authorization", TOKEN).contentType("application/x-ndjson")
                .body((line(0, 0.1, "0.5") + line(1, 0.2, "-0.5")).getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/robot-log/import").then().statusCode(201).body("header.transitions", equalTo(2))
                .body("header.behaviour", equalTo("imported"));
        given().header("Authorization", TOKEN).contentType("application/x-ndjson")
                .body((line(0, 0.1, "0.5") + line(1, 0.2, "1.5")).getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/robot-log-bad/import").then().statusCode(422).body("message", containsString("line 2"));
        given().get("/api/v1/datasets").then().body("name", org.hamcrest.Matchers.not(hasItem("robot-log-bad")));
    }

    @Test
    void shouldRefuseACorruptFileWithAClearErrorAndBadNamesWith400() throws Exception {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"to-corrupt\",\"envSteps\":50,\"seed\":1}").post("/api/v1/datasets").then().statusCode(201);
        try (RandomAccessFile f = new RandomAccessFile(Path.of("target/test-datasets/to-corrupt.s2rds").toFile(), "rw")) {
            f.seek(f.length() - 10);
            int b = f.read();
            f.seek(f.length() - 10);
            f.write(b ^ 0xFF);
        }
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"runId\":\"corrupt-run\"}")
                .post("/api/v1/datasets/to-corrupt/replay").then().statusCode(422).body("message", containsString("checksum mismatch"));
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"runId\":\"r\"}")
                .post("/api/v1/datasets/no-such-set/replay").then().statusCode(404);
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"../../etc/passwd\"}").post("/api/v1/datasets").then().statusCode(400);
    }
}

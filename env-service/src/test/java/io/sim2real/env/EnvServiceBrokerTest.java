package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.ServiceBaselineTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class EnvServiceBrokerTest extends ServiceBaselineTest {

    private static final String TOKEN = "Bearer test-token";

    @Test
    void shouldPublishPlaceholderTransitionsKeyedByTheirRun() throws Exception {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"slice-run\",\"domain\":\"real\",\"batches\":3,\"batchSize\":50,\"seed\":4}")
                .post("/api/v1/placeholder/transitions")
                .then().statusCode(200).body("transitions", equalTo(150));

        ConsumerTask<String, byte[]> records = companion.consume(String.class, byte[].class)
                .fromTopics(Topics.TRANSITIONS, 3).awaitCompletion(Duration.ofSeconds(30));
        int transitions = 0;
        for (ConsumerRecord<String, byte[]> r : records.getRecords()) {
            assertEquals("slice-run", r.key());
            TransitionBatch batch = Codecs.TRANSITION_BATCH.decode(r.value(), EnvSpec.HALF_CHEETAH);
            assertEquals("real", batch.domain().wireName());
            transitions += batch.size();
        }
        assertEquals(150, transitions);
    }

    @Test
    void shouldRefuseStateChangesWithoutTheToken() {
        String body = "{\"runId\":\"no-token\",\"batches\":1,\"batchSize\":1}";
        given().contentType("application/json").body(body).post("/api/v1/placeholder/transitions")
                .then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType("application/json").body(body)
                .post("/api/v1/placeholder/transitions").then().statusCode(401);
    }

    @Test
    void shouldAnswerBadParametersWith400AndAMessage() {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"r\",\"batches\":0}").post("/api/v1/placeholder/transitions")
                .then().statusCode(400).body("message", containsString("batches"));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"../etc\"}").post("/api/v1/placeholder/transitions")
                .then().statusCode(400).body("message", containsString("runId"));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"r\",\"domain\":\"moon\"}").post("/api/v1/placeholder/transitions")
                .then().statusCode(400).body("message", containsString("moon"));
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":").post("/api/v1/placeholder/transitions")
                .then().statusCode(400);
    }
}

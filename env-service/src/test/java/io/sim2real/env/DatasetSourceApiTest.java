package io.sim2real.env;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.testing.KafkaBrokerResource;
import org.junit.jupiter.api.Test;

/**
 * A run whose real data is a dataset names it in its RunSpec ({@code realDomain.source}): env-service accepts it only for
 * a dataset it holds with that checksum, size and physics (400 naming the field otherwise), and then replays only that
 * dataset for the run and collects no emulated real domain for it.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class DatasetSourceApiTest {

    private static final String TOKEN = "Bearer test-token";

    private static String run(String runId, String dataset, String sha, long transitions, String factors) {
        return "{\"schemaVersion\":1,\"runId\":\"" + runId + "\",\"method\":\"latent-sim-init\",\"mode\":\"lockstep\",\"seed\":1,"
                + "\"envSteps\":1000,\"realDomain\":{\"name\":\"g2\",\"factors\":" + factors + ",\"source\":{\"kind\":\"dataset\","
                + "\"dataset\":\"" + dataset + "\",\"sha256\":\"" + sha + "\",\"transitions\":" + transitions + "}},"
                + "\"trainingDomains\":[\"sim\",\"real\"],\"createdAtMs\":1}";
    }

    private static io.restassured.response.ValidatableResponse submit(String body) {
        return given().header("Authorization", TOKEN).contentType("application/json").body(body).post("/api/v1/runs").then();
    }

    @Test
    void shouldAcceptARunOnlyForTheDatasetItNamesAndReplayOnlyThatOne() {
        String sha = given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"source-g2\",\"domain\":\"real\",\"physics\":{\"gravity\":2.0},\"policy\":\"random\","
                        + "\"envSteps\":200,\"numEnvs\":1,\"seed\":3}")
                .post("/api/v1/datasets").then().statusCode(201).extract().path("header.bodySha256");
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"name\":\"source-other\",\"domain\":\"real\",\"physics\":{\"gravity\":2.0},\"policy\":\"random\","
                        + "\"envSteps\":100,\"numEnvs\":1,\"seed\":4}")
                .post("/api/v1/datasets").then().statusCode(201);
        String gravity2 = "{\"gravity\":2.0}";
        String otherSha = sha.replace(sha.charAt(0), sha.charAt(0) == 'a' ? 'b' : 'a');

        submit(run("src-unknown", "no-such-dataset", sha, 200, gravity2)).statusCode(400)
                .body("message", containsString("realDomain.source.dataset"));
        submit(run("src-sha", "source-g2", otherSha, 200, gravity2)).statusCode(400)
                .body("message", containsString("realDomain.source.sha256"));
        submit(run("src-size", "source-g2", sha, 201, gravity2)).statusCode(400)
                .body("message", containsString("realDomain.source.transitions"));
        submit(run("src-physics", "source-g2", sha, 200, "{\"gravity\":1.5}")).statusCode(400)
                .body("message", containsString("realDomain.factors"));
        submit(run("src-ok", "source-g2", sha, 200, gravity2)).statusCode(202)
                .body("realDomain.source.dataset", equalTo("source-g2"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> given().get("/api/v1/runs/src-ok").statusCode() == 200);

        // Its real transitions are that dataset: no emulated real collection, no other dataset.
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"runId\":\"src-ok\",\"domain\":\"real\",\"policy\":\"random\"}")
                .post("/api/v1/collections").then().statusCode(400)
                .body("message", allOf(containsString("field 'domain'"), containsString("source-g2")));
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"runId\":\"src-ok\",\"batchSize\":100}")
                .post("/api/v1/datasets/source-other/replay").then().statusCode(400)
                .body("message", containsString("realDomain.source.dataset"));
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"runId\":\"src-ok\",\"batchSize\":100}")
                .post("/api/v1/datasets/source-g2/replay").then().statusCode(200).body("transitions", equalTo(200));
    }
}

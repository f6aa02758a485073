package io.sim2real.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.testing.KafkaBrokerResource;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The RunSpec examples of /q/openapi (service-common's runs resource) decode with the contracts' codec. That every
 * endpoint is documented, with descriptions and examples, every service's baseline test checks
 * ({@code ServiceBaselineTest}, {@code OpenApiDocument}).
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class OpenApiDocumentationTest {

    private static JsonNode document() throws Exception {
        String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        return new ObjectMapper().readTree(json);
    }

    @Test
    void theRunSpecExamplesAreRunSpecsTheCodecAccepts() throws Exception {
        JsonNode runs = document().path("paths").path("/api/v1/runs");
        JsonNode examples = runs.path("post").path("requestBody").path("content").path("application/json").path("examples");
        assertFalse(examples.isEmpty(), "POST /api/v1/runs has an example: " + runs);
        for (JsonNode example : examples) {
            JsonNode value = example.path("value");
            byte[] json = (value.isTextual() ? value.asText() : value.toString()).getBytes(StandardCharsets.UTF_8);
            RunSpec run = Codecs.RUN_SPEC.decode(json, EnvSpec.HALF_CHEETAH);
            assertEquals(RunSpec.Method.SAC, run.method());
        }
        assertTrue(runs.path("post").path("description").asText().contains("docs/schemas/RunSpec.v1.schema.json"));
    }
}

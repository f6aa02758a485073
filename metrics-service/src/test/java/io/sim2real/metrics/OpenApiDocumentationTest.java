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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * metrics-service's /q/openapi describes each of its endpoints (its own and service-common's runs and run-parameters):
 * a summary, a description of the main (lowest 2xx) response with an example wherever it has a body, and an example of
 * every request body; the RunSpec examples decode with the contracts' codec.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class OpenApiDocumentationTest {

    private static JsonNode document() throws Exception {
        String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        return new ObjectMapper().readTree(json);
    }

    @Test
    void everyEndpointHasASummaryAndExamplesOfItsRequestBodyAndMainResponse() throws Exception {
        JsonNode paths = document().path("paths");
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> p = paths.fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            for (Iterator<Map.Entry<String, JsonNode>> o = path.getValue().fields(); o.hasNext(); ) {
                Map.Entry<String, JsonNode> op = o.next();
                if (!List.of("get", "post", "put", "delete", "patch").contains(op.getKey())) {
                    continue;
                }
                operations++;
                String where = op.getKey().toUpperCase() + " " + path.getKey();
                JsonNode operation = op.getValue();
                if (operation.path("summary").asText().isBlank()) {
                    problems.add(where + ": no summary");
                }
                JsonNode body = operation.path("requestBody");
                if (!body.isMissingNode() && !hasExamples(body.path("content"))) {
                    problems.add(where + ": request body without an example");
                }
                String main = null;
                for (Iterator<String> codes = operation.path("responses").fieldNames(); codes.hasNext(); ) {
                    String code = codes.next();
                    if (code.startsWith("2") && (main == null || code.compareTo(main) < 0)) {
                        main = code;
                    }
                }
                if (main == null) {
                    problems.add(where + ": no 2xx response");
                    continue;
                }
                JsonNode response = operation.path("responses").path(main);
                if (response.path("description").asText().isBlank()) {
                    problems.add(where + " " + main + ": no description");
                }
                if (response.has("content") && !hasExamples(response.path("content"))) {
                    problems.add(where + " " + main + ": response body without an example");
                }
                operation.path("parameters").forEach(param -> {
                    if ("path".equals(param.path("in").asText()) && param.path("description").asText().isBlank()) {
                        problems.add(where + ": path parameter " + param.path("name").asText() + " without a description");
                    }
                });
            }
        }
        assertTrue(operations >= 9, "metrics-service's and service-common's operations found: " + operations);
        assertEquals(List.of(), problems);
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

    private static boolean hasExamples(JsonNode content) {
        if (!content.isObject() || content.isEmpty()) {
            return false;
        }
        for (JsonNode media : content) {
            if (!media.has("example") && media.path("examples").isEmpty()) {
                return false;
            }
        }
        return true;
    }
}

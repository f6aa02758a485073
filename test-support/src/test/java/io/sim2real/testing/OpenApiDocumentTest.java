package io.sim2real.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The check every service's baseline test applies to its /q/openapi: what it accepts and each thing it reports. */
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST with a body and a path parameter, one DELETE without a body, as SmallRye OpenAPI writes them. */
    private static final String COMPLETE = """
            {"paths": {
              "/api/v1/runs/{runId}": {
                "parameters": [],
                "post": {"summary": "Submit", "parameters": [{"name": "runId", "in": "path", "description": "The run id", "example": "r1"}],
                  "requestBody": {"content": {"application/json": {"examples": {"one": {"value": {"seed": 1}}}}}},
                  "responses": {"202": {"description": "Accepted", "content": {"application/json": {"example": {"runId": "r1"}}}},
                                "400": {"description": "Invalid"}}},
                "delete": {"summary": "Delete", "parameters": [{"name": "runId", "in": "path", "description": "The run id", "example": "r1"}],
                  "responses": {"204": {"description": "Deleted"}}}
              }}}""";

    private static JsonNode complete() throws Exception {
        return JSON.readTree(COMPLETE);
    }

    @Test
    void aCompleteDocumentHasNoProblemsAndListsItsOperations() throws Exception {
        assertEquals(List.of(), OpenApiDocument.problems(complete()));
        assertEquals(Set.of("POST /api/v1/runs/{runId}", "DELETE /api/v1/runs/{runId}"), OpenApiDocument.operations(complete()));
    }

    @Test
    void eachMissingDescriptionOrExampleIsReportedNamingTheOperation() throws Exception {
        JsonNode d = complete();
        JsonNode post = d.path("paths").path("/api/v1/runs/{runId}").path("post");
        ((com.fasterxml.jackson.databind.node.ObjectNode) post).remove("summary");
        ((com.fasterxml.jackson.databind.node.ObjectNode) post.path("requestBody").path("content").path("application/json")).remove("examples");
        ((com.fasterxml.jackson.databind.node.ObjectNode) post.path("responses").path("202")).put("description", "");
        ((com.fasterxml.jackson.databind.node.ObjectNode) post.path("responses").path("202").path("content").path("application/json")).remove("example");
        ((com.fasterxml.jackson.databind.node.ObjectNode) d.path("paths").path("/api/v1/runs/{runId}").path("delete")
                .path("parameters").get(0)).remove(List.of("description", "example"));
        assertEquals(List.of(
                "POST /api/v1/runs/{runId}: no summary",
                "POST /api/v1/runs/{runId}: request body without an example",
                "POST /api/v1/runs/{runId} 202: no description",
                "POST /api/v1/runs/{runId} 202: response body without an example",
                "DELETE /api/v1/runs/{runId}: path parameter runId without a description",
                "DELETE /api/v1/runs/{runId}: path parameter runId without an example"), OpenApiDocument.problems(d));
    }

    @Test
    void anOperationWithoutASuccessResponseIsReported() throws Exception {
        JsonNode d = complete();
        ((com.fasterxml.jackson.databind.node.ObjectNode) d.path("paths").path("/api/v1/runs/{runId}").path("delete")
                .path("responses")).remove("204");
        assertEquals(List.of("DELETE /api/v1/runs/{runId}: no 2xx response"), OpenApiDocument.problems(d));
    }
}

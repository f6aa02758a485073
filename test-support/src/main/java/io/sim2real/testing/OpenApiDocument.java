package io.sim2real.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a service's {@code /q/openapi} document must say about each of its operations, checked by every service's
 * baseline test ({@link ServiceBaselineTest}): a summary; a description of its main (lowest 2xx) response; an example of
 * every request body and of the main response wherever it has a body; a description and an example of every path
 * parameter (so an operation without a body, a DELETE, has an example too). So a client can be written, or generated,
 * from the document alone.
 */
public final class OpenApiDocument {

    private static final Set<String> VERBS = Set.of("get", "post", "put", "delete", "patch", "head", "options");

    private OpenApiDocument() {
    }

    /** The document's operations as "METHOD /path" (path parameters written {@code {name}}). */
    public static Set<String> operations(JsonNode document) {
        Set<String> out = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(verb -> {
            if (VERBS.contains(verb)) {
                out.add(verb.toUpperCase(Locale.ROOT) + " " + RestEndpoints.normalise(p.getKey()));
            }
        }));
        return out;
    }

    /** Every operation that lacks one of the things above, one line each naming the operation and what is missing. */
    public static List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = document.path("paths").fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            for (Iterator<Map.Entry<String, JsonNode>> o = path.getValue().fields(); o.hasNext(); ) {
                Map.Entry<String, JsonNode> op = o.next();
                if (!VERBS.contains(op.getKey())) {
                    continue;
                }
                String where = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
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
                } else {
                    JsonNode response = operation.path("responses").path(main);
                    if (response.path("description").asText().isBlank()) {
                        problems.add(where + " " + main + ": no description");
                    }
                    if (response.has("content") && !hasExamples(response.path("content"))) {
                        problems.add(where + " " + main + ": response body without an example");
                    }
                }
                // A path parameter is described and has an example, so an operation without a body (a DELETE) has one too.
                operation.path("parameters").forEach(param -> {
                    if ("path".equals(param.path("in").asText())) {
                        String name = param.path("name").asText();
                        if (param.path("description").asText().isBlank()) {
                            problems.add(where + ": path parameter " + name + " without a description");
                        }
                        if (!param.has("example") && param.path("examples").isEmpty()) {
                            problems.add(where + ": path parameter " + name + " without an example");
                        }
                    }
                });
            }
        }
        return problems;
    }

    /** Whether every media type of a request or response body has an example. */
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

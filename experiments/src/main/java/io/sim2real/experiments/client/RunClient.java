package io.sim2real.experiments.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.validation.Checks;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.methods.RunDefaults;
import io.sim2real.methods.RunSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The services' run and collection API (docs/CONTRACTS.md), typed: RunSpecs and requests are records, never JSON
 * strings. Every script and sweep that submits runs goes through this one client. A RunSpec is checked here first, as
 * the services will check it ({@link RunSettings#resolve}), so that a bad one is refused naming its field before
 * anything is sent ({@link InvalidRunException}); a service's refusal or failure comes back as a
 * {@link ServiceException} carrying the service's own one-line message.
 */
public final class RunClient {

    private static final ObjectMapper JSON = MessageCodec.MAPPER;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String base;
    private final String token;

    /**
     * @param base  a service's http(s) URL (env-service for collections, evaluations and datasets; any service for runs)
     * @param token the API token of the services' write endpoints, or "" for none
     */
    public RunClient(String base, String token) {
        this.base = url(base);
        this.token = token == null ? "" : token;
    }

    public String base() {
        return base;
    }

    /** An http(s) URL with a host, without a trailing slash; anything else is refused. */
    static String url(String text) {
        try {
            URI uri = new URI(text);
            if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not http(s)://HOST[:PORT]");
            }
            return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("a service URL must be http(s)://HOST[:PORT], got '" + text + "'");
        }
    }

    // ---- runs -------------------------------------------------------------------------------------------------------

    /**
     * What the services make of a RunSpec with the product's defaults: its effective settings, or a refusal naming the
     * field (the services may still refuse a RunSpec that contradicts a run already defined, or their own defaults).
     */
    public static RunSettings check(RunSpec spec) {
        try {
            // Read back from its JSON, as a service reads it, then resolved as a service resolves it.
            RunSpec read = Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(spec), EnvSpec.HALF_CHEETAH);
            return RunSettings.resolve(read, RunDefaults.product(), RunSettings.Reading.SUBMITTED);
        } catch (InvalidRecordException e) {
            throw new InvalidRunException("RunSpec " + (spec.runId() == null ? "" : "'" + spec.runId() + "' ")
                    + "refused: " + e.getMessage(), e);
        }
    }

    /** Submits a run's definition ({@code POST /api/v1/runs}), checked first; the effective RunSpec the service published. */
    public RunSpec submit(RunSpec spec) {
        check(spec);
        String answer = send("POST", "/api/v1/runs", new String(Codecs.RUN_SPEC.encode(spec), StandardCharsets.UTF_8));
        try {
            return Codecs.RUN_SPEC.parse(answer.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidRecordException e) {
            throw new ServiceException("POST " + base + "/api/v1/runs", 202, "an answer that is no RunSpec: " + e.getMessage(), e);
        }
    }

    /** A run's effective definition as this service holds it; empty when it has none (yet). */
    public Optional<RunSpec> run(String runId) {
        Optional<String> answer = get("/api/v1/runs/" + path(runId), true);
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Codecs.RUN_SPEC.parse(answer.get().getBytes(StandardCharsets.UTF_8)));
        } catch (InvalidRecordException e) {
            throw new ServiceException("GET " + base + "/api/v1/runs/" + runId, 200, "an answer that is no RunSpec: " + e.getMessage(), e);
        }
    }

    /**
     * What the service made of a run's definitions ({@code GET /api/v1/runs/{id}/status}): the effective one in force
     * (null if none), what reading one of an earlier build changed, and why the newest was refused (null if it was not).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RunStatus(String runId, RunSpec effective, List<String> conversions, String refused) {
    }

    /** The run's status on this service; empty when it knows nothing of the run. */
    public Optional<RunStatus> status(String runId) {
        return get("/api/v1/runs/" + path(runId) + "/status", true).map(a -> read(a, RunStatus.class, "GET /api/v1/runs/" + runId + "/status"));
    }

    /** Deletes a run's definition (a tombstone on sim2real.runs; its collections stop). A run already gone counts as deleted. */
    public void delete(String runId) {
        check("runId", runId);
        send("DELETE", "/api/v1/runs/" + path(runId), null);
    }

    /**
     * Waits until every one of {@code services} holds the run's effective definition (each reads it from
     * sim2real.runs on its own); false when {@code timeout} passes first.
     */
    public static boolean awaitRun(String runId, List<RunClient> services, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        for (RunClient s : services) {
            while (true) {
                try {
                    if (s.run(runId).isPresent()) {
                        break;
                    }
                } catch (ServiceException e) {
                    if (e.status() != 0 && e.status() != 503) {
                        throw e;
                    }
                }
                if (System.nanoTime() > end) {
                    return false;
                }
                pause(Duration.ofMillis(250));
            }
        }
        return true;
    }

    // ---- collections ------------------------------------------------------------------------------------------------

    /**
     * A collection of transitions (env-service's {@code POST /api/v1/collections}): every field but runId may be null
     * (the service's default; envSteps and seed default to the run's).
     */
    public record CollectionRequest(String runId, String domain, Map<String, Double> physics, Boolean moveAttachments,
                                    String policy, Long envSteps, Integer numEnvs, Integer batchSize, Long seed) {
    }

    /** A collection as env-service reports it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Collection(String id, String runId, String domain, Map<String, Double> physics, String policy,
                             String mode, Long envSteps, Integer numEnvs, Long seed, String state, Long stepsTaken,
                             Long policyVersion, Long waitingForEnvStep, String error) {

        /** Whether it has ended (done, failed or cancelled). */
        public boolean ended() {
            return "DONE".equals(state) || "FAILED".equals(state) || "CANCELLED".equals(state);
        }
    }

    /** Starts a collection, checked first (run id, domain, physics kinds and ranges, positive sizes); as started. */
    public Collection collect(CollectionRequest request) {
        check("runId", request.runId());
        if (request.domain() != null && !List.of("sim", "real").contains(request.domain())) {
            throw new InvalidRunException("field 'domain' is '" + request.domain() + "', must be sim or real", null);
        }
        if (request.physics() != null) {
            factors(request.physics(), "physics");
        }
        positive(request.envSteps(), "envSteps");
        positive(request.numEnvs(), "numEnvs");
        positive(request.batchSize(), "batchSize");
        return read(send("POST", "/api/v1/collections", write(request)), Collection.class, "POST /api/v1/collections");
    }

    public Optional<Collection> collection(String id) {
        return get("/api/v1/collections/" + path(id), true).map(a -> read(a, Collection.class, "GET /api/v1/collections/" + id));
    }

    public List<Collection> collections() {
        return read(send("GET", "/api/v1/collections", null), new TypeReference<>() { }, "GET /api/v1/collections");
    }

    // ---- evaluations, policies, datasets (env-service) ---------------------------------------------------------------

    /** An evaluation of a run's newest policy (snapshot) or a fixed one, in sim and in {@code realPhysics}. */
    public record EvaluationRequest(String runId, String policy, Map<String, Double> realPhysics, Integer episodes,
                                    Long seed, Long envStep) {
    }

    /** Evaluates (env-service's {@code POST /api/v1/evaluations}); its answer as the service gives it. */
    public JsonNode evaluate(EvaluationRequest request) {
        check("runId", request.runId());
        if (request.realPhysics() != null) {
            factors(request.realPhysics(), "realPhysics");
        }
        return tree(send("POST", "/api/v1/evaluations", write(request)), "POST /api/v1/evaluations");
    }

    /** The run's newest policy held by env-service (its header fields), or empty when there is none. */
    public Optional<JsonNode> policy(String runId) {
        return get("/api/v1/policies/" + path(runId), true).map(a -> tree(a, "GET /api/v1/policies/" + runId));
    }

    /** env-service's stored datasets: name and header of each. */
    public JsonNode datasets() {
        return tree(send("GET", "/api/v1/datasets", null), "GET /api/v1/datasets");
    }

    /**
     * A dataset env-service generates with a behaviour policy in a domain ({@code POST /api/v1/datasets}); a
     * {@code snapshot} policy is {@code policyRunId}'s newest. Null fields: the service's defaults.
     */
    public record DatasetRequest(String name, String domain, Map<String, Double> physics, Boolean moveAttachments,
                                 String policy, String policyRunId, Long envSteps, Integer numEnvs, Long seed) {
    }

    /** Generates a dataset (before the call returns); its name and header as env-service gives them. */
    public JsonNode generate(DatasetRequest request) {
        check("name", request.name());
        if (request.policyRunId() != null) {
            check("policyRunId", request.policyRunId());
        }
        if (request.physics() != null) {
            factors(request.physics(), "physics");
        }
        positive(request.envSteps(), "envSteps");
        positive(request.numEnvs(), "numEnvs");
        return tree(send("POST", "/api/v1/datasets", write(request)), "POST /api/v1/datasets");
    }

    /** Publishes a stored dataset's transitions as a run's (before the call returns). */
    public JsonNode replay(String dataset, String runId, int batchSize) {
        check("runId", runId);
        return tree(send("POST", "/api/v1/datasets/" + path(dataset) + "/replay", write(Map.of("runId", runId, "batchSize", batchSize))),
                "POST /api/v1/datasets/" + dataset + "/replay");
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------------

    /** GET; empty on 404 when {@code absentIsEmpty}. */
    private Optional<String> get(String path, boolean absentIsEmpty) {
        try {
            return Optional.of(send("GET", path, null));
        } catch (ServiceException e) {
            if (absentIsEmpty && e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sends a request; anything but 2xx (a DELETE of something gone aside) is a {@link ServiceException}. */
    String send(String method, String path, String json) {
        String request = method + " " + base + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Accept", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ServiceException(request, 0, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(request, 0, "interrupted", e);
        }
        if (r.statusCode() / 100 == 2 || (method.equals("DELETE") && r.statusCode() == 404)) {
            return r.body();
        }
        throw new ServiceException(request, r.statusCode(), message(r.body()), null);
    }

    /** The service's message: its error body's {@code message}, or the body itself on one line. */
    static String message(String body) {
        if (body == null || body.isBlank()) {
            return "(no message)";
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("message")) {
                return n.get("message").asText().replaceAll("\\s*\\R\\s*", " ");
            }
        } catch (JsonProcessingException e) {
            // not JSON: the body as it is
        }
        String line = body.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() > 400 ? line.substring(0, 400) + "…" : line;
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T read(String body, Class<T> type, String request) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new ServiceException(request + " at " + base, 200, "an answer that is no " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private <T> T read(String body, TypeReference<T> type, String request) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new ServiceException(request + " at " + base, 200, "an unexpected answer: " + e.getMessage(), e);
        }
    }

    private JsonNode tree(String body, String request) {
        try {
            return JSON.readTree(body.isEmpty() ? "null" : body);
        } catch (IOException e) {
            throw new ServiceException(request + " at " + base, 200, "an answer that is no JSON: " + e.getMessage(), e);
        }
    }

    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void check(String field, String runId) {
        try {
            Checks.validRunId(runId);
        } catch (InvalidRecordException e) {
            throw new InvalidRunException(e.getMessage().replace("'runId'", "'" + field + "'"), e);
        }
    }

    private static void positive(Number n, String field) {
        if (n != null && n.longValue() < 1) {
            throw new InvalidRunException("field '" + field + "' is " + n + ", must be >= 1", null);
        }
    }

    /** Perturbation factors: each kind known and within its range. */
    static void factors(Map<String, Double> factors, String field) {
        for (Map.Entry<String, Double> e : factors.entrySet()) {
            PerturbationKind kind = PerturbationKind.fromWire(e.getKey()).orElseThrow(() -> new InvalidRunException(
                    "field '" + field + "." + e.getKey() + "': unknown perturbation kind '" + e.getKey() + "'", null));
            double v = e.getValue() == null ? Double.NaN : e.getValue();
            if (!(v >= kind.min() && v <= kind.max())) {
                throw new InvalidRunException("field '" + field + "." + e.getKey() + "' is " + e.getValue() + ", must be in ["
                        + kind.min() + ", " + kind.max() + "]", null);
            }
        }
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

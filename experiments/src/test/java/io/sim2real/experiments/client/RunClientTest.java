package io.sim2real.experiments.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.RunSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed client against a real HTTP server (the JDK's), answering as the services do: what it sends, what it checks
 * before sending, and how a service's refusal comes back.
 */
class RunClientTest {

    /** One request the server received. */
    record Received(String method, String path, String body) {
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 202;
    private volatile String answer = "{}";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body));
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static RunSpec spec(Map<String, Double> parameters) {
        return new RunSpec(SchemaVersion.CURRENT, "run-1", RunSpec.Method.MBPO, RunSpec.Mode.ASYNC, 1, 4000,
                new RunSpec.DomainSpec("gravity-1.5", Map.of("gravity", 1.5)), List.of(Domain.SIM), parameters, 1L);
    }

    @Test
    void shouldRefuseAnUnknownOrOutOfRangeParameterNamingItBeforeSendingAnything() {
        RunClient client = new RunClient(url(), "");
        InvalidRunException unknown = assertThrows(InvalidRunException.class, () -> client.submit(spec(Map.of("trainEvry", 5.0))));
        assertTrue(unknown.getMessage().contains("'parameters.trainEvry'"), unknown.getMessage());
        InvalidRunException range = assertThrows(InvalidRunException.class, () -> client.submit(spec(Map.of("trainEvery", 0.0))));
        assertTrue(range.getMessage().contains("'parameters.trainEvery' is 0"), range.getMessage());
        InvalidRunException physics = assertThrows(InvalidRunException.class, () -> client.submit(new RunSpec(
                SchemaVersion.CURRENT, "run-1", RunSpec.Method.MBPO, RunSpec.Mode.ASYNC, 1, 4000,
                new RunSpec.DomainSpec("g", Map.of("gravity", 99.0)), List.of(Domain.SIM), Map.of(), 1L)));
        assertTrue(physics.getMessage().contains("realDomain.factors.gravity"), physics.getMessage());
        assertEquals(List.of(), received, "nothing may be sent for a RunSpec the services would refuse");
    }

    @Test
    void shouldSendTheRunSpecAsItsRecordAndReturnTheEffectiveOne() throws Exception {
        RunSpec given = spec(Map.of("trainEvery", 2000.0));
        RunSpec effective = new RunSpec(given.schemaVersion(), given.runId(), given.method(), given.mode(), given.seed(),
                given.envSteps(), given.realDomain(), given.trainingDomains(), Map.of("trainEvery", 2000.0, "maxEpochs", 1000.0),
                given.createdAtMs());
        answer = new String(Codecs.RUN_SPEC.encode(effective), StandardCharsets.UTF_8);

        RunSpec back = new RunClient(url() + "/", "").submit(given);

        assertEquals(effective, back);
        assertEquals(1, received.size());
        assertEquals("POST", received.get(0).method());
        assertEquals("/api/v1/runs", received.get(0).path());
        assertEquals(given, Codecs.RUN_SPEC.parse(received.get(0).body().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldCarryTheServicesOwnMessageOfA400Or409OnOneLine() {
        RunClient client = new RunClient(url(), "");
        status = 409;
        answer = "{\"status\":409,\"message\":\"field 'method' of run 'run-1' is mbpo and cannot become sac: a run's method,\\n"
                + " mode, seed, training domains and real physics are fixed\"}";
        ServiceException conflict = assertThrows(ServiceException.class, () -> client.submit(spec(Map.of())));
        assertEquals(409, conflict.status());
        assertTrue(conflict.refused());
        assertTrue(conflict.getMessage().contains("answered 409: field 'method' of run 'run-1' is mbpo and cannot become sac"),
                conflict.getMessage());
        assertFalse(conflict.getMessage().contains("\n"), conflict.getMessage());

        status = 400;
        answer = "{\"status\":400,\"message\":\"field 'physics' contradicts run 'run-1': its realDomain.factors are {gravity=1.5}\"}";
        ServiceException bad = assertThrows(ServiceException.class, () -> client.collect(new RunClient.CollectionRequest(
                "run-1", "real", Map.of("gravity", 2.0), null, "random", 1000L, 2, null, 2L)));
        assertEquals(400, bad.status());
        assertTrue(bad.getMessage().contains("POST " + url() + "/api/v1/collections answered 400: field 'physics' contradicts"),
                bad.getMessage());
    }

    @Test
    void shouldSendACollectionRequestWithoutTheFieldsLeftToTheService() throws Exception {
        answer = "{\"id\":\"c-7\",\"runId\":\"run-1\",\"domain\":\"sim\",\"state\":\"RUNNING\",\"stepsTaken\":0,\"unstableDropped\":0,"
                + "\"policyVersion\":0}";
        RunClient.Collection c = new RunClient(url(), "token-1").collect(new RunClient.CollectionRequest("run-1", "sim", null,
                null, "random", null, 4, null, null));
        assertEquals("c-7", c.id());
        assertEquals("RUNNING", c.state());
        JsonNode sent = MessageCodec.MAPPER.readTree(received.get(0).body());
        assertEquals(Map.of("runId", "run-1", "domain", "sim", "policy", "random", "numEnvs", 4),
                MessageCodec.MAPPER.convertValue(sent, Map.class));
    }

    @Test
    void shouldReadARunsStatusAndTellAnUnknownRunFromAFailure() {
        RunClient client = new RunClient(url(), "");
        status = 200;
        answer = "{\"runId\":\"run-1\",\"effective\":null,\"conversions\":[],\"refused\":\"field 'parameters.x' is not a run parameter\"}";
        Optional<RunClient.RunStatus> s = client.status("run-1");
        assertTrue(s.isPresent());
        assertNull(s.get().effective());
        assertEquals("field 'parameters.x' is not a run parameter", s.get().refused());
        status = 404;
        answer = "{\"status\":404,\"message\":\"no run 'run-2'\"}";
        assertEquals(Optional.empty(), client.status("run-2"));
        status = 500;
        answer = "<html>boom</html>";
        ServiceException failed = assertThrows(ServiceException.class, () -> client.status("run-3"));
        assertFalse(failed.refused());
        assertTrue(failed.getMessage().endsWith("answered 500: <html>boom</html>"), failed.getMessage());
    }

    @Test
    void shouldSayAServiceThatCannotBeReachedIsNotThere() {
        server.stop(0);
        ServiceException e = assertThrows(ServiceException.class, () -> new RunClient(url(), "").delete("run-1"));
        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("got no answer"), e.getMessage());
    }
}

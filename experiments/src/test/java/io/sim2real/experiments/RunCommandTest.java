package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.messages.RunSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sim2real run submit|status|delete}, {@code collect} and the sweeps' submissions, end to end through the command
 * line against a real HTTP server (the JDK's) standing in for env-service: exit codes and the one line they print.
 */
class RunCommandTest {

    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private volatile int status = 202;
    private volatile String answer = "{}";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + body);
            // A submitted RunSpec comes back as it went, the way the services answer with the effective one.
            byte[] out = (status == 202 && exchange.getRequestURI().getPath().equals("/api/v1/runs") ? body : answer)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
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

    /** Exit code, stdout, stderr. */
    record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseAnUnknownParameterWithExitCode2NamingTheFieldAndSendNothing() {
        Result r = cli("run", "submit", "--run-id", "r1", "--env-steps", "4000", "--parameters", "trainEvry=2000",
                "--env-url", url());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'parameters.trainEvry' is not a run parameter"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(List.of(), received);
    }

    @Test
    void shouldRefuseAParameterOutOfRangeOrNotOfTheRunsMethodNamingIt() {
        Result range = cli("run", "submit", "--run-id", "r1", "--env-steps", "4000", "--parameters", "realRatio=1.5",
                "--env-url", url());
        assertEquals(2, range.code(), range.err());
        assertTrue(range.err().contains("'parameters.realRatio' is 1.5, must be a share in [0, 1]"), range.err());
        Result scope = cli("run", "submit", "--run-id", "r1", "--method", "sac", "--env-steps", "4000", "--parameters",
                "trainEvery=500", "--env-url", url());
        assertEquals(2, scope.code(), scope.err());
        assertTrue(scope.err().contains("'parameters.trainEvery' does not apply to a async run of method 'sac'"), scope.err());
        Result domains = cli("run", "submit", "--run-id", "r1", "--method", "mbpo-mixed", "--training-domains", "sim",
                "--env-steps", "4000", "--real-physics", "gravity=1.5", "--env-url", url());
        assertEquals(2, domains.code(), domains.err());
        assertTrue(domains.err().contains("field 'trainingDomains'"), domains.err());
        assertEquals(List.of(), received);
    }

    @Test
    void shouldSubmitTheRunSpecTheOptionsDefineAndPrintTheEffectiveOne() throws Exception {
        Result r = cli("run", "submit", "--run-id", "r1", "--mode", "lockstep", "--seed", "3", "--env-steps", "3000",
                "--parameters", "updatesPerStep=1,lockstepChunk=250,initialRandomSteps=1000", "--env-url", url());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, received.size());
        String body = received.get(0).substring("POST /api/v1/runs ".length());
        RunSpec sent = Codecs.RUN_SPEC.parse(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(RunSpec.Method.MBPO, sent.method());
        assertEquals(RunSpec.Mode.LOCKSTEP, sent.mode());
        assertEquals(3, sent.seed());
        assertEquals(3000, sent.envSteps());
        assertEquals(List.of(Domain.SIM), sent.trainingDomains());
        assertEquals(Map.of(), sent.realDomain().factors());
        assertEquals(Map.of("updatesPerStep", 1.0, "lockstepChunk", 250.0, "initialRandomSteps", 1000.0), sent.parameters());
        assertTrue(r.out().startsWith("run r1 submitted: {"), r.out());
    }

    @Test
    void shouldShowTheServicesRefusalOf400And409OnOneLineWithExitCode2() {
        status = 409;
        answer = "{\"status\":409,\"message\":\"field 'seed' of run 'r1' is 1 and cannot become 2: a run's method, mode, seed,"
                + " training domains and real physics are fixed (delete the run or use a new id)\"}";
        Result conflict = cli("run", "submit", "--run-id", "r1", "--seed", "2", "--env-steps", "4000", "--env-url", url());
        assertEquals(2, conflict.code(), conflict.err());
        assertEquals("sim2real run: POST " + url() + "/api/v1/runs answered 409: field 'seed' of run 'r1' is 1 and cannot become 2:"
                + " a run's method, mode, seed, training domains and real physics are fixed (delete the run or use a new id)",
                conflict.err().strip());

        status = 400;
        answer = "{\"status\":400,\"message\":\"field 'envSteps' is 9000, more than run 'r1' has (4000)\"}";
        Result bad = cli("collect", "--run-id", "r1", "--domain", "real", "--env-steps", "9000", "--env-url", url());
        assertEquals(2, bad.code(), bad.err());
        assertEquals("sim2real collect: POST " + url() + "/api/v1/collections answered 400: field 'envSteps' is 9000, more than"
                + " run 'r1' has (4000)", bad.err().strip());
        assertEquals("", bad.out());
    }

    @Test
    void shouldPrintTheCollectionsIdAlone() {
        status = 202;
        answer = "{\"id\":\"abc-1\",\"runId\":\"r1\",\"domain\":\"real\",\"state\":\"RUNNING\",\"stepsTaken\":0}";
        Result r = cli("collect", "--run-id", "r1", "--domain", "real", "--physics", "gravity=1.5", "--envs", "2", "--seed", "2",
                "--env-url", url());
        assertEquals(0, r.code(), r.err());
        assertEquals("abc-1\n", r.out());
        assertEquals(List.of("POST /api/v1/collections {\"runId\":\"r1\",\"domain\":\"real\",\"physics\":{\"gravity\":1.5},"
                + "\"policy\":\"random\",\"numEnvs\":2,\"seed\":2}"), received);
    }

    @Test
    void shouldAskForAnEvaluationAndADatasetAsRecordsAndPrintTheAnswers() {
        status = 200;
        answer = "[{\"runId\":\"r1\",\"domain\":\"sim\",\"returns\":[1.5,2.5]}]";
        Result eval = cli("run", "evaluate", "--run-id", "r1", "--policy", "scripted", "--real-physics", "gravity=1.5",
                "--episodes", "3", "--seed", "10", "--env-url", url());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(answer + "\n", eval.out());
        assertEquals("POST /api/v1/evaluations {\"runId\":\"r1\",\"policy\":\"scripted\",\"realPhysics\":{\"gravity\":1.5},"
                + "\"episodes\":3,\"seed\":10}", received.get(0));

        status = 201;
        answer = "{\"name\":\"hc-expert\",\"header\":{\"transitions\":100}}";
        Result data = cli("collect", "--dataset", "hc-expert", "--physics", "gravity=1.5", "--policy", "snapshot",
                "--policy-run-id", "policy-expert", "--env-steps", "100", "--envs", "10", "--seed", "7", "--env-url", url());
        assertEquals(0, data.code(), data.err());
        assertEquals(answer + "\n", data.out());
        assertEquals("POST /api/v1/datasets {\"name\":\"hc-expert\",\"domain\":\"real\",\"physics\":{\"gravity\":1.5},"
                + "\"policy\":\"snapshot\",\"policyRunId\":\"policy-expert\",\"envSteps\":100,\"numEnvs\":10,\"seed\":7}",
                received.get(1));
        Result unknownKind = cli("collect", "--dataset", "x", "--physics", "magnetism=2", "--env-url", url());
        assertEquals(2, unknownKind.code(), unknownKind.err());
        assertTrue(unknownKind.err().contains("--physics: unknown perturbation kind 'magnetism'; valid: gravity"), unknownKind.err());
        assertEquals(2, received.size());
    }

    @Test
    void shouldAnswerAServiceThatIsNotThereWithOneLineAndExitCode1() {
        String gone = url();
        server.stop(0);
        Result r = cli("run", "delete", "--run-id", "r1", "--env-url", gone);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("sim2real run: DELETE " + gone + "/api/v1/runs/r1 got no answer"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void shouldRefuseABadSweepParameterBeforeSubmittingAnyCell() {
        Result train = cli("train-sweep", "--name", "t", "--methods", "mbpo-sim-only", "--parameters", "jointSteps=10",
                "--env-url", url(), "--bootstrap", "127.0.0.1:1");
        assertEquals(2, train.code(), train.err());
        assertTrue(train.err().contains("'parameters.jointSteps' does not apply to a lockstep run of method 'mbpo-sim-only'"),
                train.err());
        assertEquals(List.of(), received);
    }
}

package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to each command, through the command line's entry point: exit code 2 and one line naming the option
 * and what it accepts, before any work, never a stack trace; a failure while working exits with 1.
 */
class Sim2RealCliInputTest {

    @Test
    void shouldRefuseBadGapTableOptions() {
        assertRefused("--rows must be a whole number from 100 to 1000000, got -5", "gap-table", "--rows", "-5");
        assertRefused("--rows must be a whole number from 100 to 1000000, got 'many'", "gap-table", "--rows", "many");
        assertRefused("--rows must be a whole number from 100 to 1000000, got 99999999999", "gap-table", "--rows", "99999999999");
        assertRefused("--kinds: unknown value 'nonsense'; valid: gravity, torso_length, thigh_length, friction, body_mass",
                "gap-table", "--kinds", "nonsense");
        assertRefused("--factors: gravity factor 20.0 is outside [0.0, 10.0]", "gap-table", "--kinds", "gravity", "--factors", "1.0,20");
        assertRefused("--factors: action_delay must be a whole number of steps", "gap-table", "--kinds", "action_delay", "--factors", "1.5");
        assertRefused("--seeds must be whole numbers separated by commas, each of at least 0, got '1.5'", "gap-table", "--seeds", "1,1.5");
        assertRefused("--hidden must be whole numbers separated by commas, each from 1 to 4096, got 0", "gap-table", "--hidden", "200,0");
        assertRefused("--envs must be a whole number from 1 to 1024, got 0", "gap-table", "--envs", "0");
        assertRefused("--elites must be a whole number from 1 to 2, got 3", "gap-table", "--members", "2", "--elites", "3");
        assertRefused("--init must be one of sim, real, random; got 'best'", "gap-table", "--init", "best");
        assertRefused("--paired must be true or false, got 'yes'", "gap-table", "--paired", "yes");
        assertRefused("--behaviour must be one of random, gait, noisy-gait or policy:FILE; got 'expert'", "gap-table", "--behaviour", "expert");
        assertRefused("unknown option --colour; known: --batch, --behaviour, --elites", "gap-table", "--colour", "red");
        assertRefused("option --rows needs a value", "gap-table", "--rows");
        assertRefused("unexpected argument 'rows'", "gap-table", "rows", "5");
    }

    @Test
    void shouldRefuseBadGapProbeOptions() {
        assertRefused("--every must be a whole number from 50 to 1000000, got 10", "gap-probe", "--every", "10");
        assertRefused("--probe-seeds must be a whole number from 1 to 100, got -1", "gap-probe", "--probe-seeds", "-1");
        assertRefused("--drift-rounds must be a whole number from 1 to 10000, got -5", "gap-probe", "--drift-rounds", "-5");
        assertRefused("--cells: unknown perturbation kind 'wind'", "gap-probe", "--cells", "wind=2");
    }

    @Test
    void shouldRefuseBadSweepOptionsBeforeContactingAnyService() {
        assertRefused("--action must be one of start, resume, stop, collect; got 'go'", "sweep", "--action", "go");
        assertRefused("--kinds: unknown value 'wind'; valid: gravity", "sweep", "--kinds", "wind");
        assertRefused("--steps must be a whole number from 1 to 10000000, got 0", "sweep", "--steps", "0");
        assertRefused("--timeout-minutes must be a whole number from 1 to 10080, got -1", "sweep", "--timeout-minutes", "-1");
        assertRefused("--policy must be one of random, scripted; got 'snapshot'", "sweep", "--policy", "snapshot");
        assertRefused("--env-url must be an http(s)://HOST[:PORT] URL, got 'localhost'", "sweep", "--env-url", "localhost");
        assertRefused("--bootstrap must be HOST:PORT[,HOST:PORT...]", "sweep", "--bootstrap", "127.0.0.1:99999");
        assertRefused("--name must be letters, digits", "sweep", "--name", "a b");
    }

    @Test
    void shouldRefuseBadDatasetOptions(@TempDir Path dir) {
        String out = dir.resolve("x.s2rds").toString();
        assertRefused("--steps must be a whole number from 1 to 2000000, got -5", "dataset", "--steps", "-5", "--out", out);
        assertRefused("--domain must be one of sim, real; got 'moon'", "dataset", "--domain", "moon", "--out", out);
        assertRefused("--physics: unknown perturbation kind 'wind'; valid: gravity", "dataset", "--physics", "wind=2", "--out", out);
        assertRefused("--physics: gravity factor 11.0 is outside [0.0, 10.0]", "dataset", "--physics", "gravity=11", "--out", out);
        assertRefused("--seed must be a whole number of at least 0, got -1", "dataset", "--seed", "-1", "--out", out);
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void shouldRefuseBadEvaluateOptions(@TempDir Path dir) {
        assertRefused("needs either --policies", "evaluate");
        assertRefused("--episodes must be a whole number from 1 to 1000, got 0", "evaluate", "--policies", "a=x.json", "--episodes", "0");
        assertRefused("--kinds: unknown value 'wind'", "evaluate", "--policies", "a=" + dir.resolve("none.json"), "--kinds", "wind");
        assertRefused("--policies: cannot read", "evaluate", "--policies", "a=" + dir.resolve("none.json"));
        assertRefused("--last is for --runs", "evaluate", "--policies", "a=" + dir.resolve("none.json"), "--last", "2");
        assertRefused("--last must be a whole number from 1 to 1000, got 0", "evaluate", "--runs", dir.toString(), "--last", "0");
    }

    @Test
    void shouldRefuseBadPublishPolicyOptionsBeforeContactingTheBroker(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("policy.json"), "{}");
        assertRefused("--file is required", "publish-policy", "--run-id", "r1");
        assertRefused("--file: no readable file '" + dir.resolve("none.json") + "'", "publish-policy", "--file",
                dir.resolve("none.json").toString(), "--run-id", "r1");
        assertRefused("--run-id is required", "publish-policy", "--file", file.toString());
        assertRefused("--run-id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got 'a b'", "publish-policy", "--file", file.toString(),
                "--run-id", "a b");
        assertRefused("--bootstrap must be HOST:PORT[,HOST:PORT...]", "publish-policy", "--file", file.toString(), "--run-id", "r1",
                "--bootstrap", "localhost");
        assertRefused("is not a valid HalfCheetah policy snapshot", "publish-policy", "--file", file.toString(), "--run-id", "r1");
    }

    @Test
    void shouldRefuseBadCollectOptionsBeforeContactingEnvService() {
        assertRefused("--run-id is required (or --dataset NAME for a dataset)", "collect");
        assertRefused("--domain must be one of sim, real; got 'moon'", "collect", "--run-id", "r1", "--domain", "moon");
        assertRefused("--policy must be one of random, scripted, snapshot; got 'expert'", "collect", "--run-id", "r1", "--policy", "expert");
        assertRefused("--env-steps must be a whole number from 1 to 10000000, got -5", "collect", "--run-id", "r1", "--env-steps", "-5");
        assertRefused("--envs must be a whole number from 1 to 256, got 0", "collect", "--run-id", "r1", "--envs", "0");
        assertRefused("--physics names a real domain's physics; a sim collection has none", "collect", "--run-id", "r1",
                "--physics", "gravity=1.5");
        assertRefused("--physics: unknown perturbation kind 'wind'; valid: gravity, torso_length", "collect", "--run-id", "r1",
                "--domain", "real", "--physics", "wind=2");
        assertRefused("--physics: gravity factor 50.0 is outside [0.0, 10.0]", "collect", "--run-id", "r1", "--domain", "real",
                "--physics", "gravity=50");
        assertRefused("--physics: unknown perturbation kind 'wind'; valid: gravity", "collect", "--dataset", "d", "--physics", "wind=2");
    }

    @Test
    void shouldRefuseBadRunPhysicsBeforeContactingEnvService() {
        assertRefused("--real-physics: unknown perturbation kind 'wind'; valid: gravity", "run", "submit", "--run-id", "r1",
                "--method", "sac", "--env-steps", "1000", "--real-physics", "wind=2");
        assertRefused("--real-physics: gravity factor 50.0 is outside [0.0, 10.0]", "run", "evaluate", "--run-id", "r1",
                "--real-physics", "gravity=50");
    }

    @Test
    void shouldAnswerAFailureWhileWorkingWithExitCode1(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(new String[] {"dataset", "--steps", "10", "--envs", "1", "--out", file.resolve("x.s2rds").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("sim2real dataset failed: "), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintOneCommandsHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(new String[] {"gap-table", "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()));
        String help = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code);
        assertTrue(help.startsWith("usage: sim2real gap-table") && help.contains("--rows 10000") && !help.contains("gap-probe"), help);
    }

    static void assertRefused(String message, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        String what = String.join(" ", args) + " printed: " + printed;
        assertEquals(2, code, what);
        assertTrue(printed.startsWith("sim2real " + args[0] + ": "), what);
        assertTrue(printed.contains(message), what);
        assertEquals(1, printed.lines().count(), "one line: " + what);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "no work started: " + what);
    }
}

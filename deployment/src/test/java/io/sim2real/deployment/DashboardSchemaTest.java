package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards in deploy/grafana/dashboards are valid against Grafana's own schema: the TypeScript types
 * that the pinned {@code @grafana/schema} npm package generates from Grafana's CUE kinds (the Dashboard kind and each
 * panel plugin's options and field config). deployment/src/test/grafana/check-dashboard.mjs generates a TypeScript
 * module from each dashboard in deployment/target/grafana-schema (nothing generated is committed) and type-checks it
 * with the pinned TypeScript compiler; the packages come from the committed package-lock.json ({@code npm ci}).
 * Needs node and npm: under bin/test or in CI their absence fails the test, elsewhere it skips it ({@link #missingTool}).
 */
class DashboardSchemaTest {

    static final Path SOURCES = Repo.file("deployment/src/test/grafana");
    static final Path WORK = Repo.file("deployment/target/grafana-schema");

    @BeforeAll
    static void install() throws Exception {
        boolean tools = onPath("node") && onPath("npm");
        if (!tools) {
            missingTool("node and npm are needed to check the dashboard against @grafana/schema: "
                    + "apt-get install -y --no-install-recommends nodejs npm (bin/test does)");
        }
        Files.createDirectories(WORK);
        boolean lockChanged = !Files.exists(WORK.resolve("package-lock.json"))
                || Files.mismatch(SOURCES.resolve("package-lock.json"), WORK.resolve("package-lock.json")) != -1
                || !Files.isDirectory(WORK.resolve("node_modules/@grafana/schema"))
                || !Files.isDirectory(WORK.resolve("node_modules/typescript"));
        for (String f : List.of("package.json", "package-lock.json", "check-dashboard.mjs")) {
            Files.copy(SOURCES.resolve(f), WORK.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (lockChanged) {
            Result npm = run(600, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
            assertEquals(0, npm.exit, "npm ci in " + WORK + ":\n" + npm.output);
        }
    }

    @Test
    void shouldValidateEveryDashboardAgainstGrafanasSchema() throws Exception {
        List<String> args = new ArrayList<>(List.of("node", "check-dashboard.mjs"));
        try (Stream<Path> s = Files.list(Repo.file("deploy/grafana/dashboards"))) {
            s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(p -> args.add(p.toString()));
        }
        assertTrue(args.size() > 2, "no dashboards");
        Result check = run(300, args.toArray(String[]::new));
        assertEquals(0, check.exit, check.output);
        assertTrue(check.output.contains("valid against @grafana/schema " + pinnedSchemaVersion()), check.output);
    }

    @Test
    void shouldRejectABrokenCopy() throws Exception {
        ObjectNode broken = (ObjectNode) Repo.json(DashboardAndAlertsTest.DASHBOARD).deepCopy();
        ((ObjectNode) broken.path("templating").path("list").get(1)).put("definition", "label_values(up, job)");
        List<ObjectNode> timeseries = new ArrayList<>();
        broken.path("panels").forEach(p -> {
            if (p.path("type").asText().equals("timeseries")) {
                timeseries.add((ObjectNode) p);
            }
        });
        assertTrue(timeseries.size() >= 3, "the dashboard has timeseries panels");
        ((ObjectNode) timeseries.get(0).path("options").path("legend")).remove("showLegend");
        ((ObjectNode) timeseries.get(1).path("options").path("tooltip")).put("mode", "sometimes");
        timeseries.get(2).put("type", "no-such-panel");
        ((ArrayNode) broken.path("panels")).addObject().put("type", "timeseries").put("title", "wrong").put("gridPos", "here");
        Path file = WORK.resolve("broken/sim2real.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, Repo.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(broken));
        Result check = run(300, "node", "check-dashboard.mjs", file.toString());
        assertEquals(1, check.exit, check.output);
        for (String expected : List.of("'\"definition\"' does not exist", "'showLegend' is missing", "\"sometimes\"",
                "no panelcfg schema for panel type \"no-such-panel\"", "\"gridPos\"")) {
            assertTrue(check.output.contains(expected), "expected " + expected + " in:\n" + check.output);
        }
    }

    @Test
    void shouldPinTheSchemaOfTheGrafanaThatComposeRuns() {
        String image = DockerComposeTest.service("grafana").path("image").asText();
        assertEquals("grafana/grafana:" + pinnedSchemaVersion(), image, "@grafana/schema's version is the Grafana compose runs");
    }

    static String pinnedSchemaVersion() {
        JsonNode pkg = Repo.json("deployment/src/test/grafana/package.json");
        String version = pkg.path("dependencies").path("@grafana/schema").asText();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"), "an exact version, not a range: " + version);
        return version;
    }

    record Result(int exit, String output) {
    }

    static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            throw new AssertionError(String.join(" ", command) + " ran past " + timeoutSeconds + " s");
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }

    /**
     * A test's system tool is missing: under the README's test command ({@code bin/test}, which exports
     * {@code SIM2REAL_REQUIRE_TOOLS=1}) or in CI ({@code CI} set) the test fails with {@code why}, which names the
     * install line; elsewhere (a plain {@code mvn verify}) it is skipped with that message.
     */
    static void missingTool(String why) {
        if (toolsRequired()) {
            throw new AssertionError(why);
        }
        Assumptions.abort(why);
    }

    static boolean toolsRequired() {
        String require = System.getenv("SIM2REAL_REQUIRE_TOOLS");
        return System.getenv("CI") != null || (require != null && !require.isEmpty() && !require.equals("0"));
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}

package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The container images, checked without a container engine: every Dockerfile packs jars the Maven build already made
 * (no Maven inside), runs as uid 185 with a HEALTHCHECK, takes its base as a build argument; bin/images builds in docker
 * format; and the names bin/images gives are the ones docker-compose.yml and k8s/ use. Building and running the images
 * (bin/images smoke) needs podman and is not part of this test.
 */
class ContainerImagesTest {

    static final Path DOCKER = Repo.file("deploy/docker");

    /** The Dockerfiles and the ones exempt from the HEALTHCHECK, with the reason. */
    static final Map<String, String> NO_HEALTHCHECK = Map.of(
            "metrics-service-native.Dockerfile", "the UBI micro image has no curl; Kubernetes' probes check it");

    static List<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(DOCKER)) {
            List<Path> out = files.filter(f -> f.getFileName().toString().endsWith(".Dockerfile")).sorted().toList();
            assertTrue(out.size() >= 4, out.toString());
            return out;
        }
    }

    /** The instructions of a Dockerfile: comments dropped, continuation lines joined. */
    static List<String> instructions(Path dockerfile) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                out.add(current.toString().strip().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return out;
    }

    @Test
    void shouldPackPrebuiltJarsWithoutAMavenBuildInside() throws IOException {
        for (Path f : dockerfiles()) {
            List<String> ins = instructions(f);
            String name = f.getFileName().toString();
            for (String i : ins) {
                assertFalse(i.matches("(?i)^RUN .*\\bmvnw?\\b.*") || i.matches("(?i)^RUN .*\\bgradlew?\\b.*"), name + " builds inside: " + i);
                assertFalse(i.matches("(?i)^COPY (--\\S+ )*\\. .*"), name + " copies a whole source tree: " + i);
                assertFalse(i.contains("--from="), name + " is multi-stage (a build stage): " + i);
                assertFalse(i.matches("(?i)^RUN .*apt-get install .*\\b(maven|openjdk-\\d+-jdk\\S*|gcc)\\b.*"), name + " installs a build tool: " + i);
            }
            assertEquals(1, ins.stream().filter(i -> i.startsWith("FROM ")).count(), name + ": one stage");
            int arg = indexOf(ins, "ARG BASE_IMAGE=");
            int from = indexOf(ins, "FROM ${BASE_IMAGE}");
            assertTrue(arg >= 0 && from > arg, name + ": the base image is the build argument BASE_IMAGE, with a registry default");
            assertTrue(ins.get(arg).matches("ARG BASE_IMAGE=\\S+/\\S+:\\S+"), name + ": the default base is a qualified registry image: " + ins.get(arg));
        }
    }

    @Test
    void shouldRunAsUid185WithAHealthcheckOnTheServicesReadiness() throws IOException {
        for (Path f : dockerfiles()) {
            List<String> ins = instructions(f);
            String name = f.getFileName().toString();
            List<String> users = ins.stream().filter(i -> i.startsWith("USER ")).toList();
            assertFalse(users.isEmpty(), name + " sets no USER (runs as root)");
            assertEquals("USER 185", users.get(users.size() - 1), name + ": the uid of k8s/base's securityContext");
            List<String> checks = ins.stream().filter(i -> i.startsWith("HEALTHCHECK ")).toList();
            if (NO_HEALTHCHECK.containsKey(name)) {
                assertTrue(checks.isEmpty(), name);
                continue;
            }
            assertEquals(1, checks.size(), name + " has one HEALTHCHECK");
            String service = name.replaceFirst("(-cuda)?\\.Dockerfile$", "");
            if (Repo.SERVICES.contains(service)) {
                int port = Repo.httpPort(service);
                assertTrue(checks.get(0).contains("/q/health/ready"), name + ": " + checks.get(0));
                assertTrue(ins.contains("EXPOSE " + port), name + " exposes " + port);
                assertTrue(ins.stream().anyMatch(i -> i.startsWith("ENV ") && i.contains("QUARKUS_HTTP_PORT=" + port + " ")),
                        name + ": QUARKUS_HTTP_PORT=" + port + " (the port the HEALTHCHECK asks)");
                assertTrue(checks.get(0).contains("${QUARKUS_HTTP_PORT}"), name + ": the check follows the port a container is given");
                for (String copied : List.of("lib/ lib/", "*.jar ./", "app/ app/", "quarkus/ quarkus/")) {
                    assertTrue(ins.contains("COPY --chown=185 " + copied), name + " copies the fast-jar's " + copied);
                }
            }
        }
    }

    @Test
    void shouldShareTheJreLayerBetweenTheDebianImages() throws IOException {
        String jre = null;
        for (Path f : dockerfiles()) {
            List<String> ins = instructions(f);
            String base = ins.get(indexOf(ins, "ARG BASE_IMAGE="));
            if (!base.contains("debian:bookworm")) {
                continue;
            }
            String first = ins.get(indexOf(ins, "FROM ${BASE_IMAGE}") + 1);
            assertTrue(first.startsWith("RUN ") && first.contains("openjdk-17-jre-headless") && first.contains("--uid 185"), f + ": " + first);
            if (jre == null) {
                jre = first;
            }
            assertEquals(jre, first, f.getFileName() + ": the same RUN line as the others, so the JRE layer is built once");
        }
        assertTrue(instructions(DOCKER.resolve("env-service.Dockerfile")).stream()
                .anyMatch(i -> i.startsWith("RUN ") && i.contains("libmujoco2.2.2")), "env-service has Debian's MuJoCo 2.2.2");
    }

    @Test
    void shouldBuildInDockerFormatAndNameImagesAsComposeAndKubernetesDo() throws Exception {
        String script = Repo.read("bin/images");
        assertTrue(script.contains("--format docker"), "podman/buildah drop HEALTHCHECK unless building in docker format");
        String version = pomVersion().replaceFirst("-SNAPSHOT$", "");

        List<String> names = images(Map.of());
        List<String> expected = Repo.SERVICES.stream().map(s -> "localhost/sim2real/" + s + ":" + version).toList();
        assertEquals(expected, names, "bin/images names: ${REGISTRY:-localhost}/sim2real/<service>:<pom version>");
        assertEquals(Repo.SERVICES.stream().map(s -> "registry.example.com/team/sim2real/" + s + ":1.2.3").toList(),
                images(Map.of("REGISTRY", "registry.example.com/team", "VERSION", "1.2.3")));

        // docker-compose.yml: the same names, its variables at their defaults and as bin/images' variables.
        JsonNode compose = Repo.yaml("docker-compose.yml");
        for (String s : Repo.SERVICES) {
            String image = compose.path("services").path(s).path("image").asText();
            assertEquals("localhost/sim2real/" + s + ":" + version, interpolate(image, Map.of()), "compose " + s);
            assertEquals("r.example/sim2real/" + s + ":9", interpolate(image, Map.of("REGISTRY", "r.example", "VERSION", "9")), "compose " + s);
        }

        // k8s/base: the repository part of the name, which the overlays' `images:` point at a registry.
        Map<String, String> k8s = new TreeMap<>();
        for (Deployment d : Manifests.of(Manifests.base(), Deployment.class)) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                k8s.put(d.getMetadata().getName(), c.getImage());
            }
        }
        for (String s : Repo.SERVICES) {
            assertEquals("sim2real/" + s + ":" + version, k8s.get(s), "k8s/base " + s + ": bin/images' name without the registry");
        }
        JsonNode production = Repo.yaml("k8s/overlays/production/kustomization.yaml");
        Map<String, JsonNode> overrides = new TreeMap<>();
        production.path("images").forEach(i -> overrides.put(i.path("name").asText(), i));
        for (String s : Repo.SERVICES) {
            JsonNode o = overrides.get("sim2real/" + s);
            assertTrue(o != null, "the production overlay overrides sim2real/" + s);
            assertTrue(o.path("newName").asText().endsWith("/sim2real/" + s), "pushed by bin/images as $REGISTRY/sim2real/" + s);
            assertEquals(version, o.path("newTag").asText(), "production overlay " + s);
        }
    }

    private static int indexOf(List<String> instructions, String prefix) {
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** The root pom's own version. */
    static String pomVersion() {
        Matcher m = Pattern.compile("<artifactId>sim2real-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(Repo.read("pom.xml"));
        assertTrue(m.find(), "the root pom's version");
        return m.group(1);
    }

    /** `bin/images names` with the given environment (REGISTRY and VERSION unset otherwise); runs no engine. */
    static List<String> images(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Repo.file("bin/images").toString(), "names").redirectErrorStream(true);
        pb.environment().remove("REGISTRY");
        pb.environment().remove("VERSION");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bin/images names");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    /** Compose's ${VAR:-default} and ${VAR} interpolation. */
    static String interpolate(String value, Map<String, String> env) {
        Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?}").matcher(value);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(b, Matcher.quoteReplacement(v != null && !v.isEmpty() ? v : m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(b);
        return b.toString();
    }
}

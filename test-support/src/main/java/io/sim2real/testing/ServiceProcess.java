package io.sim2real.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A packaged service (its quarkus-run.jar) as its own process, for tests that kill it with SIGKILL and start it
 * again. Output goes to a log file in {@code dir}.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path jar;
    private final Path dir;
    private final List<String> properties;
    private final int port;
    private Process process;

    /** @param properties system properties for the service, as "key=value" */
    public ServiceProcess(Path jar, Path dir, List<String> properties) throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the service first: " + jar);
        }
        this.jar = jar;
        this.dir = dir;
        this.properties = List.copyOf(properties);
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /** The jar that failsafe names in the system property {@code service.jar}. */
    public static Path jarFromSystemProperty() {
        return Path.of(System.getProperty("service.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    public ServiceProcess start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m", "-Dquarkus.http.port=" + port));
        for (String p : properties) {
            command.add("-D" + p);
        }
        command.add("-jar");
        command.add(jar.toString());
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("service-" + System.nanoTime() + ".log").toFile()).start();
        await(() -> get("/q/health/ready").statusCode() == 200, "the service to be ready");
        return this;
    }

    /** SIGTERM, and waits for the process to exit: a graceful stop, as in a rolling update. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("the service did not stop within 60 s of SIGTERM");
            }
        }
    }

    /** SIGKILL: no shutdown hooks, no commits, no goodbye. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new NoResponse();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NoResponse();
        }
    }

    /** POSTs a JSON body; returns the answer (status 0 when the service does not answer). */
    public HttpResponse<String> post(String path, String json) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new NoResponse();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NoResponse();
        }
    }

    /** The body of a 200 answer, or "" for anything else. */
    public String body(String path) {
        HttpResponse<String> r = get(path);
        return r.statusCode() == 200 ? r.body() : "";
    }

    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** No answer: the process is not listening (yet, or any more). */
    private static final class NoResponse implements HttpResponse<String> {
        public int statusCode() { return 0; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true); }
        public String body() { return ""; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return null; }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}

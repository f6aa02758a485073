package io.sim2real.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The metric names (and their label names) a service really exports, taken from its Prometheus scrapes during
 * its tests. {@link ExportedMetricsRecorder} scrapes the running service after every {@code @QuarkusTest} class
 * and merges what it saw into {@code target/exported-metrics.txt} of the service's module, one line per sample
 * name: {@code name label,label,...}. The deployment module checks the dashboard's and the alert rules' queries
 * against these files.
 */
public final class ExportedMetrics {

    public static final String FILE = "exported-metrics.txt";

    private ExportedMetrics() {
    }

    /** Sample names of a Prometheus text exposition, each with the union of its label names. */
    public static Map<String, Set<String>> parse(String exposition) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
            if (end <= 0) {
                continue;
            }
            Set<String> labels = out.computeIfAbsent(line.substring(0, end), k -> new TreeSet<>());
            if (end == brace) {
                labels.addAll(labelNames(line.substring(brace + 1)));
            }
        }
        return out;
    }

    private static List<String> labelNames(String s) {
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < s.length() && s.charAt(i) != '}') {
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            names.add(s.substring(i, eq).replace(",", "").strip());
            int j = eq + 2; // past ="
            while (j < s.length() && s.charAt(j) != '"') {
                j += s.charAt(j) == '\\' ? 2 : 1;
            }
            i = j + 1;
            while (i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == ' ')) {
                i++;
            }
        }
        return names;
    }

    public static Map<String, Set<String>> read(Path file) {
        Map<String, Set<String>> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.strip().split(" ", 2);
                Set<String> labels = out.computeIfAbsent(parts[0], k -> new TreeSet<>());
                if (parts.length > 1 && !parts[1].isBlank()) {
                    labels.addAll(List.of(parts[1].split(",")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static void write(Path file, Map<String, Set<String>> metrics) {
        StringBuilder b = new StringBuilder();
        metrics.forEach((name, labels) -> b.append(name).append(' ').append(String.join(",", labels)).append('\n'));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Merges one scrape into the file (created afresh by the first scrape of a test JVM). */
    static synchronized void merge(Path file, String exposition, boolean fresh) {
        Map<String, Set<String>> all = fresh || !Files.exists(file) ? new TreeMap<>() : read(file);
        parse(exposition).forEach((name, labels) -> all.computeIfAbsent(name, k -> new TreeSet<>()).addAll(labels));
        write(file, all);
    }

    /** GET /q/metrics in the Prometheus text format. */
    static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/metrics")).header("Accept", "text/plain")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /q/metrics answered " + r.statusCode());
        }
        return r.body();
    }
}

package io.sim2real.experiments;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** env-service's REST API, as the sweeps use it: JSON in, the answer's body out, a clear error for anything but 2xx. */
record EnvServiceClient(String base, String token) {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Sends a request; a DELETE of something already gone (404) counts as done. */
    String send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2 && !(method.equals("DELETE") && r.statusCode() == 404)) {
            throw new IllegalStateException(method + " " + base + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}

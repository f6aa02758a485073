package io.sim2real.service.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Guards {@link RequiresApiToken} endpoints with a shared bearer token when {@code sim2real.api.token} is set.
 * Without a token configured they stay open, which suits the loopback-only local run; the start-up log
 * says so, and deployments set the token from a secret.
 */
@Provider
@RequiresApiToken
public class ApiTokenFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(ApiTokenFilter.class);
    private static final String PREFIX = "Bearer ";

    @ConfigProperty(name = "sim2real.api.token")
    Optional<String> token;

    void onStart(@Observes StartupEvent event) {
        if (token.isEmpty() || token.get().isBlank()) {
            LOG.warn("sim2real.api.token is not set: state-changing endpoints accept requests without a token");
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (token.isEmpty() || token.get().isBlank()) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.startsWith(PREFIX) ? header.substring(PREFIX.length()).trim() : null;
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                token.get().getBytes(StandardCharsets.UTF_8))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sim2real\"")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(new ApiError(401, "missing or wrong bearer token"))
                    .build());
        }
    }
}

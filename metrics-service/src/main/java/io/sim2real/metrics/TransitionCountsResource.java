package io.sim2real.metrics;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

@Path("/api/v1/transitions")
@Produces(MediaType.APPLICATION_JSON)
public class TransitionCountsResource {

    @Inject
    RunMetrics metrics;

    /** Transitions received, by run and domain (every record on the topic, read whole at start). */
    @GET
    public Map<String, Map<String, Long>> counts() {
        return metrics.transitionCounts();
    }
}

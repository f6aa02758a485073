package io.sim2real.env.placeholder;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.validation.Checks;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.RequiresApiToken;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Publishes placeholder transitions for a run (see {@link PlaceholderTransitionSource}): the vertical slice's
 * producer until MuJoCo environments replace it.
 */
@Path("/api/v1/placeholder/transitions")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class PlaceholderResource {

    static final int MAX_BATCHES = 10_000;
    static final int MAX_BATCH_SIZE = 5_000;

    /** What to publish. */
    public record PublishRequest(String runId, String domain, Integer batches, Integer batchSize, Long seed) {
    }

    /** What was published. */
    public record PublishResult(String runId, String domain, int batches, long transitions) {
    }

    @Inject
    TransitionPublisher publisher;

    @Inject
    EnvSpec spec;

    @POST
    @RequiresApiToken
    public Response publish(PublishRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body {runId, domain, batches, batchSize, seed} is required");
        }
        try {
            Checks.validRunId(request.runId());
        } catch (InvalidRecordException e) {
            throw new BadRequestException(e.getMessage());
        }
        Domain domain;
        try {
            domain = Domain.fromWire(request.domain() == null ? "sim" : request.domain());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        int batches = request.batches() == null ? 1 : request.batches();
        int batchSize = request.batchSize() == null ? 100 : request.batchSize();
        if (batches < 1 || batches > MAX_BATCHES) {
            throw new BadRequestException("batches must be in [1, " + MAX_BATCHES + "], was " + batches);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new BadRequestException("batchSize must be in [1, " + MAX_BATCH_SIZE + "], was " + batchSize);
        }
        long seed = request.seed() == null ? 0L : request.seed();
        PlaceholderTransitionSource source = new PlaceholderTransitionSource(spec, request.runId(), domain,
                "placeholder-0", 1000, seed);
        for (int i = 0; i < batches; i++) {
            publisher.publish(source.next(batchSize));
        }
        return Response.ok(new PublishResult(request.runId(), domain.wireName(), batches, (long) batches * batchSize)).build();
    }
}

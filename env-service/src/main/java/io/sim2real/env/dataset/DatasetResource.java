package io.sim2real.env.dataset;

import io.sim2real.training.acting.BehaviourPolicies;
import io.sim2real.training.acting.BehaviourPolicy;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.datasets.Dataset;
import io.sim2real.datasets.DatasetException;
import io.sim2real.datasets.DatasetHeader;
import io.sim2real.env.acting.TransitionPublisher;
import io.sim2real.env.api.DomainRequest;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.service.api.ApiError;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.api.RequiresApiToken;
import io.sim2real.service.api.Requests;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Offline "real" datasets: generate, list, import a robot's log, replay onto Kafka as domain real. */
@Path("/api/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    /** Generate a dataset: a behaviour policy in a domain. */
    public record GenerateRequest(String name, String domain, Map<String, Double> physics, Boolean moveAttachments,
                                  String policy, String policyRunId, Long envSteps, Integer numEnvs, Long seed) {
    }

    public record ReplayRequest(String runId, Integer batchSize) {
    }

    /** Save a run's transitions of one domain, as published on Kafka, as a dataset. */
    public record FromRunRequest(String runId, String domain) {
    }

    public record ReplayResult(String dataset, String runId, int batches, long transitions) {
    }

    @Inject
    EnvSpec spec;

    @Inject
    TransitionPublisher publisher;

    @Inject
    io.sim2real.env.acting.PolicyStore policies;

    @ConfigProperty(name = "sim2real.env.datasets-dir", defaultValue = "data/datasets")
    String datasetsDir;

    @ConfigProperty(name = "sim2real.topic.transitions")
    String transitionsTopic;

    @Inject
    @io.smallrye.common.annotation.Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "sim2real.env.physics-threads", defaultValue = "2")
    int physicsThreads;

    private DatasetStore store;

    @PostConstruct
    void init() {
        store = new DatasetStore(java.nio.file.Path.of(datasetsDir), spec);
    }

    @GET
    public List<DatasetStore.Entry> list() {
        return store.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresApiToken
    @Operation(summary = "Generate a dataset with a behaviour policy (random, scripted) in a domain")
    public Response generate(GenerateRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body with at least a name is required");
        }
        Domain domain = DomainRequest.domain(request.domain() == null ? "real" : request.domain());
        DomainPhysics physics = DomainRequest.physics(domain, request.physics(), request.moveAttachments());
        long steps = Requests.bounded(request.envSteps(), 10_000L, 1L, 2_000_000L, "envSteps");
        int envs = Requests.bounded(request.numEnvs(), 2, 1, 256, "numEnvs");
        long seed = request.seed() == null ? 0L : request.seed();
        try {
            BehaviourPolicy policy = BehaviourPolicies.create(request.policy(), spec, seed,
                    request.policyRunId() == null ? java.util.Optional.empty() : policies.latest(request.policyRunId()), false);
            DatasetHeader header = store.generate(request.name(), domain, physics, policy, steps, envs, seed,
                    Math.min(physicsThreads, envs));
            return Response.status(201).entity(new DatasetStore.Entry(request.name(), header)).build();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        } catch (DatasetException e) {
            return unprocessable(e);
        }
    }

    @POST
    @Path("/{name}/import")
    @Consumes({"application/x-ndjson", MediaType.TEXT_PLAIN})
    @RequiresApiToken
    @Operation(summary = "Import a robot's log: one JSON transition per line (docs/DATASETS.md); all lines or nothing")
    public Response importLog(@PathParam("name") String name, String body) {
        try {
            DatasetHeader header = store.importJsonLines(name, new StringReader(body == null ? "" : body));
            return Response.status(201).entity(new DatasetStore.Entry(name, header)).build();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        } catch (DatasetException e) {
            return unprocessable(e);
        }
    }

    @POST
    @Path("/{name}/replay")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresApiToken
    @Operation(summary = "Publish a stored dataset onto sim2real.transitions for a run, as domain real")
    public Response replay(@PathParam("name") String name, ReplayRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body {runId, batchSize} is required");
        }
        Requests.runId(request.runId());
        int batchSize = Requests.bounded(request.batchSize(), 500, 1, 5000, "batchSize");
        try {
            if (store.find(name).isEmpty()) {
                return Response.status(404).entity(new ApiError(404, "no dataset '" + name + "'")).build();
            }
            Dataset dataset = store.read(name);
            List<TransitionBatch> batches = dataset.toBatches(request.runId(), "dataset-" + name, batchSize);
            for (TransitionBatch b : batches) {
                publisher.publish(b);
            }
            return Response.ok(new ReplayResult(name, request.runId(), batches.size(), dataset.size())).build();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        } catch (DatasetException e) {
            return unprocessable(e);
        }
    }

    @POST
    @Path("/{name}/from-run")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresApiToken
    @Operation(summary = "Save a run's transitions of one domain, as published on sim2real.transitions, as a dataset")
    public Response fromRun(@PathParam("name") String name, FromRunRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body {runId, domain} is required");
        }
        Requests.runId(request.runId());
        Domain domain = DomainRequest.domain(request.domain());
        io.sim2real.datasets.DatasetWriter writer = new io.sim2real.datasets.DatasetWriter(spec, domain, "run:" + request.runId())
                .description("transitions of run " + request.runId() + " in domain " + domain.wireName());
        List<DatasetException> failures = new java.util.ArrayList<>();
        RunTransitionsReader.Result read = RunTransitionsReader.read(kafkaConfig, transitionsTopic, request.runId(), domain,
                spec, batch -> {
                    try {
                        writer.append(batch);
                    } catch (DatasetException e) {
                        failures.add(e);
                    }
                });
        try {
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            if (read.transitions() == 0) {
                return Response.status(404).entity(new ApiError(404, "run '" + request.runId() + "' has no "
                        + domain.wireName() + " transitions on " + transitionsTopic)).build();
            }
            DatasetHeader header = store.write(name, writer);
            return Response.status(201).entity(new DatasetStore.Entry(name, header)).build();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        } catch (DatasetException e) {
            return unprocessable(e);
        }
    }

    private static Response unprocessable(DatasetException e) {
        return Response.status(422).entity(new ApiError(422, e.getMessage())).build();
    }
}

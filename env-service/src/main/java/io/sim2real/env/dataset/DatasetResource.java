package io.sim2real.env.dataset;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
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
@Tag(name = "datasets", description = "Offline datasets of transitions (docs/DATASETS.md): generate, import, replay, save a run's")
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

    @Inject
    io.sim2real.service.runs.RunRegistry runs;

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
    @Operation(summary = "The stored datasets, each with its header (docs/DATASETS.md)")
    @APIResponse(responseCode = "200", description = "Name and header of each dataset",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = DatasetStore.Entry.class),
                    examples = @ExampleObject(name = "one dataset", value = """
                            [{"name": "gravity-1.5-random", "header": {"format": "sim2real-dataset", "formatVersion": 1, "envName": "HalfCheetah",
                              "obsDim": 17, "actDim": 6, "transitions": 10000, "domain": "real", "physics": {"gravity": 1.5},
                              "behaviour": "random", "seed": 7, "createdAtMs": 1764072000000, "description": "perturbed cheetah, random policy",
                              "bodySha256": "b22bfdd57af923ffdd6992dd1562881c3f3bd10c020713cc649d6bd54f76acc2"}}]""")))
    public List<DatasetStore.Entry> list() {
        return store.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequiresApiToken
    @Operation(summary = "Generate a dataset with a behaviour policy (random, scripted) in a domain",
            description = "name required; domain default real, envSteps default 10000 (1..2000000), numEnvs default 2 (1..256), "
                    + "seed default 0; policy snapshot with policyRunId acts with that run's newest snapshot held. Synchronous. "
                    + "Needs the API token when one is configured.")
    @RequestBody(required = true, description = "The dataset's name, domain, physics and behaviour policy",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = GenerateRequest.class),
                    examples = @ExampleObject(name = "gravity x1.5, random", value = """
                            {"name": "gravity-1.5-random", "domain": "real", "physics": {"gravity": 1.5}, "policy": "random",
                             "envSteps": 10000, "numEnvs": 2, "seed": 7}""")))
    @APIResponse(responseCode = "201", description = "Created: its name and header",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DatasetStore.Entry.class),
                    examples = @ExampleObject(name = "gravity x1.5, random", value = """
                            {"name": "gravity-1.5-random", "header": {"format": "sim2real-dataset", "formatVersion": 1, "envName": "HalfCheetah",
                              "obsDim": 17, "actDim": 6, "transitions": 10000, "domain": "real", "physics": {"gravity": 1.5},
                              "behaviour": "random", "seed": 7, "createdAtMs": 1764072000000, "description": "perturbed cheetah, random policy",
                              "bodySha256": "b22bfdd57af923ffdd6992dd1562881c3f3bd10c020713cc649d6bd54f76acc2"}}""")))
    @APIResponse(responseCode = "400", description = "A bad field (named)")
    @APIResponse(responseCode = "422", description = "The dataset could not be written or read (DatasetException)")
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
    @RequestBody(required = true, description = "One JSON transition per line (docs/DATASETS.md: episodeId, step, obs, act, rew, "
            + "nextObs, optional done and truncated)",
            content = @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "one line", value = """
                            {"episodeId": 0, "step": 0, "obs": [-0.0352, -0.0698, 0.0302, -0.0855, 0.0072, -0.0269, -0.0884, 0.0015, 3.075, -0.2654, -1.7206, -1.6371, -0.3019, 1.3074, -1.5048, -1.107, 0.5097], "act": [-0.7639, -0.1638, 0.5143, -0.696, -0.0221, -0.9216], "rew": 0.12, "nextObs": [0.0895, 0.0154, -0.0207, 0.0953, -0.0907, 0.0717, -0.0421, -0.0711, 3.2356, -0.7661, 1.2645, -1.2771, 0.3264, 0.5557, -0.5104, 0.191, -1.7488], "done": false, "truncated": false}""")))
    @APIResponse(responseCode = "201", description = "Imported: its name and header",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DatasetStore.Entry.class),
                    examples = @ExampleObject(name = "gravity x1.5, random", value = """
                            {"name": "gravity-1.5-random", "header": {"format": "sim2real-dataset", "formatVersion": 1, "envName": "HalfCheetah",
                              "obsDim": 17, "actDim": 6, "transitions": 10000, "domain": "real", "physics": {"gravity": 1.5},
                              "behaviour": "random", "seed": 7, "createdAtMs": 1764072000000, "description": "perturbed cheetah, random policy",
                              "bodySha256": "b22bfdd57af923ffdd6992dd1562881c3f3bd10c020713cc649d6bd54f76acc2"}}""")))
    @APIResponse(responseCode = "400", description = "A bad line; the error names it and nothing is stored")
    @APIResponse(responseCode = "422", description = "The dataset could not be written or read (DatasetException)")
    public Response importLog(@Parameter(description = "The dataset name", example = "gravity-1.5-random") @PathParam("name") String name, String body) {
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
    @RequestBody(required = true, description = "The run to publish for; batchSize default 500 (1..5000)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReplayRequest.class),
                    examples = @ExampleObject(name = "replay", value = """
                            {"runId": "cheetah-robot-01", "batchSize": 500}""")))
    @APIResponse(responseCode = "200", description = "Published: batches and transitions",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReplayResult.class),
                    examples = @ExampleObject(name = "replayed", value = """
                            {"dataset": "gravity-1.5-random", "runId": "cheetah-robot-01", "batches": 20, "transitions": 10000}""")))
    @APIResponse(responseCode = "400", description = "A bad run id or batchSize, or a run whose realDomain.source names another dataset or checksum")
    @APIResponse(responseCode = "404", description = "No dataset of that name")
    @APIResponse(responseCode = "422", description = "The dataset could not be written or read (DatasetException)")
    public Response replay(@Parameter(description = "The dataset name", example = "gravity-1.5-random") @PathParam("name") String name, ReplayRequest request) {
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
            // A run that names its real source takes only that dataset (RunSpec realDomain.source).
            io.sim2real.env.api.RunCollectionRules.replay(runs, request.runId(), name, dataset.header().bodySha256());
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
    @RequestBody(required = true, description = "The run and the domain whose transitions to save",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FromRunRequest.class),
                    examples = @ExampleObject(name = "real transitions", value = """
                            {"runId": "cheetah-robot-01", "domain": "real"}""")))
    @APIResponse(responseCode = "201", description = "Saved: its name and header",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DatasetStore.Entry.class),
                    examples = @ExampleObject(name = "gravity x1.5, random", value = """
                            {"name": "gravity-1.5-random", "header": {"format": "sim2real-dataset", "formatVersion": 1, "envName": "HalfCheetah",
                              "obsDim": 17, "actDim": 6, "transitions": 10000, "domain": "real", "physics": {"gravity": 1.5},
                              "behaviour": "random", "seed": 7, "createdAtMs": 1764072000000, "description": "perturbed cheetah, random policy",
                              "bodySha256": "b22bfdd57af923ffdd6992dd1562881c3f3bd10c020713cc649d6bd54f76acc2"}}""")))
    @APIResponse(responseCode = "400", description = "A bad run id or domain")
    @APIResponse(responseCode = "404", description = "The run has no transitions of that domain on sim2real.transitions")
    @APIResponse(responseCode = "422", description = "The dataset could not be written or read (DatasetException)")
    public Response fromRun(@Parameter(description = "The dataset name", example = "gravity-1.5-random") @PathParam("name") String name, FromRunRequest request) {
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

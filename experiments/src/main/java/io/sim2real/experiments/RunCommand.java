package io.sim2real.experiments;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.experiments.client.RunClient;
import io.sim2real.methods.MethodTraits;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sim2real run submit | status | delete | evaluate}: a run on the running services, through {@link RunClient}.
 * {@code submit} builds the RunSpec from options (its settings as RunSpec parameters), checks it as the services will
 * (a bad field is refused naming it, exit code 2, nothing sent), submits it and prints the effective RunSpec the
 * services published; {@code --await} waits until the named services hold it. {@code evaluate} asks env-service to
 * evaluate the run's newest policy (or a fixed behaviour) in sim and in {@code --real-physics}, and prints its answer.
 */
public final class RunCommand {

    static final Set<String> OPTIONS = Set.of("run-id", "method", "mode", "seed", "env-steps", "real-physics", "real-name",
            "training-domains", "parameters", "env-url", "token", "await", "await-seconds", "out", "policy", "episodes",
            "env-step");

    private RunCommand() {
    }

    public static void run(String[] argv, PrintStream out) throws Exception {
        if (argv.length == 0 || !List.of("submit", "status", "delete", "evaluate").contains(argv[0])) {
            throw new IllegalArgumentException("run needs an action: submit, status, delete or evaluate"
                    + (argv.length == 0 ? "" : "; got '" + argv[0] + "'"));
        }
        Args args = new Args(Arrays.copyOfRange(argv, 1, argv.length), OPTIONS);
        String runId = args.text("run-id", "");
        if (runId.isEmpty()) {
            throw new IllegalArgumentException("--run-id is required");
        }
        RunClient client = client(args);
        switch (argv[0]) {
            case "submit" -> {
                RunSpec spec = spec(args, runId);
                List<RunClient> await = args.list("await", "").stream().map(u -> new RunClient(u, token(args))).toList();
                Duration awaitFor = Duration.ofSeconds(args.integer("await-seconds", 60, 1, 24 * 3600));
                Path file = args.has("out") ? Path.of(args.text("out", "")) : null;
                RunClient.check(spec); // before anything is sent or written
                RunSpec effective = client.submit(spec);
                String json = MessageCodec.MAPPER.writeValueAsString(effective);
                if (file != null) {
                    Files.writeString(file, json + "\n");
                }
                out.println("run " + effective.runId() + " submitted: " + json);
                if (!await.isEmpty() && !RunClient.awaitRun(runId, await, awaitFor)) {
                    throw new IllegalStateException("run " + runId + " was submitted, but not every one of "
                            + args.text("await", "") + " knew it after " + awaitFor.toSeconds() + " s");
                }
            }
            case "status" -> {
                RunClient.RunStatus status = client.status(runId).orElseThrow(() -> new IllegalArgumentException(
                        "no run '" + runId + "' on " + client.base()));
                out.println(MessageCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(status));
            }
            case "evaluate" -> {
                String policy = args.choice("policy", "snapshot", CollectCommand.POLICIES);
                Map<String, Double> physics = args.has("real-physics")
                        ? args.physicsFactors("real-physics") : null;
                Integer episodes = args.has("episodes") ? args.integer("episodes", 0, 1, 100) : null;
                Long seed = args.has("seed") ? (long) args.integer("seed", 0, 0, Integer.MAX_VALUE) : null;
                Long envStep = args.has("env-step") ? (long) args.integer("env-step", 0, 0, Integer.MAX_VALUE) : null;
                out.println(MessageCodec.MAPPER.writeValueAsString(client.evaluate(
                        new RunClient.EvaluationRequest(runId, policy, physics, episodes, seed, envStep))));
            }
            case "delete" -> {
                client.delete(runId);
                out.println("run " + runId + " deleted (a tombstone on sim2real.runs; its collections stop)");
            }
            default -> throw new IllegalStateException(argv[0]);
        }
    }

    static RunClient client(Args args) {
        return new RunClient(args.text("env-url", "http://127.0.0.1:8081"), token(args));
    }

    static String token(Args args) {
        return args.text("token", System.getenv().getOrDefault("SIM2REAL_API_TOKEN", ""));
    }

    /** The RunSpec the options define (not yet checked against the parameter catalogue: {@link RunClient#check}). */
    static RunSpec spec(Args args, String runId) {
        RunSpec.Method method = RunSpec.Method.fromWire(args.choice("method", "mbpo",
                Arrays.stream(RunSpec.Method.values()).map(RunSpec.Method::wireName).toList()));
        RunSpec.Mode mode = RunSpec.Mode.fromWire(args.choice("mode", "async", List.of("async", "lockstep")));
        if (!args.has("env-steps")) {
            throw new IllegalArgumentException("--env-steps is required (the run's budget of training-domain transitions)");
        }
        long envSteps = args.integer("env-steps", 0, 1, Integer.MAX_VALUE);
        long seed = args.integer("seed", 1, 0, Integer.MAX_VALUE);
        Map<String, Double> physics = args.physicsFactors("real-physics");
        String realName = args.text("real-name", physics.isEmpty() ? "none" : physicsName(physics));
        List<Domain> domains = trainingDomains(args, method);
        Map<String, Double> parameters = new LinkedHashMap<>(Args.namedNumbers("parameters", args.text("parameters", "")));
        return new RunSpec(SchemaVersion.CURRENT, runId, method, mode, seed, envSteps,
                new RunSpec.DomainSpec(realName, physics), domains, parameters, System.currentTimeMillis());
    }

    /** "gravity-1.5" for {gravity: 1.5}; several kinds joined with '_'. */
    static String physicsName(Map<String, Double> physics) {
        StringBuilder b = new StringBuilder();
        physics.forEach((k, v) -> b.append(b.length() == 0 ? "" : "_").append(k).append('-')
                .append(v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(v)));
        return b.toString();
    }

    /** --training-domains, or the ones the method trains on (sim for SAC and MBPO, which may train on either). */
    private static List<Domain> trainingDomains(Args args, RunSpec.Method method) {
        if (!args.has("training-domains")) {
            MethodTraits traits = MethodTraits.of(method);
            return traits.usesRealData() ? List.of(Domain.SIM, Domain.REAL) : List.of(Domain.SIM);
        }
        return args.choices("training-domains", "", List.of("sim", "real")).stream()
                .map(d -> d.equals("sim") ? Domain.SIM : Domain.REAL).toList();
    }
}

package io.sim2real.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.experiments.report.Stats;
import io.sim2real.methods.RunParameter;
import io.sim2real.methods.RunSettings;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.training.model.RoundReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished {@code sim2real train} run in one line of JSON ({@code summary.json} in its folder), small enough to commit
 * while the run folder is not: the command, method and variant, seed, budget, real data, effective parameters, wall
 * time, the model's rollout fidelity (mean and sampled predictions, sim and real start states; the last round's and the
 * mean of the last three rounds'), the latent model's last round (training G, KL ratio, losses), the last periodic
 * evaluation and, with {@code --summary-episodes} above 0, the run's last {@code --summary-last} saved policies each
 * played for that many episodes in sim and in the real domain, with the episode seeds and order of
 * {@code sim2real evaluate --runs --last N --episodes E} (seed {@link EvaluateCommand#DEFAULT_SEED}), so its numbers are
 * that command's. A run without real data is played in every domain of {@code --kinds} × {@code --factors}.
 */
final class RunSummary {

    static final String FILE = "summary.json";

    private RunSummary() {
    }

    static void write(Path file, TrainedRun run, MbpoTraining.Definition def, RunSettings settings, long updates, long rounds,
                      List<double[]> fidelityByRound, RoundReport lastRound, double[] lastReturns, double minutes,
                      PrintStream out) throws IOException {
        long start = System.nanoTime();
        ObjectNode o = MessageCodec.MAPPER.createObjectNode();
        o.put("command", run.command());
        o.put("method", run.method());
        o.put("variant", run.variant());
        o.put("label", run.label());
        o.put("seed", run.seed());
        o.put("envSteps", run.envSteps());
        o.put("initialRandomSteps", settings.integer(RunParameter.INITIAL_RANDOM_STEPS));
        o.put("updatesPerStep", settings.number(RunParameter.UPDATES_PER_STEP));
        o.put("sacUpdates", updates);
        o.put("modelRounds", rounds);
        o.put("realDomain", run.simOnly() ? "" : run.cell());
        o.put("realBehaviour", run.realBehaviour());
        o.put("realDatasetSha256", run.realDatasetSha256());
        ObjectNode parameters = o.putObject("parameters");
        settings.spec().parameters().forEach(parameters::put);
        o.put("sampledPredictions", def.sampledLatentRollouts() || settings.traits().model() != io.sim2real.methods.MethodTraits.Model.LATENT);
        o.put("trainingMinutes", round(minutes, 2));
        o.put("cores", Runtime.getRuntime().availableProcessors());

        ObjectNode fidelity = o.putObject("fidelity");
        fidelity.put("note", "one-step error over the variance of the true change, 0 perfect, 1 = the mean change; from "
                + "each domain's rollout start states against MuJoCo in that domain");
        if (!fidelityByRound.isEmpty()) {
            fidelity.set("lastRound", fidelityNode(List.of(fidelityByRound.get(fidelityByRound.size() - 1))));
            fidelity.set("lastThreeRounds", fidelityNode(fidelityByRound.subList(Math.max(0, fidelityByRound.size() - 3),
                    fidelityByRound.size())));
        }
        if (lastRound != null && lastRound.measures() != null) {
            ObjectNode latent = o.putObject("latentLastRound");
            number(latent, "trainingMappingDistance", lastRound.measures().mappingDistance());
            number(latent, "klRatio", lastRound.measures().klRatio());
            if (lastRound.firstLosses() != null) {
                number(latent, "lossFirst", lastRound.firstLosses().total());
                number(latent, "lossLast", lastRound.lastLosses().total());
                number(latent, "anchorLast", lastRound.lastLosses().anchor());
            }
        }
        ObjectNode eval = o.putObject("lastEvaluation");
        eval.put("envStep", (long) lastReturns[2]);
        eval.put("episodes", def.evalEpisodes());
        number(eval, "sim", round(lastReturns[0], 1));
        number(eval, "real", round(lastReturns[1], 1));

        if (def.summaryEpisodes() > 0) {
            List<PolicySnapshot> policies = lastPolicies(run, def.summaryLast());
            int episodes = def.summaryEpisodes();
            long seed = EvaluateCommand.DEFAULT_SEED;
            ObjectNode last = o.putObject("lastPolicies");
            last.put("policies", policies.size());
            last.put("episodes", episodes);
            last.put("seed", seed);
            List<Double> sim = returns(policies, DomainPhysics.neutral(), episodes, seed);
            last.set("sim", stats(sim));
            ObjectNode real = last.putObject("real");
            ObjectNode combined = last.putObject("combined");
            for (Map.Entry<String, DomainPhysics> cell : realDomains(run, def).entrySet()) {
                List<Double> r = returns(policies, cell.getValue(), episodes, seed);
                real.set(cell.getKey(), stats(r));
                List<Double> c = new ArrayList<>();
                for (int i = 0; i < r.size(); i++) {
                    c.add((sim.get(i) + r.get(i)) / 2);
                }
                combined.set(cell.getKey(), stats(c));
            }
            last.put("minutes", round((System.nanoTime() - start) / 6e10, 2));
        }
        String line = MessageCodec.MAPPER.writeValueAsString(o);
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8);
        out.printf("summary: %s%n", file);
    }

    /** The run's last n saved policies (fewer if it saved fewer; the final one alone if it saved none). */
    private static List<PolicySnapshot> lastPolicies(TrainedRun run, int n) {
        try {
            return run.lastPolicies(n);
        } catch (IllegalArgumentException fewer) {
            return List.of(run.policy());
        }
    }

    private static Map<String, DomainPhysics> realDomains(TrainedRun run, MbpoTraining.Definition def) {
        Map<String, DomainPhysics> cells = new LinkedHashMap<>();
        if (!run.simOnly()) {
            cells.put(run.cell(), DomainPhysics.of(run.realPhysics()));
            return cells;
        }
        for (String kind : def.kinds()) {
            for (double f : def.factors()) {
                cells.put(kind + " ×" + f, PolicyReturns.perturbed(kind, f));
            }
        }
        return cells;
    }

    /** Each policy's returns for the same episodes, one after another (as evaluate --runs plays them). */
    private static List<Double> returns(List<PolicySnapshot> policies, DomainPhysics physics, int episodes, long seed) {
        List<Double> out = new ArrayList<>();
        policies.forEach(p -> out.addAll(PolicyReturns.evaluate(p, physics, episodes, seed)));
        return out;
    }

    private static ObjectNode stats(List<Double> values) {
        ObjectNode n = MessageCodec.MAPPER.createObjectNode();
        number(n, "mean", round(Stats.mean(values), 1));
        n.put("std", round(values.size() > 1 ? Stats.std(values) : 0, 1));
        n.put("n", values.size());
        return n;
    }

    /** Mean over rounds of {mean sim, mean real, sampled sim, sampled real} (NaN where a round had none: null). */
    private static ObjectNode fidelityNode(List<double[]> rounds) {
        String[] names = {"simMean", "realMean", "simSampled", "realSampled"};
        ObjectNode n = MessageCodec.MAPPER.createObjectNode();
        for (int j = 0; j < names.length; j++) {
            double sum = 0;
            for (double[] r : rounds) {
                sum += r[j];
            }
            double v = sum / rounds.size();
            number(n, names[j], round(v, 4));
        }
        n.put("rounds", rounds.size());
        return n;
    }

    /** JSON has no NaN: a value a run did not measure is null. */
    private static void number(ObjectNode n, String name, double v) {
        if (Double.isFinite(v)) {
            n.put(name, v);
        } else {
            n.putNull(name);
        }
    }

    private static double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return v;
        }
        double s = Math.pow(10, decimals);
        return Math.round(v * s) / s;
    }
}

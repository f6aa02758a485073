package io.sim2real.experiments;

import io.sim2real.experiments.client.ServiceException;
import io.sim2real.experiments.report.Ansi;
import java.io.PrintStream;

/** The {@code sim2real} command line (bin/sim2real): one subcommand per job. */
public final class Sim2RealCli {

    static final String USAGE = """
            usage: sim2real <command> [--option value ...]

              gap-table   gap-only measurements for perturbation kinds x factors x seeds, in-process on MuJoCo;
                          writes a report folder (markdown tables, CSV, PNG plots)
                          --kinds gravity,torso_length,thigh_length --factors 1.0,1.05,1.5,2.0 --seeds 1
                          --rows 10000 --behaviour random|gait|noisy-gait|policy:FILE --paired true|false --init sim|real|random
                          --members 5 --elites 3 --hidden 200,200,200 --max-epochs 100 --latent-hidden 200,200
                          --joint-steps 600 --batch 256 --train-sim-autoencoder true|false --envs 16 --out DIR
              gap-probe   the gap probe beside an emulated live real stream, in-process: per cell, G every --every real
                          transitions (counterfactual pairs and unpaired), its floor, calibration metrics, stability,
                          ordering, rank correlation with a fixed policy's return loss; or --drift: detector delays
                          --cells gravity=1.0,gravity=1.05,gravity=1.5,gravity=2.0,torso_length=2.0,thigh_length=2.0
                          --every 2000 --window 2000 --rounds 5 --probe-seeds 3 --joint-steps 200 --envs 16 --seed 1
                          --behaviour random|gait|noisy-gait|policy:FILE --policy FILE (default: the scripted gait)
                          --episodes 5 --eval-seed 30000 --out DIR
                          --drift gravity=1.0:1.5@6000,body_mass=1.0:1.3@6000 --drift-rounds N
                          --stationary-steps 72000 --stationary-rounds 12
              sweep       a gap-only sweep through the running services (bin/run-local --keep, or a cluster):
                          submits a run per cell to env-service, follows the results on sim2real.gap with a
                          progress bar and the time left, writes a report; stop and resume by the sweep's name
                          --name NAME --action start|resume|stop|collect --env-url http://127.0.0.1:8081
                          --bootstrap 127.0.0.1:9092 --kinds gravity --factors 1.0,1.5,2.0 --seeds 1 --steps 5000
                          --envs 16 --policy random --timeout-minutes 30 --token TOKEN --out DIR
              train-sweep training runs through the running services, methods x kinds x factors x seeds, each
                          in lockstep; the final policy evaluated in sim and real; the table of sim / real /
                          combined returns by method and perturbation; stop and resume by the sweep's name
                          --name NAME --action start|resume|stop|collect --methods mbpo-sim-only,mbpo-mixed,latent-sim-init
                          --kinds gravity --factors 1.5 --seeds 1 --steps 10000 --real-steps 5000 --real-policy random
                          (or --real-dataset NAME: replay env-service's stored real dataset, e.g. of medium quality)
                          --initial-steps 1000 --updates-per-step 10 --episodes 5 --env-url URL --bootstrap HOST:PORT
                          --parameters name=value,... (RunSpec parameters for every run) --timeout-minutes 600
                          --token TOKEN (or SIM2REAL_API_TOKEN) --out DIR
              train       MBPO (or SAC) on HalfCheetah in one process, in lockstep, or a method that also trains on
                          an offline real dataset; learning curve (with each model round's rollout fidelity), the
                          final policy's return under perturbations, and the policy as a PolicySnapshot (policy.json)
                          --method mbpo|sac|mbpo-mixed|latent-sim-init|latent-real-init --real-dataset FILE.s2rds
                          --joint-steps 250 --real-starts 0 (share of rollouts from real states, every method with
                          real data) --lambda-anchor 0 (latent-*) --latent-rollouts sampled|mean
                          --train-sim-autoencoder true|false --summary-last 3 --summary-episodes 0 (summary.json: the
                          last 3 policies played that many episodes in sim and real) --env-steps 30000 --updates-per-step 20 --initial-steps 5000
                          --model-every 250 --rollouts-per-step 400 --real-ratio 0.05 --eval-every 2500 --eval-episodes 3
                          --members 7 --elites 5 --hidden 200,200,200,200 --max-epochs 1000 --lockstep-chunk 50
                          --model-lag 0|1 --seed 1
                          --kinds gravity,torso_length,thigh_length --factors 1.5,2.0 --out DIR
              evaluate    saved policies (train's policy.json) in sim and under each perturbation, the same
                          episodes for each: the return against the factor (Table 1 shape) and per perturbation
                          the sim / real / combined return (Tables 2-3 shape); markdown, CSV, PNG
                          --policies NAME=FILE,NAME=FILE --kinds gravity,torso_length,thigh_length
                          --factors 1.05,1.5,2.0 --episodes 5 --seed 30000 --out DIR
                          or --runs DIR,DIR: train run folders (or folders of them), each in sim and in the real
                          domain it trained on (sim-only runs in all): methods x perturbations, mean ± std over seeds;
                          --last 3: each run's last 3 evaluated policies (policies/step-N.json), not the final alone
              dataset     an offline dataset (.s2rds, docs/DATASETS.md) collected in-process by a behaviour policy
                          --physics thigh_length=2.0 --domain real|sim --behaviour random|gait|noisy-gait|policy:FILE
                          --steps 5000 --envs 8 --seed 1 --out FILE.s2rds
              run         a run on the running services (through the one typed client, never JSON by hand):
                          run submit: the RunSpec built from options, checked as the services will (a bad field is
                          refused naming it, exit 2, nothing sent), submitted; prints the effective RunSpec
                          --run-id RUN --method mbpo|sac|mbpo-sim-only|mbpo-mixed|latent-*|gap-only --mode async|lockstep
                          --seed 1 --env-steps N --real-physics gravity=1.5 --real-name NAME --training-domains sim,real
                          --parameters updatesPerStep=10,trainEvery=1000,... (RunSpec parameters, docs/CONTRACTS.md)
                          --out FILE (the effective RunSpec as JSON) --await URL,URL (wait until these services hold
                          the run) --await-seconds 60; run status --run-id RUN; run delete --run-id RUN;
                          run evaluate --run-id RUN --policy snapshot|scripted|random --real-physics gravity=1.5
                          --episodes 5 --seed 0 --env-step N: env-service evaluates in sim and real, prints its answer;
                          every action: --env-url http://127.0.0.1:8081 --token TOKEN (or SIM2REAL_API_TOKEN)
              collect     start a collection of a defined run on env-service; prints its id. Left out, envSteps and
                          seed are the run's, a real collection's physics the run's real domain
                          --run-id RUN --domain sim|real --physics gravity=1.5 --policy random|scripted|snapshot
                          --env-steps N --envs 4 --batch-size 250 --seed N --env-url URL --token TOKEN
                          or --dataset NAME [--policy snapshot --policy-run-id RUN]: env-service generates a dataset
                          (no run) with that behaviour, and the command prints its header
              publish-policy  a saved policy (train's policy.json or policies/step-N.json) on sim2real.policies
                          as a run's newest policy, for env-service's evaluations and datasets
                          --file FILE --run-id RUN --bootstrap 127.0.0.1:9092
            """;

    private Sim2RealCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Ansi.forStdout()));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Ansi.OFF);
    }

    /**
     * Runs one command. Exit codes: 0 done; 2 bad input (an unknown command or option, a value out of its range:
     * one line on {@code err} naming the option and what it accepts, checked before any work; or a service's refusal,
     * 4xx, with its message on one line); 1 a failure while working (the error and its stack trace on {@code err}; a
     * service that failed or could not be reached: one line).
     */
    static int run(String[] args, PrintStream out, PrintStream err, Ansi ansi) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.print(help(USAGE, ansi));
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("help")) && !help(args[0]).isEmpty()) {
            out.print(help(help(args[0]), ansi));
            return 0;
        }
        try {
            switch (args[0]) {
                case "gap-table" -> GapTable.run(rest, out);
                case "gap-probe" -> GapProbeCommand.run(rest, out);
                case "train" -> MbpoTraining.run(rest, out);
                case "sweep" -> GapSweep.run(rest, out);
                case "train-sweep" -> TrainSweep.run(rest, out);
                case "publish-policy" -> PublishPolicy.run(rest, out);
                case "run" -> RunCommand.run(rest, out);
                case "collect" -> CollectCommand.run(rest, out);
                case "dataset" -> DatasetCommand.run(rest, out);
                case "evaluate" -> EvaluateCommand.run(rest, out);
                default -> {
                    err.println("unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
            return 0;
        } catch (ServiceException e) {
            // A service's answer: a refusal (4xx) is bad input, anything else a failure; either way its message, on one line.
            err.println("sim2real " + args[0] + ": " + oneLine(e.getMessage()));
            return e.refused() ? 2 : 1;
        } catch (IllegalArgumentException e) {
            // Bad input: the commands read and check every option before they start work (Args), refusing with this.
            err.println("sim2real " + args[0] + ": " + oneLine(e.getMessage()) + " (sim2real " + args[0] + " --help)");
            return 2;
        } catch (Exception e) {
            err.println("sim2real " + args[0] + " failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private static String oneLine(String message) {
        return message == null ? "bad input" : message.replaceAll("\\s*\\R\\s*", " ");
    }

    /** The lines of the help about one command (its own line and the more indented ones after it), or "". */
    static String help(String command) {
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (String line : USAGE.split("\n")) {
            if (line.matches("  [a-z].*")) {
                in = line.startsWith("  " + command + " ");
            }
            if (in) {
                out.append(line).append('\n');
            }
        }
        return out.length() == 0 ? "" : "usage: sim2real " + command + " [--option value ...]\n\n" + out;
    }

    /** The help with each command's name in bold where colour is on. */
    static String help(String text, Ansi ansi) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("  ([a-z][a-z-]*)( .*)?").matcher(line);
            out.append(m.matches() ? "  " + ansi.bold(m.group(1)) + (m.group(2) == null ? "" : m.group(2)) : line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}

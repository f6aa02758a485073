package io.sim2real.nn;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.RolloutBatch;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Branched rollouts: from sampled start states, k model steps each, all rollouts stepped together (batched
 * inference). Actions come from the run's newest policy (sampled, as MBPO does), or are uniform random
 * before a policy exists. The model may keep its own state (the latent model keeps latent vectors); the policy
 * and the published transitions see observations.
 */
public final class Rollouts {

    private Rollouts() {
    }

    private static double[][] uniform(int n, EnvSpec spec, SplittableRandom random) {
        double[][] act = new double[n][spec.actDim()];
        for (double[] a : act) {
            for (int j = 0; j < a.length; j++) {
                a[j] = spec.actionLow() + (spec.actionHigh() - spec.actionLow()) * random.nextDouble();
            }
        }
        return act;
    }

    private static boolean isFinite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** Emits the model transitions in batches of at most {@code batchSize}; returns how many were made. */
    public static long generate(RolloutModel model, boolean latent, EnvSpec spec, double[][] starts, int length,
                                String runId, long modelVersion, Domain startDomain, int batchSize,
                                SplittableRandom random, Optional<ActorRunner> policy, Consumer<RolloutBatch> sink) {
        int n = starts.length;
        double[][] state = model.enter(starts);
        double[][] obs = latent ? model.observe(state) : starts;
        long made = 0;
        for (int k = 0; k < length; k++) {
            double[][] act = policy.isPresent() ? policy.get().act(obs, false, random) : uniform(n, spec, random);
            double[][] nextState = new double[n][];
            double[] rew = new double[n];
            model.step(state, act, n, random, nextState, rew);
            double[][] next = model.observe(nextState);
            // A diverging model can produce non-finite states: those rows are dropped, never published.
            int[] finite = new int[n];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (isFinite(next[i]) && Double.isFinite(rew[i]) && isFinite(obs[i])) {
                    finite[kept++] = i;
                }
            }
            for (int from = 0; from < kept; from += batchSize) {
                int m = Math.min(kept, from + batchSize) - from;
                double[][] o = new double[m][];
                double[][] a = new double[m][];
                double[] r = new double[m];
                double[][] x = new double[m][];
                for (int j = 0; j < m; j++) {
                    int i = finite[from + j];
                    o[j] = obs[i];
                    a[j] = act[i];
                    r[j] = rew[i];
                    x[j] = next[i];
                }
                sink.accept(new RolloutBatch(SchemaVersion.CURRENT, runId, modelVersion, modelVersion, latent, startDomain,
                        o, a, r, x, new boolean[m]));
            }
            made += kept;
            state = nextState;
            obs = next;
        }
        return made;
    }
}

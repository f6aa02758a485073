package io.sim2real.bench;

import io.sim2real.nn.EnsembleConfig;
import io.sim2real.nn.latent.LatentConfig;
import io.sim2real.nn.latent.LatentModel;
import io.sim2real.nn.latent.Transitions;
import java.util.SplittableRandom;

/**
 * One joint training step of the latent sim-to-real model (MBPO's 7 x 4 x 200 ensemble as latent dynamics,
 * 2 x 200 residual encoders, decoders and mapping, 256 transitions of each domain) against every peer
 * ({@link Peers}: benchmarks/peer/latent_peer.py), same threads, same run, beside the step's arithmetic limit
 * ({@link Flops#latentStep()}). Ours gets the thread count as its ensemble's {@code EnsembleConfig.threads}.
 * Run: {@code bin/bench latent [threads, e.g. 1,2]}.
 */
public final class LatentBenchmark {

    private LatentBenchmark() {
    }

    static Transitions random(int n, SplittableRandom r) {
        double[][] o = new double[n][17], a = new double[n][6], o2 = new double[n][17];
        double[] rew = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 17; j++) {
                o[i][j] = r.nextGaussian();
                o2[i][j] = o[i][j] + 0.1 * r.nextGaussian();
            }
            for (int j = 0; j < 6; j++) {
                a[i][j] = 2 * r.nextDouble() - 1;
            }
            rew[i] = r.nextGaussian();
        }
        return new Transitions(o, a, rew, o2);
    }

    public static void main(String[] args) throws Exception {
        for (int threads : Timing.threadCounts(args)) {
            run(threads);
        }
    }

    private static void run(int threads) throws Exception {
        GemmRates rates = GemmRates.measure(threads);
        SplittableRandom r = new SplittableRandom(1);
        Transitions sim = random(4096, r);
        Transitions real = random(4096, r);
        LatentModel model = LatentModel.random(sim, real, 17, 6, EnsembleConfig.mbpo(1).withThreads(threads), LatentConfig.defaults(1));
        double ours = Timing.medianMillis(10, 100, () -> model.trainStep(sim, real, r));
        Timing.compare("latent joint step (median of 100)", threads, ours,
                Peers.runAll("benchmarks/peer/latent_peer.py", threads), "latent_step_ms_median", 1, Flops.latentStep(),
                "torch_counted_flops", rates);
    }
}

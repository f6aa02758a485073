package io.sim2real.bench;

import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import java.util.SplittableRandom;

/**
 * SAC updates (HalfCheetah shapes: 17 obs, 6 actions, 256-256 networks, batch 256) against every peer
 * ({@link Peers}: benchmarks/peer/sac_peer.py), same threads, same run, beside the update's arithmetic limit
 * ({@link Flops#sacUpdate()}). {@code nn.Sac} has no thread setting: ours runs on one thread at every count.
 * Run: {@code bin/bench sac [threads, e.g. 1,2]}.
 */
public final class SacBenchmark {

    private SacBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        for (int threads : Timing.threadCounts(args)) {
            run(threads);
        }
    }

    private static void run(int threads) throws Exception {
        GemmRates rates = GemmRates.measure(threads);
        int b = 256;
        Sac sac = new Sac(SacConfig.standard(17, 6, 1));
        SplittableRandom r = new SplittableRandom(2);
        double[][] o = new double[b][17], a = new double[b][6], o2 = new double[b][17];
        double[] rew = new double[b];
        boolean[] done = new boolean[b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < 17; j++) {
                o[i][j] = r.nextGaussian();
                o2[i][j] = r.nextGaussian();
            }
            for (int j = 0; j < 6; j++) {
                a[i][j] = 2 * r.nextDouble() - 1;
            }
            rew[i] = r.nextGaussian();
        }
        double ours = Timing.medianMillis(30, 300, () -> sac.update(o, a, rew, o2, done, b));
        Timing.compare("SAC update (median of 300; ours on one thread)", threads, ours,
                Peers.runAll("benchmarks/peer/sac_peer.py", threads), "sac_update_ms_median", 1, Flops.sacUpdate(), "torch_counted_flops",
                rates);
    }
}

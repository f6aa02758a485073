package io.sim2real.bench;

import io.sim2real.nn.Sac;
import io.sim2real.nn.SacConfig;
import java.util.SplittableRandom;

/**
 * SAC updates (HalfCheetah shapes: 17 obs, 6 actions, 256-256 networks, batch 256) against the PyTorch peer
 * (benchmarks/peer/sac_peer.py), same threads, same run. Run: {@code bin/bench sac [threads]}.
 */
public final class SacBenchmark {

    private SacBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
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
        Timing.againstPeer("SAC update (median of 300)", ours, threads, "benchmarks/peer/sac_peer.py",
                "sac_update_ms_median", 2);
    }
}

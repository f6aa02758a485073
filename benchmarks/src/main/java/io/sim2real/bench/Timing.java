package io.sim2real.bench;

import java.util.Arrays;

/** Median wall time of a repeated step, after a warm-up. */
final class Timing {

    private Timing() {
    }

    static double medianMillis(int warmup, int runs, Runnable step) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }
}

package io.sim2real.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Median wall time of a repeated step, after a warm-up, and the comparison every nn benchmark prints: our time,
 * each peer's, the ratios (peer time / our time: >= 1 means we are faster), the ratio to the fastest peer, and the
 * path's arithmetic limit (its GEMM FLOPs, {@link Flops}, over the GEMM rate measured in the same run).
 */
final class Timing {

    /** Within this factor of the arithmetic limit, the limit replaces the fastest peer as the bar (issue 20). */
    static final double LIMIT_BAR = 1.15;

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

    /** Thread counts from the benchmark's argument: "1", "2" or "1,2" (the default). */
    static int[] threadCounts(String[] args) {
        String spec = args.length > 0 ? args[0] : "1,2";
        int[] t = Arrays.stream(spec.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        if (t.length == 0 || Arrays.stream(t).anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("threads: a comma-separated list of counts >= 1, got '" + spec + "'");
        }
        return t;
    }

    /**
     * Prints the comparison of one path at one thread count.
     *
     * @param key       the peers' JSON field with their time
     * @param keyToMs   factor from that field's unit to milliseconds
     * @param flops     the path's GEMM FLOPs ({@link Flops})
     * @param countedKey the peers' JSON field with torch's own count of the path's FLOPs (its FlopCounterMode over
     *                  one eager step), printed beside ours as a check; null where none counts them
     */
    static void compare(String path, int threads, double oursMs, List<Peers.Outcome> peers, String key, double keyToMs,
                        double flops, String countedKey, GemmRates rates) {
        System.out.printf(Locale.ROOT, "%n== %s, %d thread%s ==%n", path, threads, threads == 1 ? "" : "s");
        double limitNd4j = flops / (rates.nd4j() * 1e9) * 1e3;
        GemmRates.Rate best = rates.fastest();
        double limitBest = flops / (best.gflops() * 1e9) * 1e3;
        System.out.printf(Locale.ROOT, "GEMM FLOPs per step: %.4g GFLOP; sgemm 2048^3 GFLOP/s: %s%n", flops / 1e9, rates.describe());
        for (Peers.Outcome o : peers) {
            if (countedKey != null && o.ok() && o.json().hasNonNull(countedKey)) {
                System.out.printf(Locale.ROOT, "  (%s's FlopCounterMode counts %.4g GFLOP in one step)%n", o.name(),
                        o.json().get(countedKey).asDouble() / 1e9);
            }
        }
        System.out.printf(Locale.ROOT, "arithmetic limit: %s at ND4J's rate, %s at the fastest (%s)%n", ms(limitNd4j),
                ms(limitBest), best.who());
        System.out.printf(Locale.ROOT, "  %-48s %12s %10s %12s%n", "implementation", "time", "peer/ours", "limit/time");
        System.out.printf(Locale.ROOT, "  %-48s %12s %10s %12.2f%n", "sim2real (nn, ND4J)", ms(oursMs), "", limitBest / oursMs);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "| %d | %s |", threads, plain(oursMs)));
        Peers.Outcome fastest = null;
        for (Peers.Outcome o : peers) {
            if (!o.ok()) {
                System.out.printf(Locale.ROOT, "  %-48s not run: %s%n", o.peer().label(), o.failure());
                md.append(" n/a |");
                continue;
            }
            double t = o.json().get(key).asDouble() * keyToMs;
            Double compile = o.compileSeconds();
            String name = o.name() + (compile == null ? "" : String.format(Locale.ROOT, " (1st calls %.1f s)", compile));
            System.out.printf(Locale.ROOT, "  %-48s %12s %10.2f %12.2f%n", name, ms(t), t / oursMs, limitBest / t);
            md.append(String.format(Locale.ROOT, " %s (%.2f) |", plain(t), t / oursMs));
            if (fastest == null || t < fastest.json().get(key).asDouble() * keyToMs) {
                fastest = o;
            }
        }
        if (fastest == null) {
            System.out.println("no peer ran");
            md.append(" n/a |");
        } else {
            double f = fastest.json().get(key).asDouble() * keyToMs;
            System.out.printf(Locale.ROOT, "ratio to the fastest peer (%s, %s): %.2f%n", fastest.name(), ms(f), f / oursMs);
            md.append(String.format(Locale.ROOT, " **%.2f** (%s) |", f / oursMs, fastest.name()));
            if (f <= LIMIT_BAR * limitBest) {
                System.out.printf(Locale.ROOT, "the fastest peer is within %.0f%% of the limit: the bar is the limit; ours at %.2f of it%n",
                        (LIMIT_BAR - 1) * 100, limitBest / oursMs);
            }
        }
        md.append(String.format(Locale.ROOT, " %s / %s |", plain(limitNd4j), plain(limitBest)));
        System.out.println("table row: " + md);
    }

    private static String ms(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.3f s", ms / 1000) : String.format(Locale.ROOT, "%.2f ms", ms);
    }

    private static String plain(double ms) {
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.2f", ms);
    }
}

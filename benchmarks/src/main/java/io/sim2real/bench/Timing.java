package io.sim2real.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Locale;

/** Median wall time of a repeated step, after a warm-up, and how it compares with a peer script's. */
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

    /**
     * Prints our time, runs the peer script with the same threads and prints its time (field {@code key} of its
     * JSON) and the ratio peer / ours; prints only ours when the peer cannot run.
     */
    static void againstPeer(String what, double oursMs, int threads, String script, String key, int decimals)
            throws Exception {
        String f = "%." + decimals + "f";
        System.out.printf(Locale.ROOT, "sim2real (ND4J, %d thread): %s " + f + " ms%n", threads, what, oursMs);
        JsonNode peer = EnsembleBenchmark.runPeer(script, threads);
        if (peer != null) {
            double theirs = peer.get(key).asDouble();
            System.out.printf(Locale.ROOT, "%s (%d thread): %s " + f + " ms%n", peer.get("peer").asText(), threads, what, theirs);
            System.out.printf(Locale.ROOT, "ratio (peer time / our time, >= 1 means we are faster): %.2f%n", theirs / oursMs);
        }
    }
}

package io.sim2real.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sim2real.nn.F32;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The core's single-precision GEMM rate at a thread count, measured in the same run as a benchmark: a 2048^3
 * {@code cblas_sgemm} on ND4J's buffers through the OpenBLAS ND4J bundles (the call nn makes), and numpy's,
 * torch's and JAX's rates from benchmarks/peer/gemm_peer.py under Debian's python and the peer virtualenv's.
 */
final class GemmRates {

    private static final int N = 2048;

    /** One measured rate: who, GFLOP/s. */
    record Rate(String who, double gflops) {
    }

    private final List<Rate> rates;

    private GemmRates(List<Rate> rates) {
        this.rates = rates;
    }

    static GemmRates measure(int threads) throws InterruptedException {
        List<Rate> rates = new ArrayList<>();
        rates.add(new Rate("ND4J's OpenBLAS", nd4j(threads)));
        for (String python : List.of("/usr/bin/python3", Peers.VENV_PYTHON)) {
            Peers.Outcome o = Peers.run(new Peers.Peer("gemm " + python, python, "eager"), "benchmarks/peer/gemm_peer.py", threads,
                    List.of());
            if (!o.ok()) {
                System.out.println("GEMM rate under " + python + " not measured: " + o.failure());
                continue;
            }
            JsonNode j = o.json();
            rates.add(new Rate("numpy " + j.get("numpy").asText(), j.get("numpy_gflops").asDouble()));
            for (String lib : List.of("torch", "jax")) {
                if (j.has(lib)) {
                    rates.add(new Rate(lib + " " + j.get(lib).asText(), j.get(lib + "_gflops").asDouble()));
                }
            }
        }
        return new GemmRates(rates);
    }

    /** GFLOP/s of ND4J's sgemm with OpenBLAS allowed {@code threads} threads; puts nn's own setting back after. */
    static double nd4j(int threads) {
        INDArray a = F32.zeros(N, N); // F32 first: its static set-up would otherwise undo ours
        INDArray b = F32.zeros(N, N);
        INDArray c = F32.zeros(N, N);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (INDArray m : new INDArray[] {a, b}) {
            java.nio.FloatBuffer v = F32.view(m);
            for (int i = 0; i < N * N; i++) {
                v.put(i, (float) r.nextDouble(-1, 1));
            }
        }
        FloatPointer pa = new FloatPointer(a.data().pointer());
        FloatPointer pb = new FloatPointer(b.data().pointer());
        FloatPointer pc = new FloatPointer(c.data().pointer());
        Nd4j.factory().blas().setMaxThreads(threads);
        try {
            double[] s = new double[7];
            for (int i = -2; i < s.length; i++) {
                long t0 = System.nanoTime();
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                        openblas_nolapack.CblasNoTrans, N, N, N, 1f, pa, N, pb, N, 0f, pc, N);
                if (i >= 0) {
                    s[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            Arrays.sort(s);
            return 2.0 * N * N * N / s[s.length / 2] / 1e9;
        } finally {
            Nd4j.factory().blas().setMaxThreads(F32.ND4J_THREADS);
        }
    }

    double nd4j() {
        return rates.get(0).gflops();
    }

    Rate fastest() {
        return rates.stream().max((x, y) -> Double.compare(x.gflops(), y.gflops())).orElseThrow();
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        for (Rate r : rates) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f", r.who(), r.gflops()));
        }
        return s.toString();
    }
}

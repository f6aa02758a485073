package io.sim2real.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sim2real.nn.Activation;
import io.sim2real.nn.F32;
import io.sim2real.nn.GaussianEnsemble;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * MBPO's dynamics ensemble (7 members, 23 -> 4 x 200 SiLU -> 2 x 18, Gaussian NLL with learned bounds, Adam,
 * batch 256 per member) against the PyTorch peer (benchmarks/peer/ensemble_peer.py) with the same threads,
 * in the same run: median ms per training step, and seconds for 100,000 x 7 inference. Our threads train
 * members in parallel (BLAS itself single-threaded: OMP_NUM_THREADS=1); the peer uses torch's threads.
 * Run: {@code bin/bench ensemble [threads]}.
 */
public final class EnsembleBenchmark {

    private static final int MEMBERS = 7;
    private static final int IN = 23;
    private static final int OUT = 18;
    private static final int BATCH = 256;
    private static final int CHUNK = 4096;
    private static final int ROLLOUTS = 100_000;

    private EnsembleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        GaussianEnsemble model = new GaussianEnsemble(MEMBERS, IN, new int[] {200, 200, 200, 200}, OUT, Activation.SILU,
                CHUNK, 1e-3, new double[] {2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4}, 0.01, threads, 0);
        SplittableRandom r = new SplittableRandom(1);
        INDArray[] x = new INDArray[MEMBERS];
        INDArray[] y = new INDArray[MEMBERS];
        for (int e = 0; e < MEMBERS; e++) {
            x[e] = random(BATCH, IN, r);
            y[e] = random(BATCH, OUT, r);
        }
        for (int i = 0; i < 20; i++) {
            model.trainStep(x, y, BATCH);
        }
        double[] ms = new double[200];
        com.sun.management.ThreadMXBean threadsBean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedBefore = threadsBean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            model.trainStep(x, y, BATCH);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        // Java heap only, and only this thread's (all of the step at one thread); off-heap memory is allocated once, up front.
        long allocatedPerStep = (threadsBean.getCurrentThreadAllocatedBytes() - allocatedBefore) / ms.length;
        Arrays.sort(ms);
        double trainMs = ms[ms.length / 2];

        INDArray inputs = random(ROLLOUTS, IN, r);
        INDArray[] mean = new INDArray[model.lanes()];
        INDArray[] logVar = new INDArray[model.lanes()];
        for (int lane = 0; lane < model.lanes(); lane++) {
            mean[lane] = F32.zeros(CHUNK, OUT);
            logVar[lane] = F32.zeros(CHUNK, OUT);
        }
        infer(model, inputs, mean, logVar, CHUNK); // warm-up
        long t0 = System.nanoTime();
        infer(model, inputs, mean, logVar, ROLLOUTS);
        double inferenceS = (System.nanoTime() - t0) / 1e9;

        System.out.printf(Locale.ROOT, "sim2real (ND4J, %d thread%s): training step %.2f ms (median of 200), 100k x 7 inference %.2f s%n",
                threads, threads == 1 ? "" : "s", trainMs, inferenceS);
        if (threads == 1) {
            System.out.printf(Locale.ROOT, "Java heap allocated per training step: %d bytes%n", allocatedPerStep);
        }
        JsonNode peer = runPeer("benchmarks/peer/ensemble_peer.py", threads);
        if (peer != null) {
            double peerMs = peer.get("train_step_ms_median").asDouble();
            double peerS = peer.get("inference_100k_x7_s").asDouble();
            System.out.printf(Locale.ROOT, "%s (%d thread%s): training step %.2f ms, 100k x 7 inference %.2f s%n",
                    peer.get("peer").asText(), threads, threads == 1 ? "" : "s", peerMs, peerS);
            System.out.printf(Locale.ROOT, "ratio (peer time / our time, >= 1 means we are faster): training %.2f, inference %.2f%n",
                    peerMs / trainMs, peerS / inferenceS);
        }
    }

    /** Every member on every input; members of different lanes on different threads. */
    private static void infer(GaussianEnsemble model, INDArray inputs, INDArray[] mean, INDArray[] logVar, int rows) {
        model.inLanes(lane -> {
            for (int start = 0; start < rows; start += CHUNK) {
                int n = Math.min(CHUNK, rows - start);
                INDArray chunk = inputs.get(NDArrayIndex.interval(start, start + n), NDArrayIndex.all());
                for (int e = lane; e < MEMBERS; e += model.lanes()) {
                    model.predict(e, chunk, n, mean[lane], logVar[lane]);
                }
            }
        });
    }

    private static INDArray random(int rows, int cols, SplittableRandom r) {
        INDArray a = F32.zeros(rows, cols);
        FloatBuffer v = F32.view(a);
        for (int i = 0; i < rows * cols; i++) {
            v.put(i, (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble())));
        }
        return a;
    }

    /** Runs the PyTorch peer with Debian's python3 and jemalloc (its best allocator), or says why not. */
    static JsonNode runPeer(String script, int threads) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("/usr/bin/python3", script,
                "--threads", String.valueOf(threads))).redirectErrorStream(true);
        String jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
        if (new java.io.File(jemalloc).exists()) {
            pb.environment().put("LD_PRELOAD", jemalloc);
            pb.environment().put("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1");
        }
        pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            System.out.println("peer not run: /usr/bin/python3 missing (apt-get install -y python3-torch libopenblas0-openmp libjemalloc2)");
            return null;
        }
        String last = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        if (p.waitFor() != 0 || last == null) {
            System.out.println("peer failed (is python3-torch installed? apt-get install -y python3-torch libopenblas0-openmp libjemalloc2):\n" + all);
            return null;
        }
        return new ObjectMapper().readTree(last);
    }
}

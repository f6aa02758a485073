package io.sim2real.bench;

import io.sim2real.nn.Activation;
import io.sim2real.nn.F32;
import io.sim2real.nn.GaussianEnsemble;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * MBPO's dynamics ensemble (7 members, 23 -> 4 x 200 SiLU -> 2 x 18, Gaussian NLL with learned bounds, Adam,
 * batch 256 per member) against every peer ({@link Peers}: benchmarks/peer/ensemble_peer.py) with the same
 * threads, in the same run: median ms per training step, and the time of 100,000 x 7 inference, each beside its
 * arithmetic limit ({@link Flops}, {@link GemmRates}). Our threads train members in parallel (BLAS itself
 * single-threaded: OMP_NUM_THREADS=1); the peers use their libraries' threads.
 * Run: {@code bin/bench ensemble [threads, e.g. 1,2]}.
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
        for (int threads : Timing.threadCounts(args)) {
            run(threads);
        }
    }

    private static void run(int threads) throws Exception {
        GemmRates rates = GemmRates.measure(threads);
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
        double inferenceMs = (System.nanoTime() - t0) / 1e6;
        if (threads == 1) {
            System.out.printf(Locale.ROOT, "Java heap allocated per training step: %d bytes%n", allocatedPerStep);
        }
        List<Peers.Outcome> peers = Peers.runAll("benchmarks/peer/ensemble_peer.py", threads);
        Timing.compare("ensemble training step (median of 200)", threads, trainMs, peers, "train_step_ms_median", 1,
                Flops.ensembleTrainStep(), "torch_counted_flops", rates);
        Timing.compare("100k x 7 ensemble inference", threads, inferenceMs, peers, "inference_100k_x7_s", 1000,
                Flops.ensembleInference(), null, rates);
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
}

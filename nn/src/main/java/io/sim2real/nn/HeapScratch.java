package io.sim2real.nn;

/**
 * Per-thread heap arrays for element-wise passes. Off-heap buffers are copied in and out in bulk because loops over
 * heap arrays compile to SIMD code, while per-element accesses to direct buffers do not. Each thread holds one array
 * per slot, grown on demand, so steady-state steps allocate nothing.
 *
 * <p>A method holds slots only until it returns, and never across a call into another method that uses them
 * (a caller may use slot 0 after {@code EnsembleMlp.forward} has returned, not while it runs).
 */
final class HeapScratch {

    static final int SLOTS = 10;

    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);

    private HeapScratch() {
    }

    /** This thread's array for {@code slot}, at least n long; its contents are whatever the last user left. */
    static float[] get(int slot, int n) {
        float[][] arrays = ARRAYS.get();
        if (arrays[slot].length < n) {
            arrays[slot] = new float[n];
        }
        return arrays[slot];
    }

    /** to = a to + b from, element by element (same-sized arrays), over heap copies. */
    static void combine(org.nd4j.linalg.api.ndarray.INDArray to, float a, org.nd4j.linalg.api.ndarray.INDArray from, float b) {
        java.nio.FloatBuffer t = F32.view(to);
        int n = t.capacity();
        float[] ts = get(0, n);
        float[] fs = get(1, n);
        t.get(0, ts, 0, n);
        F32.view(from).get(0, fs, 0, n);
        for (int i = 0; i < n; i++) {
            ts[i] = a * ts[i] + b * fs[i];
        }
        t.put(0, ts, 0, n);
    }
}

package io.sim2real.nn;

/**
 * Per-thread heap arrays for element-wise passes. Off-heap buffers are copied in and out in bulk because loops over
 * heap arrays compile to SIMD code, while per-element accesses to direct buffers do not. Each thread holds one array
 * per slot, grown on demand, so steady-state steps allocate nothing.
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
}

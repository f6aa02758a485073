package io.sim2real.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loads ND4J's native libraries (through {@link F32}'s static initialiser: the backend, OpenBLAS, the thread settings)
 * and the native code of the first scalar op, matrix product and direct view, once, on the calling thread. Services
 * call it at start-up so that none of it loads on the thread of the first record that needs it (a Vert.x event loop,
 * which it would block for seconds).
 */
public final class NativeBackend {

    private static volatile String loadedOn;

    private NativeBackend() {
    }

    /** Loads the libraries if not yet done; returns the milliseconds it took (0 when already loaded). */
    public static synchronized long load() {
        if (loadedOn != null) {
            return 0;
        }
        long start = System.nanoTime();
        INDArray a = F32.zeros(2, 2);
        a.addi(1.0).mmul(a).muli(0.5);
        F32.view(a);
        loadedOn = Thread.currentThread().getName();
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The name of the thread that loaded the libraries, or null before {@link #load()}. */
    public static String loadedOn() {
        return loadedOn;
    }
}

package io.sim2real.env;

import io.quarkus.runtime.StartupEvent;
import io.sim2real.nn.F32;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loads ND4J's native libraries (through {@link F32}'s static initialiser: the backend, OpenBLAS, the thread settings)
 * on the main thread at start-up, before the Kafka consumers start (SmallRye Reactive Messaging starts them from its own
 * StartupEvent observer, priority 1000; this one runs first). Loaded lazily instead, they load from the first record's
 * consumer callback on a Vert.x event-loop thread, which blocks it for seconds ("Thread blocked" warnings).
 */
@ApplicationScoped
public class NativeLibrariesStartup {

    private static final Logger LOG = Logger.getLogger(NativeLibrariesStartup.class);

    /** The thread that loaded the libraries, or null before start-up. */
    private static volatile String loadedOn;

    void onStart(@Observes @Priority(10) StartupEvent event) {
        long start = System.nanoTime();
        INDArray a = F32.zeros(2, 2);
        // scalar ops, a product (BLAS's kernels) and a direct view: the first of each loads classes and native code
        // that a network's first construction would otherwise load on the consumer's thread
        a.addi(1.0).mmul(a).muli(0.5);
        F32.view(a);
        loadedOn = Thread.currentThread().getName();
        LOG.infof("ND4J native libraries loaded on %s in %d ms (%d thread(s))", loadedOn,
                (System.nanoTime() - start) / 1_000_000, F32.ND4J_THREADS);
    }

    /** The name of the thread that loaded the native libraries at start-up, or null when that has not happened. */
    public static String loadedOn() {
        return loadedOn;
    }
}

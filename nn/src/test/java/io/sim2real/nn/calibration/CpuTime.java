package io.sim2real.nn.calibration;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/** CPU time of the calling thread around a computation (all calibration classes run on the caller's thread). */
final class CpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuTime() {
    }

    /** cpuSeconds: the calling thread's; processCpuSeconds: all the JVM's threads (JIT, GC, native pools) meanwhile. */
    record Timed<T>(T value, double cpuSeconds, double processCpuSeconds, double wallSeconds) {
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static <T> Timed<T> of(Supplier<T> work) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long process = processCpu();
        long wall = System.nanoTime();
        T value = work.get();
        return new Timed<>(value, (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9, (processCpu() - process) / 1e9,
                (System.nanoTime() - wall) / 1e9);
    }
}

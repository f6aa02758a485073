package io.sim2real.physics.halfcheetah;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs task 0 on the calling thread and tasks 1..n-1 on persistent worker threads, once per call, and waits
 * for all of them. An env step takes about 20 microseconds, so handing work to a thread pool per step would
 * cost as much as the step; workers here spin briefly for the next round before they park, and the caller
 * spins for their completion.
 */
final class LockstepWorkers implements AutoCloseable {

    private static final int SPIN_ROUNDS = 20_000;

    private final Thread[] threads;
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long round;
    private volatile IntConsumer task;
    private volatile boolean closed;

    LockstepWorkers(int tasks, String name) {
        threads = new Thread[Math.max(0, tasks - 1)];
        for (int w = 0; w < threads.length; w++) {
            int index = w + 1;
            threads[w] = new Thread(() -> work(index), name + "-" + index);
            threads[w].setDaemon(true);
            threads[w].start();
        }
    }

    void run(IntConsumer work) {
        failure.set(null);
        remaining.set(threads.length);
        task = work;
        round++;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        try {
            work.accept(0);
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
        int spins = 0;
        while (remaining.get() > 0) {
            if (++spins < SPIN_ROUNDS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(10_000);
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        }
    }

    private void work(int index) {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (round == seen && !closed) {
                if (++spins < SPIN_ROUNDS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = round;
            try {
                task.accept(index);
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            } finally {
                remaining.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }
}

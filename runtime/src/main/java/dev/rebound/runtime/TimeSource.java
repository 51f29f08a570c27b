package dev.rebound.runtime;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The one place the engine reads time and waits. Tests substitute a virtual one
 * ({@link dev.rebound.runtime.testing.VirtualTimeSource}) so long backoffs finish at once and the
 * exact waits chosen can be asserted.
 *
 * <p>Synchronous calls wait with {@link #sleep}; asynchronous calls (methods returning a
 * {@code CompletionStage}, streams) never block a thread: their waits and time limits are
 * {@linkplain #schedule scheduled}.
 */
public interface TimeSource {

    /** A monotonic reading in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /**
     * Waits {@code nanos} nanoseconds.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Runs {@code task} once, {@code nanos} nanoseconds from now, without blocking the caller or
     * parking a thread per task. The default runs it on {@link java.util.concurrent.ForkJoinPool#commonPool()},
     * triggered by one shared daemon timer thread ({@code rebound-scheduler}); tasks should be short
     * (complete a future, start a non-blocking call). A virtual time source runs it when its clock
     * reaches the time.
     *
     * @param nanos the delay in nanoseconds; 0 or less runs it as soon as possible
     * @return a handle whose {@code cancel} keeps the task from running if it has not started
     * @throws NullPointerException if {@code task} is null
     */
    default Future<?> schedule(long nanos, Runnable task) {
        return Scheduler.schedule(nanos, task);
    }

    /** The real clock and {@link TimeUnit#sleep}. */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}

enum SystemTimeSource implements TimeSource {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }
}

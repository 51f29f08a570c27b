package dev.rebound.runtime;

import java.util.concurrent.TimeUnit;

/**
 * The one place the engine reads time and waits. Tests substitute a virtual one
 * ({@link dev.rebound.runtime.testing.VirtualTimeSource}) so long backoffs finish at once and the
 * exact waits chosen can be asserted.
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

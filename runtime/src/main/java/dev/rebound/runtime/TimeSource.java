package dev.rebound.runtime;

import dev.rebound.runtime.internal.OwnThreads;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
     * Waits {@code nanos} nanoseconds. Anything else it throws (a broken clock) ends the attempts of
     * the target whose wait it was, as their last failure, the failures before it suppressed on it: the
     * call goes on to its fallbacks (not after an Error), through every door alike.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Runs {@code task} once, {@code delayNanos} from now on this clock, on another thread, unless the
     * returned future is cancelled first. Per-attempt timeouts ({@code attemptTimeout}) use it to
     * interrupt an attempt that runs too long; asynchronous calls ({@code CompletionStage} methods,
     * streams) schedule their backoff with it instead of sleeping, so no thread waits per call. The
     * default triggers on one shared daemon thread ({@code rebound-timeout}, which ends after 5 s
     * without a pending task and starts again with the next) against the real clock and runs the
     * task on {@link java.util.concurrent.ForkJoinPool#commonPool()} (a delay of 0 or less goes
     * straight there), so a task that starts the next attempt of a call never delays another call's
     * timer;
     * {@link dev.rebound.runtime.testing.VirtualTimeSource} runs it when its clock reaches the time.
     *
     * @return a future whose {@code cancel} stops a task that has not run yet
     */
    default Future<?> schedule(long delayNanos, Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        if (delayNanos <= 0L) {
            return java.util.concurrent.ForkJoinPool.commonPool().submit(task); // nothing to wait for: one hand-off
        }
        return Timeouts.EXECUTOR.schedule(() -> java.util.concurrent.ForkJoinPool.commonPool().execute(task),
                delayNanos, TimeUnit.NANOSECONDS);
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

/**
 * The thread that fires per-attempt timeouts and asynchronous waits on the real clock: started at
 * first use, ended after {@link #IDLE_SECONDS} without a pending timer, started again by the next. A
 * cancelled timer is dropped at once, so a call that ended leaves nothing pending. Rebound's own
 * thread ({@link OwnThreads}): it keeps no caller's class loader; and, once ended, nothing keeps
 * Rebound's own loader either (an application that bundles Rebound, undeployed).
 */
final class Timeouts {
    /** How long the thread waits for a next timer before it ends. */
    static final long IDLE_SECONDS = 5;
    static final ScheduledThreadPoolExecutor EXECUTOR;

    static {
        EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> OwnThreads.daemon(r, "rebound-timeout"));
        EXECUTOR.setRemoveOnCancelPolicy(true);
        EXECUTOR.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
        EXECUTOR.allowCoreThreadTimeOut(true);
    }

    private Timeouts() {
    }
}

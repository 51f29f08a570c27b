package dev.rebound.runtime.internal;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What {@code Parallel} and {@code Batch} share: the default threads and cancelling. */
public final class Branches {

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** How often a wait checks whether the executor died under it. */
    private static final long POLL_MILLIS = 10;

    /**
     * Daemon threads made on demand and kept 60 s once idle: branches block on I/O, so not the common
     * pool. Rebound's own ({@link OwnThreads}): none keeps the class loader of the caller that started it.
     */
    private static final ExecutorService DEFAULT = Executors.newCachedThreadPool(
            r -> OwnThreads.daemon(r, "rebound-branch-" + THREADS.incrementAndGet()));

    private Branches() {
    }

    public static ExecutorService defaultExecutor() {
        return DEFAULT;
    }

    /** What {@link #loaderFor} answers for an executor of the caller's: its threads' loaders are left alone. */
    private static final ClassLoader KEEP = new ClassLoader(null) {
    };

    /**
     * The context class loader a branch about to be submitted to {@code executor} runs with: on the
     * default threads, the submitting thread's (code that looks services up through it, as
     * {@code ServiceLoader.load} does, finds the application's), taken back when the branch ends, before
     * its caller hears of it; an executor of the caller's keeps its threads' own.
     */
    public static ClassLoader loaderFor(Executor executor) {
        return executor == DEFAULT ? Thread.currentThread().getContextClassLoader() : KEEP;
    }

    /** A branch starts, on its thread: with {@code loader}, from {@link #loaderFor}. */
    public static void enter(ClassLoader loader) {
        if (loader != KEEP) {
            Thread.currentThread().setContextClassLoader(loader);
        }
    }

    /** The branch ends: a default thread goes back to no context class loader. */
    public static void leave(ClassLoader loader) {
        if (loader != KEEP) {
            Thread.currentThread().setContextClassLoader(null);
        }
    }

    /**
     * Waits until {@code done} reaches zero, or until {@code executor} (when it is an
     * ExecutorService) has terminated: then a task it had queued and not started will never run
     * ({@code shutdownNow()} drops its queue) and waiting longer would hang.
     *
     * @return whether {@code done} reached zero
     */
    public static boolean await(CountDownLatch done, Executor executor) throws InterruptedException {
        if (!(executor instanceof ExecutorService)) {
            done.await();
            return true;
        }
        ExecutorService service = (ExecutorService) executor;
        while (!done.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (service.isTerminated()) {
                return done.getCount() == 0;
            }
        }
        return true;
    }

    /**
     * The next completed branch, as {@link CompletionService#take()}, except that when
     * {@code executor} has terminated with branches still pending (dropped by {@code shutdownNow()},
     * they will never run) it throws instead of waiting for ever.
     *
     * @throws CancellationException if the executor terminated before every branch ran
     */
    public static <T> Future<T> take(CompletionService<T> done, Executor executor) throws InterruptedException {
        if (!(executor instanceof ExecutorService)) {
            return done.take();
        }
        while (true) {
            Future<T> next = done.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (next != null) {
                return next;
            }
            if (((ExecutorService) executor).isTerminated()) {
                next = done.poll();
                if (next != null) {
                    return next;
                }
                throw new CancellationException("the executor was shut down before every branch ran");
            }
        }
    }

    /** Interrupts every future still running. */
    public static void cancelAll(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            f.cancel(true);
        }
    }

    /** The caller was interrupted while waiting: keep the flag, report it as the call's failure. */
    public static CompletionException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new CompletionException("interrupted while waiting for the branches", e);
    }

    /**
     * Rethrows an unchecked failure as it is; wraps a checked one in a CompletionException whose message
     * names its class only (the JDK's one-argument constructor would copy the failure's message, which
     * may carry a prompt or a key, into an exception Rebound throws).
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new CompletionException("a branch failed with " + t.getClass().getName(), t);
    }
}

package dev.rebound.runtime.internal;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** What {@code Parallel} and {@code Batch} share: the default threads and cancelling. */
public final class Branches {

    private static final AtomicInteger THREADS = new AtomicInteger();

    /** Daemon threads made on demand and kept 60 s: branches block on I/O, so not the common pool. */
    private static final ExecutorService DEFAULT = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rebound-branch-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private Branches() {
    }

    public static ExecutorService defaultExecutor() {
        return DEFAULT;
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
        return new CompletionException(e);
    }

    /** Rethrows an unchecked failure as it is; wraps a checked one in a CompletionException. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new CompletionException(t);
    }
}

package dev.rebound.runtime.langchain4j;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts a streaming model's call on a thread of its own. langchain4j's JDK HTTP client (1.19) reads a
 * streamed response on the thread that called it when the response opened before the client listened
 * for it ({@code sendAsync(...).thenAccept(...)} on a future already complete: a loaded machine can
 * pause the caller that long), so a test that holds a stream silent ({@code Fault.stallUntilReleased})
 * and calls from its own thread, or from its virtual clock's (which runs a retry on the thread that
 * advances it), would wait for itself: seen once as a hang of {@code StreamAttemptTest}. Outside tests
 * the default time source starts retries on the common pool, never on its timer thread.
 */
public final class OffThread {

    private static final ExecutorService CALLERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-stream-caller");
        t.setDaemon(true);
        return t;
    });

    private OffThread() {
    }

    /** Runs {@code call} on another thread; what it throws is printed (the test then fails waiting). */
    public static void start(Runnable call) {
        CompletableFuture.runAsync(call, CALLERS).exceptionally(t -> {
            t.printStackTrace();
            return null;
        });
    }
}

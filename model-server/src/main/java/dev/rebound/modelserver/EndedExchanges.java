package dev.rebound.modelserver;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * How many exchanges of logged requests the server has ended since the last reset, for
 * {@link ModelServer#awaitExchangesEnded}. The JDK server runs each exchange as one task on the server's
 * executor, and closes a connection the handler cut (a thrown {@code IOException}) in that task, after the
 * handler: an exchange ends when its task does ({@link #endingOn}), not when the handler returns.
 */
final class EndedExchanges {

    /** The generation of the exchange the calling thread runs, set when its request is logged; else null. */
    private final ThreadLocal<Integer> running = new ThreadLocal<>();
    /** Bumped by every reset: an exchange begun before it is not counted after it. */
    private int generation;
    private int ended;

    /** {@code handlers}, each task followed by the end of the exchange it ran, if it ran one. */
    Executor endingOn(Executor handlers) {
        return task -> handlers.execute(() -> {
            try {
                task.run();
            } finally {
                end();
            }
        });
    }

    /** The calling handler's request is logged: its exchange counts when its task ends. */
    synchronized void begin() {
        running.set(generation);
    }

    private void end() {
        Integer begun = running.get();
        if (begun == null) {
            return; // no logged request: a request that is no chat request, or the server's start
        }
        running.remove();
        synchronized (this) {
            if (begun == generation) {
                ended++;
                notifyAll();
            }
        }
    }

    /** Forgets the exchanges ended, and those still running: theirs is the previous test. */
    synchronized void forget() {
        generation++;
        ended = 0;
    }

    /** Waits until {@code exchanges} have ended; false if {@code timeout} passes first. */
    synchronized boolean await(int exchanges, Duration timeout) throws InterruptedException {
        return Waits.until(this, () -> ended >= exchanges, timeout);
    }
}

package dev.rebound.modelserver;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The streams held open and silent by {@link Fault#stallUntilReleased()}: each waits for the test's
 * {@link #releaseAll()}, not for a time, and the test can wait until they are open ({@link #await}).
 */
final class Stalls {

    /** Opened by {@link #releaseAll()}; the stalls that open after wait for the next one. */
    private CountDownLatch release = new CountDownLatch(1);
    /** Streams now open and silent, waiting on {@link #release}: none once it opens. */
    private int open;

    /**
     * Ends every stall now open, and stops counting them at once: a released stall whose handler has not
     * yet woken is not open for {@link #await} (the next test's wait must see its own stall, not this one).
     */
    synchronized void releaseAll() {
        release.countDown();
        release = new CountDownLatch(1);
        open = 0;
    }

    /** Waits until {@code streams} stalls are open; false if {@code timeout} passes first. */
    synchronized boolean await(int streams, Duration timeout) throws InterruptedException {
        return Waits.until(this, () -> open >= streams, timeout);
    }

    /** Holds the calling handler until released; false when the server is closing. */
    boolean hold() {
        CountDownLatch gate;
        synchronized (this) {
            gate = release;
            open++;
            notifyAll();
        }
        try {
            gate.await();
            return true;
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            synchronized (this) {
                if (gate == release) { // interrupted (the server closing), not released: counted until now
                    open--;
                }
            }
        }
    }
}

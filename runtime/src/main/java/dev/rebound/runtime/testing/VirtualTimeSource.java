package dev.rebound.runtime.testing;

import dev.rebound.runtime.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when the engine sleeps on it: a test of five 1-second waits finishes at
 * once and can assert each wait. Thread-safe. Sleeping honours interrupts like a real sleep.
 */
public final class VirtualTimeSource implements TimeSource {

    private final AtomicLong now;
    private final List<Long> sleeps = new ArrayList<>();

    /** A clock that reads 1 s (10^9 ns) at first. */
    public VirtualTimeSource() {
        this(1_000_000_000L);
    }

    /**
     * A clock that reads {@code originNanos} at first: any value, as {@link System#nanoTime()}'s
     * origin is arbitrary (0, negative, or close enough to {@code Long.MAX_VALUE} to wrap around).
     */
    public VirtualTimeSource(long originNanos) {
        this.now = new AtomicLong(originNanos);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        synchronized (sleeps) {
            sleeps.add(nanos);
        }
        now.addAndGet(nanos);
    }

    /** Moves the clock forward, as if {@code d} passed outside any sleep (e.g. a slow call). */
    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    /** Every wait the engine chose, in order. */
    public List<Duration> sleeps() {
        synchronized (sleeps) {
            List<Duration> out = new ArrayList<>(sleeps.size());
            for (long s : sleeps) {
                out.add(Duration.ofNanos(s));
            }
            return out;
        }
    }

    /** The total virtual time slept. */
    public Duration slept() {
        synchronized (sleeps) {
            long total = 0;
            for (long s : sleeps) {
                total += s;
            }
            return Duration.ofNanos(total);
        }
    }
}

package dev.rebound.it.woven;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Retry;

/** Methods whose bodies allocate nothing, to measure what the woven advice allocates. */
public class Counter {

    private long count;

    /** Carries no annotation. */
    public long next() {
        return ++count;
    }

    /** Annotated, succeeds on the first attempt. */
    @Retry(attempts = 3)
    public long nextResilient() {
        return ++count;
    }

    /** Annotated with a circuit breaker and a retry budget, succeeds on the first attempt. */
    @Retry(attempts = 3, budgetRatio = 0.2)
    @CircuitBreaker
    public long nextGuarded() {
        return ++count;
    }

    /** Whether {@link #nextAfterOutage} fails. */
    public boolean down;

    /** A breaker that one failure opens for a second, then the probe closes; succeeds unless {@link #down}. */
    @Retry(attempts = 1)
    @CircuitBreaker(requestVolumeThreshold = 1, failureRatio = 1.0, delay = 1, unit = java.util.concurrent.TimeUnit.SECONDS)
    public long nextAfterOutage() {
        if (down) {
            throw new java.io.UncheckedIOException(new java.io.IOException("503"));
        }
        return ++count;
    }

    /** Annotated, with a primitive argument. */
    @Retry(attempts = 3)
    public long add(long n) {
        count += n;
        return count;
    }
}

package dev.rebound.runtime.ratelimit;

/**
 * A circuit breaker's open state, shared by a fleet: an instance whose breaker opens says so once, and
 * the others, on their next failure, open theirs for the time left instead of each collecting its own
 * evidence against a dead dependency (N instances x requestVolumeThreshold failed requests). Asked only
 * when a call has failed, so a healthy call costs nothing. Never throws: when the store is away the
 * answer is "not open" and each breaker decides alone. The longest open state wins: one opened with a
 * shorter delay never cuts short the fleet's state that ends later.
 */
public interface SharedCircuitState {

    /** Records that {@code breaker}'s circuit opened for {@code openNanos}. */
    void opened(String breaker, long openNanos);

    /** The nanoseconds left of a fleet-wide open state of {@code breaker}, or 0 when it is not open (or not known). */
    long openRemainingNanos(String breaker);

    /**
     * As {@link #openRemainingNanos(String)}, asked by a breaker whose own delay is {@code delayNanos}: a
     * store that keeps the delay each open state was set with says when it differs (the breaker then opens
     * for the fleet's time left, whichever delay is longer). By default, no comparison.
     */
    default long openRemainingNanos(String breaker, long delayNanos) {
        return openRemainingNanos(breaker);
    }
}

package dev.rebound.runtime.ratelimit;

/**
 * A circuit breaker's open state, shared by a fleet: an instance whose breaker opens says so once, and
 * the others, on their next failure, open theirs for the time left instead of each collecting its own
 * evidence against a dead dependency (N instances x requestVolumeThreshold failed requests). Asked only
 * when a call has failed, so a healthy call costs nothing. Never throws: when the store is away the
 * answer is "not open" and each breaker decides alone.
 */
public interface SharedCircuitState {

    /** Records that {@code breaker}'s circuit opened for {@code openNanos}. */
    void opened(String breaker, long openNanos);

    /** The nanoseconds left of a fleet-wide open state of {@code breaker}, or 0 when it is not open (or not known). */
    long openRemainingNanos(String breaker);
}

package dev.rebound.runtime.ratelimit;

/**
 * One provider key's limit, as a pair of token buckets: requests per minute, and (optionally) tokens
 * per minute. Thread-safe. The caller waits; the limiter only says how long.
 *
 * <p>{@link #acquire} takes a request and tokens now and answers the wait before they are really
 * available (a reservation: later callers queue behind it), or refuses without taking anything when
 * that wait is longer than the caller may wait.
 */
public interface RateLimiter {

    /** {@link #acquire}'s answer when the wait would be longer than allowed; nothing was taken. */
    long REFUSED = -1;

    /**
     * Takes one request and {@code tokens} tokens (clamped to the token limit, ignored without one).
     *
     * @param tokens the call's estimated tokens, at least 0
     * @param maxWaitNanos the longest the caller may wait, at least 0
     * @return the nanoseconds to wait before sending (0 = at once), or {@link #REFUSED}
     */
    long acquire(long tokens, long maxWaitNanos);

    /** The nanoseconds {@link #acquire} would answer now for {@code tokens}, without taking anything. */
    long wouldWait(long tokens);

    /**
     * Corrects the tokens a call was charged: a positive {@code delta} charges more (the estimate was
     * low; taken even past the limit, since the tokens were spent), a negative one refunds.
     */
    void adjustTokens(long delta);

    /** Gives back what {@link #acquire} took for a call that was not sent (interrupted while waiting). */
    void release(long tokens);

    /**
     * Lowers this limiter's view to what the provider said is left; never raises it.
     *
     * @param remaining the provider's counts and resets
     */
    void correct(RateLimitHeaders remaining);
}

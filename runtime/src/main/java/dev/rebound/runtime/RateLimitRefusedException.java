package dev.rebound.runtime;

/**
 * A call the rate limiter did not send: the wait for its provider key's limit was longer than the
 * policy's {@code maxDelay}, or would end past the retry's {@code maxDuration}. The target was not
 * called and no quota was spent. The engine hands it to the fallbacks as the primary's failure; without
 * fallbacks the caller gets it.
 *
 * <p>The method's own rate limit's refusal is never retried, whatever the retry's {@code on} lists: it
 * goes to the fallbacks. Thrown by a resilient call the target makes (a nested one), it is a failure of
 * the attempt that ran, not retried by default (that limit has decided) and retried only when the
 * retry's {@code on} ({@code retryOn}) names it; a breaker records it only when its {@code on}
 * ({@code failOn}) names it, and never the refusal of its own method's rate limit.
 *
 * <p>Cheap by design: no stack trace is captured (every refused call makes one).
 */
public final class RateLimitRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String method;
    private final String key;
    private final long waitNanos;
    private final long allowedNanos;

    /**
     * @param method the resilient method, as {@code ChatClient.chat(String)}
     * @param key the provider key of the limit
     * @param waitNanos the wait the limit asked for ({@code Long.MAX_VALUE} when not known)
     * @param allowedNanos the longest wait allowed
     */
    public RateLimitRefusedException(String method, String key, long waitNanos, long allowedNanos) {
        super(null, null, true, false);
        this.method = method;
        this.key = key;
        this.waitNanos = waitNanos;
        this.allowedNanos = allowedNanos;
    }

    /** The resilient method, as {@code ChatClient.chat(String)}. */
    public String method() {
        return method;
    }

    /** The provider key whose limit refused the call. */
    public String key() {
        return key;
    }

    /** The longest wait that was allowed, in nanoseconds. */
    public long allowedNanos() {
        return allowedNanos;
    }

    /** The wait the limit asked for, in nanoseconds; {@code Long.MAX_VALUE} when it was only known to be longer. */
    public long waitNanos() {
        return waitNanos;
    }

    /** Names and durations only: safe to log. */
    @Override
    public String getMessage() {
        return "rate limit \"" + key + "\" refused " + method + ": the wait is longer than the "
                + allowedNanos / 1_000_000 + " ms allowed";
    }
}

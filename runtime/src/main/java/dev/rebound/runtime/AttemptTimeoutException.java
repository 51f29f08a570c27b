package dev.rebound.runtime;

import dev.rebound.runtime.rules.TimeAmount;
import java.time.Duration;

/**
 * An attempt ran past its timeout ({@code @Retry(attemptTimeout = ...)},
 * {@link RetryPolicy.Builder#attemptTimeout}) and was interrupted. It is a transient failure: the next
 * attempt follows, with the wait of the backoff, and the fallbacks take it like any other failure. On a
 * {@code @NonIdempotent} method the retry's {@code on} or {@code abortOn} must list it, since the request
 * may have taken effect before it timed out. Its
 * cause is what the interrupted attempt threw, if it threw anything (an HTTP client reports an
 * interrupted request as an exception of its own).
 *
 * <p>Its message names the method and the timeout, in its largest exact unit as the rule set writes
 * durations ({@code "Chat.chat(String): attempt timed out after 2 s"}, {@code "... after 500 us"}),
 * never arguments or answers.
 */
public final class AttemptTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String method;
    private final transient Duration timeout;

    /**
     * @param method the resilient method, as {@code ChatModel.chat(String)}
     * @param timeout the timeout the attempt ran past
     * @param cause what the interrupted attempt threw, or null
     */
    public AttemptTimeoutException(String method, Duration timeout, Throwable cause) {
        super(method + ": attempt timed out after " + TimeAmount.of(timeout), cause);
        this.method = method;
        this.timeout = timeout;
    }

    /** The resilient method, as {@code ChatModel.chat(String)}. */
    public String method() {
        return method;
    }

    /** The timeout the attempt ran past: attemptTimeout, or less when maxDuration left less. */
    public Duration timeout() {
        return timeout;
    }
}

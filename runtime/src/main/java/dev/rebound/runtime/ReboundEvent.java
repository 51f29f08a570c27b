package dev.rebound.runtime;

import java.time.Duration;

/**
 * Something the engine did for one call: an attempt failed, a retry was scheduled, a fallback was
 * taken, the call ended. Built only when a listener is registered.
 *
 * <p>An event carries names and numbers, never argument values, return values or exception
 * messages: those may hold prompts, answers or keys. The failure itself is available to listeners
 * through {@link #failure()} for metrics or custom handling; the default SLF4J listener prints only
 * its class name.
 */
public final class ReboundEvent {

    /** What happened. */
    public enum Kind {
        /** An attempt failed; {@link #failure()} is set. */
        ATTEMPT_FAILED,
        /** The call will be re-run after {@link #waitTime()}. */
        RETRY_SCHEDULED,
        /** A failure that is not retried, or the last attempt, or the deadline: retries end here. */
        RETRIES_EXHAUSTED,
        /** The engine switches from {@link #target()} to {@link #alternative()}. */
        FALLBACK,
        /** The call succeeded after at least one failure (by a retry or an alternative). */
        SUCCEEDED,
        /** The call failed for good; the caller gets {@link #failure()}. */
        FAILED,
        /** The thread was interrupted while waiting between attempts; nothing more is tried. */
        INTERRUPTED,
        /**
         * The circuit breaker of {@link #target()} opened for {@link #waitTime()}: calls go straight to
         * the fallbacks. {@link #reason()} is "failure-ratio" (from closed) or "probe-failed" (from
         * half-open); {@link #failure()} is the failure that opened it.
         */
        CIRCUIT_OPENED,
        /** The open delay passed: probe calls may reach {@link #target()} again. */
        CIRCUIT_HALF_OPEN,
        /** Enough probes succeeded: {@link #target()} is called normally again. */
        CIRCUIT_CLOSED,
        /**
         * The rate limit ({@code @RateLimit}) held the attempt back for {@link #waitTime()} before it
         * was sent; {@link #rateLimitKey()} names the limit.
         */
        RATE_LIMIT_WAITED,
        /**
         * The rate limit refused the attempt without sending it: the wait would have been longer than
         * its maxDelay ({@link #reason()} "rate-limit-exceeds-max-delay") or past the retry's maxDuration
         * ("deadline"); {@link #failure()} is the {@link RateLimitRefusedException}. The call goes to
         * its fallbacks.
         */
        RATE_LIMIT_REFUSED,
        /**
         * Tokens charged to the rate limit for one attempt: the estimate before it was sent, plus what the
         * response's usage showed was missing; {@link #tokens()} says how many.
         */
        RATE_LIMIT_TOKENS_CHARGED,
        /**
         * Tokens given back to the rate limit after an attempt: the estimate's excess over the response's
         * usage, or the whole estimate of a failed attempt; {@link #tokens()} says how many.
         */
        RATE_LIMIT_TOKENS_REFUNDED,
        /**
         * An attempt returned a result that a result predicate rejected (counted apart from
         * {@link #ATTEMPT_FAILED}); {@link #failure()} is the {@link RejectedResultException} carrying it,
         * {@link #reason()} {@code "result-rejected"}.
         */
        RESULT_REJECTED,
        /**
         * A streamed call broke after its first partial response (the chain's part, up to that token,
         * had succeeded): it is not retried or restarted, and the caller's handler gets a
         * {@link dev.rebound.runtime.langchain4j.PartialStreamException} ({@link #failure()}; its cause
         * is the stream's failure). {@link #target()} and {@link #attempt()} name the attempt that
         * streamed; {@link #tokens()} is how many partial responses the handler received.
         */
        STREAM_BROKEN
    }

    private final Kind kind;
    private final String method;
    private final String target;
    private final String alternative;
    private final int attempt;
    private final Duration waitTime;
    private final String reason;
    private final Throwable failure;
    private final Duration elapsed;
    private final String rateLimitKey;
    private final long tokens;
    private final boolean attemptOnWrapper;
    private final boolean nestedCall;

    /**
     * An event as the engine builds it; public so that a test can hand a listener one of its own. Nothing
     * is checked: each value is returned as given, and {@link #toString()} needs {@code kind} and
     * {@code waitTime} not null.
     *
     * @param kind what happened
     * @param method the resilient method, as {@code ChatClient.chat(String)}
     * @param target the object called at this point: its simple class name or the wrapper's name
     * @param alternative for {@link Kind#FALLBACK}, the alternative switched to; else null
     * @param attempt as {@link #attempt()}: from 1, or 0 for an event of no one attempt
     * @param waitTime as {@link #waitTime()}: {@link Duration#ZERO} for the kinds that carry no wait
     * @param reason as {@link #reason()}, or null
     * @param failure the failure concerned, or null
     */
    public ReboundEvent(Kind kind, String method, String target, String alternative, int attempt,
            Duration waitTime, String reason, Throwable failure) {
        this(kind, method, target, alternative, attempt, waitTime, reason, failure, null);
    }

    /**
     * As the 8-argument constructor, with the call's duration for the final events.
     *
     * @param elapsed as {@link #elapsed()}: for SUCCEEDED and FAILED, else null
     */
    public ReboundEvent(Kind kind, String method, String target, String alternative, int attempt,
            Duration waitTime, String reason, Throwable failure, Duration elapsed) {
        this(kind, method, target, alternative, attempt, waitTime, reason, failure, elapsed, null, 0L);
    }

    /**
     * As the 9-argument constructor, with a rate limit's key and a token count (the RATE_LIMIT_ kinds).
     *
     * @param rateLimitKey as {@link #rateLimitKey()}: for the RATE_LIMIT_ kinds, else null
     * @param tokens as {@link #tokens()}: a count of tokens or of partial responses, else 0
     */
    public ReboundEvent(Kind kind, String method, String target, String alternative, int attempt,
            Duration waitTime, String reason, Throwable failure, Duration elapsed, String rateLimitKey, long tokens) {
        this(kind, method, target, alternative, attempt, waitTime, reason, failure, elapsed, rateLimitKey, tokens,
                false, false);
    }

    /**
     * As the 11-argument constructor, for the events of a fallback that is a wrapper of its own.
     *
     * @param attemptOnWrapper as {@link #attemptOnWrapper()}
     * @param nestedCall as {@link #nestedCall()}
     */
    public ReboundEvent(Kind kind, String method, String target, String alternative, int attempt,
            Duration waitTime, String reason, Throwable failure, Duration elapsed, String rateLimitKey, long tokens,
            boolean attemptOnWrapper, boolean nestedCall) {
        this.attemptOnWrapper = attemptOnWrapper;
        this.nestedCall = nestedCall;
        this.rateLimitKey = rateLimitKey;
        this.tokens = tokens;
        this.kind = kind;
        this.method = method;
        this.target = target;
        this.alternative = alternative;
        this.attempt = attempt;
        this.waitTime = waitTime;
        this.reason = reason;
        this.failure = failure;
        this.elapsed = elapsed;
    }

    /** What happened; never null for an event the engine built. */
    public Kind kind() {
        return kind;
    }

    /** The resilient method, as {@code ChatClient.chat(String)}. */
    public String method() {
        return method;
    }

    /** Simple class name of the object being called at this point (the primary or an alternative). */
    public String target() {
        return target;
    }

    /** For {@link Kind#FALLBACK}: the alternative switched to; otherwise null. */
    public String alternative() {
        return alternative;
    }

    /**
     * The attempt number on {@link #target()}, from 1: the attempt the event is about (for
     * RETRIES_EXHAUSTED the last one made, for SUCCEEDED the one that answered); for RETRY_SCHEDULED
     * and INTERRUPTED, the attempt to come. 0 for the events of no one attempt: FALLBACK, FAILED,
     * the circuit breaker's transitions (CIRCUIT_OPENED, CIRCUIT_HALF_OPEN, CIRCUIT_CLOSED), and a
     * SUCCEEDED whose {@link #target()} is a fallback handler that answered itself (no attempt sent:
     * {@code MicrometerListener} counts none).
     */
    public int attempt() {
        return attempt;
    }

    /**
     * For {@link Kind#RETRY_SCHEDULED}: the wait chosen; for {@link Kind#CIRCUIT_OPENED}: how long it
     * stays open; for {@link Kind#RATE_LIMIT_WAITED}: how long the rate limit held the attempt back;
     * otherwise {@link Duration#ZERO}.
     */
    public Duration waitTime() {
        return waitTime;
    }

    /**
     * Why: for RETRY_SCHEDULED "backoff" or "retry-after"; for RETRIES_EXHAUSTED "not-retryable",
     * "attempts", "deadline", "interrupted", "circuit-open" (the breaker refused the attempt or is
     * open), "budget" (the retry budget is spent), "rate-limited" (the rate limit refused the attempt),
     * "retry-after-exceeds-max-delay", "quota-exhausted" (the provider says the account is out of quota
     * or credit), "server-declined-retry" ({@code x-should-retry: false}) or "result-rejected" (a
     * fallback predicate rejected the result); for ATTEMPT_FAILED "timeout" (the attempt ran past its
     * attemptTimeout) or null; for RESULT_REJECTED "result-rejected"; for RATE_LIMIT_REFUSED
     * "rate-limit-exceeds-max-delay" or "deadline"; for SUCCEEDED "retry" (the primary answered after
     * failing) or "fallback" (an alternative or a fallback handler answered); for FAILED "interrupted",
     * "cancelled" (the caller cancelled the future of an asynchronous call, or ended it otherwise: {@code orTimeout},
     * {@code complete}, ...), "circuit-open" or "rate-limited" (the caller gets the refusal of the method's own
     * breaker or rate limit) or null; for FALLBACK "circuit-open" or "rate-limited" (the method's own breaker
     * or rate limit refused the call) or null; for CIRCUIT_OPENED
     * "failure-ratio", "probe-failed" or "fleet" (the breaker of the same name elsewhere in the fleet is
     * open, as a shared store said); for INTERRUPTED "interrupted"; otherwise null.
     */
    public String reason() {
        return reason;
    }

    /** The failure concerned, or null. Its message may carry user data: do not log it. */
    public Throwable failure() {
        return failure;
    }

    /**
     * For SUCCEEDED and FAILED, the final events of a call that failed at least once: the whole
     * call's duration, first attempt included. Null for other kinds, and when the call's start was
     * not measured (no deadline, no listener that {@link ReboundListener#wantsFirstAttemptSuccess
     * times calls}, and a circuit breaker on the method, if any, that has not opened yet).
     */
    public Duration elapsed() {
        return elapsed;
    }

    /** For the RATE_LIMIT_ kinds: the limit's key (a name from configuration); otherwise null. */
    public String rateLimitKey() {
        return rateLimitKey;
    }

    /**
     * For RATE_LIMIT_TOKENS_CHARGED and RATE_LIMIT_TOKENS_REFUNDED: how many tokens; for STREAM_BROKEN:
     * how many partial responses the caller's handler received before the break; otherwise 0.
     */
    public long tokens() {
        return tokens;
    }

    /**
     * Whether the attempt this event tells of (ATTEMPT_FAILED, RESULT_REJECTED, SUCCEEDED) was a call of
     * an alternative that applies a policy of its own to the method, a {@code Rebound.wrap} wrapper (the
     * "fallback with a retry of its own" set-up), or a woven or Guice-intercepted instance given to
     * {@code withFallbacks} (or a container's proxy over one), whose settings have a {@code MicrometerListener}:
     * that policy counts the requests it sent as its own attempts, from its own events, so this attempt sent no
     * request of its own, and {@code MicrometerListener} does not count it in {@code rebound.attempts}.
     * False for any other event (a wrapper no such listener hears is counted here, one attempt per call).
     */
    public boolean attemptOnWrapper() {
        return attemptOnWrapper;
    }

    /**
     * Whether the call this event belongs to is one an enclosing call made on this method's
     * {@code Rebound.wrap} wrapper, or on a woven or intercepted instance, as its alternative (a fallback that
     * applies a policy of its own): its
     * attempts are requests of their own, but the call is part of the enclosing one, one logical call,
     * which {@code MicrometerListener} counts alone in {@code rebound.calls} and
     * {@code rebound.call.duration}. False for any other call's events, those of a call the alternative makes
     * itself while it runs included (on another instance of its class, or on its own wrapper again).
     */
    public boolean nestedCall() {
        return nestedCall;
    }

    /** A log-safe rendering: names, numbers and the failure's class only. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(96).append(kind).append(' ').append(method)
                .append(" target=").append(target);
        if (alternative != null) {
            sb.append(" to=").append(alternative);
        }
        if (attempt > 0) {
            sb.append(" attempt=").append(attempt);
        }
        if (!waitTime.isZero()) {
            sb.append(" wait=").append(waitTime.toMillis()).append("ms");
        }
        if (reason != null) {
            sb.append(" reason=").append(reason);
        }
        if (rateLimitKey != null) {
            sb.append(" rateLimit=").append(rateLimitKey);
        }
        if (tokens != 0L) {
            sb.append(" tokens=").append(tokens);
        }
        if (failure != null) {
            sb.append(" failure=").append(failure.getClass().getName());
        }
        return sb.toString();
    }
}

package dev.rebound.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

/**
 * Re-runs the annotated method when it fails with a transient failure, with exponential backoff.
 *
 * <pre>{@code
 * interface ChatClient {
 *     @Retry(attempts = 3, jitter = true)
 *     String chat(String prompt);
 * }
 * }</pre>
 *
 * <p>On a type, it applies to every method of that interface or class; a method-level annotation
 * overrides it. Only the annotated call re-runs: callers and callees keep their own policies.
 *
 * <p>The wait before attempt {@code n + 1} is {@code delay * multiplier^(n-1)}, capped by
 * {@link #maxDelay()}. With {@link #jitter()} the wait is drawn uniformly from
 * {@code [wait/2, wait]} ("equal jitter"): a rate-limited API never sees an immediate re-send,
 * and callers that failed together spread out over half the window.
 *
 * <p>When {@link #on()} is empty, a default classifier decides: {@link Error}s,
 * {@link InterruptedException}, programming errors (IllegalArgumentException, NullPointerException,
 * ClassCastException, UnsupportedOperationException), langchain4j's non-retriable exceptions and its
 * other deterministic ones (an unsupported feature, a tool's failure, a guardrail's refusal: the
 * langchain4j guide lists them), and the
 * refusal of a resilient call the method makes (a {@code CircuitBreakerOpenException} or
 * {@code RateLimitRefusedException} thrown by another method's breaker or rate limit: that policy has
 * decided, and an attempt soon after would be refused again) are not retried; every other
 * {@link Exception} is. Such a refusal is retried only when {@link #on()} names it. The refusal of this
 * method's own circuit breaker or rate limit (the target was not called) is never retried, whatever
 * {@code on} lists: it goes to the {@link Fallback} alternatives.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Retry {

    /** Total attempts, the first included (1 = no retry). Allowed: 1..100. */
    int attempts() default 3;

    /** The wait before the second attempt, in {@link #unit()}. 0 allowed. */
    long delay() default 500;

    /** Cap on any single wait, in {@link #unit()}; must not be below {@link #delay()}. */
    long maxDelay() default 30_000;

    /** Growth of the wait per attempt; at least 1.0. */
    double multiplier() default 2.0;

    /** Randomise each wait within {@code [wait/2, wait]} (equal jitter). */
    boolean jitter() default true;

    /** Unit of {@link #delay()}, {@link #maxDelay()}, {@link #maxDuration()} and {@link #attemptTimeout()}. */
    TimeUnit unit() default TimeUnit.MILLISECONDS;

    /**
     * Deadline for all attempts and waits together, in {@link #unit()}; 0 = none. No wait is
     * entered that would end past it and no attempt starts after it.
     */
    long maxDuration() default 0;

    /**
     * The timeout of each attempt, in {@link #unit()}; 0 = none. An attempt still running after it
     * is interrupted (on a method returning a {@code CompletionStage}: its future is cancelled; on a
     * streaming method the limit is the wait for the attempt's first token, and a started stream is not
     * timed) and counts as a transient failure (reason {@code "timeout"}), retried whatever
     * {@link #on()} lists unless {@link #abortOn()} lists {@code AttemptTimeoutException} (on a
     * {@link NonIdempotent} method one of the two must list it); the next attempt gets the smaller of
     * this and what is left of {@link #maxDuration()}. At least 0.
     */
    long attemptTimeout() default 0;

    /**
     * Also retry an attempt whose result one of these predicates rejects, as if it had failed. Each is
     * a {@code java.util.function.Predicate} over the method's result with a public no-argument
     * constructor (e.g. {@code dev.rebound.runtime.langchain4j.ChatResults.Blank}); empty = every
     * result is accepted. When no target returns an accepted result, the caller gets a
     * {@code RejectedResultException} carrying the last one. Not on a {@link NonIdempotent} method with more
     * than one attempt, nor on a method whose declared result the predicate can never judge (its
     * {@code Predicate<T>}'s {@code T}; {@code ChatResults.Truncated} reads a {@code ChatResponse}, which a
     * method returning {@code String} never returns): a configuration error.
     */
    @SuppressWarnings("rawtypes")
    Class<? extends java.util.function.Predicate>[] onResult() default {};

    /**
     * Retry only these and their subclasses, thrown or anywhere in the failure's cause chain (16 levels
     * deep at most); empty = the default classifier decides. Naming {@code CircuitBreakerOpenException}
     * or {@code RateLimitRefusedException} retries the refusal of a resilient call the method makes,
     * never that of the method's own breaker or rate limit. Not an {@link Error} or
     * {@link InterruptedException}, nor a type that {@link #abortOn()} lists or a subclass of one: it
     * would never be retried.
     */
    Class<? extends Throwable>[] on() default {};

    /**
     * Never retry these and their subclasses, thrown or as a cause; wins over {@link #on()}, even when
     * {@code on} names the thrown type and this list one of its causes. A subclass of an {@code on} type
     * narrows it ({@code on = IOException.class, abortOn = ConnectException.class}).
     */
    Class<? extends Throwable>[] abortOn() default {};

    /**
     * The retry budget's share: a retry is made only if the retries within the last 10 seconds, itself
     * included, are then at most this fraction of the calls in those 10 seconds plus the reserve of
     * {@link #budgetMinPerSecond()} (equal is allowed: at 0.5 without a reserve, the second call of a
     * window may retry). A call counts once
     * in each budget that a target it reaches draws on (an alternative's own budget counts the calls
     * that fall back to it). When the budget is spent a failure is not retried but goes to the
     * {@link Fallback} alternatives. Allowed: 0..1; 0 = no budget (the default), 0.2 is a common choice.
     *
     * <pre>{@code
     * @Retry(attempts = 3, budgetRatio = 0.2)                    // the budget of this interface
     * @Retry(attempts = 3, budget = "openai", budgetRatio = 0.2) // shared by every "openai" method
     * }</pre>
     */
    double budgetRatio() default 0;

    /**
     * Which retry budget this method draws on, shared by every method naming it;
     * {@code ""} = the budget of the interface (one per interface). Needs {@link #budgetRatio()}.
     * Methods naming the same budget must give it the same ratio and minimum.
     */
    String budget() default "";

    /**
     * The budget's reserve, in retries per second of its 10-second window: whatever the traffic, the
     * budget allows 10 times this many retries within any 10 seconds on top of its share of the calls,
     * so low-traffic services can still retry. A reserve, not a rate (Finagle's
     * {@code minRetriesPerSec}): a burst of failures may spend it at once, and each retry gives it back
     * 10 seconds after it was made. At least 0; 0 = no reserve. A value other than 1 needs
     * {@link #budgetRatio()} above 0: without a budget it would mean nothing.
     */
    int budgetMinPerSecond() default 1;
}

package dev.rebound.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

/**
 * Stops calling the annotated method's target while it is failing, so a dead model costs a few
 * requests instead of every call's attempts and backoff.
 *
 * <pre>{@code
 * interface ChatClient {
 *     @Retry(attempts = 3)
 *     @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30, unit = TimeUnit.SECONDS)
 *     @Fallback(to = LocalModelClient.class)
 *     String chat(String prompt);
 * }
 * }</pre>
 *
 * <p>The breaker watches every attempt on the primary target, retries included
 * ({@code Fallback(Retry(CircuitBreaker(call)))}). It is <b>closed</b> at first. It is judged at each
 * recorded failure: when at least {@link #failureRatio()} of the last {@link #requestVolumeThreshold()}
 * recorded attempts failed (that failure included; the window must be full), it <b>opens</b> for
 * {@link #delay()}. A success is never what opens it: a window that fills on a success with enough
 * failures in it opens at the next recorded failure. Open, calls do not reach the target at all,
 * the retry stops, and the call goes straight to the {@link Fallback} alternatives with a
 * {@code dev.rebound.runtime.CircuitBreakerOpenException} as cause (without alternatives, the caller
 * gets that exception). After the delay it is <b>half-open</b>: at most {@link #halfOpenProbes()}
 * calls at a time reach the target; {@link #successThreshold()} successes close it, one failure
 * opens it again.
 *
 * <p>Only failures that say something about the target's health are recorded: with {@link #on()}
 * empty, the failures the retry classifier calls transient, so not the deterministic ones (an invalid
 * request, IllegalArgumentException, NullPointerException); with {@link #on()} given, what it lists
 * (as {@code @Retry.on}). An {@link Error} or an interrupt is never recorded,
 * nor, unless {@link #on()} names it, the refusal of a resilient call the target makes (another
 * breaker's {@code CircuitBreakerOpenException}, another rate limit's {@code RateLimitRefusedException}).
 * The method's own rate limit's refusal is never recorded: the target was not called.
 *
 * <p>The state belongs to the method on one implementation class (one per {@code Rebound.wrap}
 * wrapper) and is shared by every caller and thread. On a type, the annotation applies to every
 * method, each with its own state; a method-level annotation overrides it. It guards the primary
 * target only: alternatives are called under their own {@link Retry}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CircuitBreaker {

    /** The rolling window: how many recent attempts are judged, and the least before opening. Allowed: 1..10000. */
    int requestVolumeThreshold() default 20;

    /** The share of failures in the window that opens the breaker. Allowed: more than 0, at most 1. */
    double failureRatio() default 0.5;

    /**
     * How long the breaker stays open before letting probes through, in {@link #unit()}. At least 0, at most
     * 365 days ({@code @CircuitBreaker.delay = 400 d is above 365 d} otherwise).
     */
    long delay() default 5_000;

    /** Unit of {@link #delay()}. */
    TimeUnit unit() default TimeUnit.MILLISECONDS;

    /** Successful probes needed to close a half-open breaker. At least 1. */
    int successThreshold() default 1;

    /**
     * How many probe calls may be in flight at once while half-open. At least 1. A probe holds its slot
     * until it returns: one that never does keeps the breaker half-open, refusing every other call, so give
     * the method a {@code @Retry(attemptTimeout = ...)}, which ends it as a failure.
     */
    int halfOpenProbes() default 1;

    /**
     * Record only these failures and their subclasses, thrown or as a cause; empty = the transient ones
     * (see the class comment). Not an {@link Error} or {@code InterruptedException}, nor a type that
     * {@link #skipOn()} lists or a subclass of one: it would never be recorded.
     */
    Class<? extends Throwable>[] on() default {};

    /**
     * Never record these failures and their subclasses, thrown or as a cause; wins over {@link #on()}. A
     * subclass of an {@code on} type narrows it ({@code on = IOException.class, skipOn =
     * ConnectException.class}).
     */
    Class<? extends Throwable>[] skipOn() default {};
}

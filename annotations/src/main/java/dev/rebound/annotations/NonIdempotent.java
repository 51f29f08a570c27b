package dev.rebound.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method (or every method of a type) that must not simply run twice: it sends a message,
 * charges a card, books a seat. A failure may come after the effect took place (a timeout on the
 * answer), so re-running it, or running it again on an alternative, may repeat the effect.
 *
 * <pre>{@code
 * interface Mailer {
 *     @NonIdempotent
 *     @Retry(attempts = 3, on = {ConnectException.class, RateLimitException.class})
 *     void send(Mail mail);
 * }
 * }</pre>
 *
 * <p>On such a method, a {@link Retry} of more than one attempt (the method's own or an
 * alternative's) and a non-empty {@link Fallback} are configuration errors, reported when the policy
 * is resolved, unless they name the failures they act on ({@link Retry#on()}, {@link Fallback#on()}):
 * failures known to happen before the request had any effect, such as a refused connection or a
 * rate limit. The default classifier, which retries any transient-looking exception, is never used
 * for them. Nothing else may repeat the call either: a result predicate ({@link Retry#onResult()} with
 * more than one attempt, {@link Fallback#onResult()} with alternatives) is a configuration error, since
 * the call returned and so had its effect; so is a {@link Retry#attemptTimeout()} with more than one
 * attempt unless {@link Retry#on()} lists {@code AttemptTimeoutException} (a timed-out call is safe to
 * repeat) or {@link Retry#abortOn()} does (no further attempt on that target after its first timeout). {@code Rebound.wrap}
 * applies the same rules to {@code withRetry} ({@code retryOn}, {@code retryOnResult},
 * {@code attemptTimeout}) and {@code withFallbacks} ({@code fallbackOn}, {@code fallbackOnResult}), and
 * the weaver's annotation processor at compile time.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface NonIdempotent {
}

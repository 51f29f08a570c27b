package dev.rebound.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

/**
 * Holds calls back before they exceed a provider's limit, instead of reacting to its 429s: at most
 * {@link #requestsPerMinute()} requests, and {@link #tokensPerMinute()} tokens, per minute for every
 * method naming the same {@link #key()}.
 *
 * <pre>{@code
 * interface ChatClient {
 *     @RateLimit(key = "openai", requestsPerMinute = 500, tokensPerMinute = 30_000, maxDelay = 2000)
 *     @Fallback(to = LocalModel.class)
 *     String chat(String prompt);
 * }
 * }</pre>
 *
 * <p>Each call takes one request and its estimated tokens (the prompt's tokens plus the answer's
 * {@link #maxOutputTokens()}) before it is sent; the estimate is corrected with the response's token
 * usage afterwards. A call that would have to wait longer than {@link #maxDelay()}, or past the
 * {@code @Retry.maxDuration}, is not sent: it fails at once with the limiter's refusal and goes to
 * the {@link Fallback} alternatives. Shorter waits are waited.
 *
 * <p>The limit is per process unless the application configures a shared store (Redis), in which
 * case every instance naming the key draws on one limit. Methods naming the same key must give it
 * the same limits. On a type, it applies to every method; a method-level annotation overrides it.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimit {

    /**
     * The provider key this method draws on, shared by every method naming it (e.g. "openai", one
     * per provider account); {@code ""} = one limit for the interface.
     *
     * <p>The key is written in log lines and in the rate limit's events ({@code rateLimitKey()}, their
     * {@code toString()}), never in meters or spans: it must be a name, never a credential (not the
     * provider's API key, not a tenant's token).
     */
    String key() default "";

    /** Requests per minute allowed for the key. At least 1. */
    int requestsPerMinute();

    /**
     * Tokens (prompt and answer) per minute allowed for the key; 0 = no token limit. At least 0, at most
     * 60,000,000,000 (one token a nanosecond, the fastest refill Bucket4j keeps).
     */
    long tokensPerMinute() default 0;

    /**
     * The answer's tokens charged before the call when the request does not say its own
     * {@code maxOutputTokens}. At least 0. Used only with {@link #tokensPerMinute()}: a value other than 256
     * needs a token limit ({@code @RateLimit.maxOutputTokens = 4000 needs @RateLimit.tokensPerMinute above 0}).
     */
    int maxOutputTokens() default 256;

    /** The longest wait for the limiter, in {@link #unit()}: a longer one is refused at once. At least 0. */
    long maxDelay() default 1000;

    /** Unit of {@link #maxDelay()}. */
    TimeUnit unit() default TimeUnit.MILLISECONDS;
}

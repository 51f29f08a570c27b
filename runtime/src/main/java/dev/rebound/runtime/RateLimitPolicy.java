package dev.rebound.runtime;

import dev.rebound.runtime.ratelimit.TokenEstimator;
import dev.rebound.runtime.rules.RateLimitRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.rules.TimeAmount;
import java.time.Duration;
import java.util.Objects;

/**
 * A provider's limit, taken before each call instead of learnt from its 429s: an immutable value,
 * built once and shared by every call and thread. The builder form of {@code @RateLimit}.
 *
 * <pre>{@code
 * RateLimitPolicy openai = RateLimitPolicy.builder()
 *     .key("openai")                       // one limit for every method naming "openai"
 *     .requestsPerMinute(500)
 *     .tokensPerMinute(30_000)             // prompt and answer tokens; 0 = none
 *     .maxOutputTokens(256)                // charged for the answer when the request doesn't say
 *     .maxDelay(Duration.ofSeconds(2))     // a longer wait is refused: the call goes to the fallbacks
 *     .build();
 * }</pre>
 *
 * <p>A call takes one request and its estimated tokens ({@link TokenEstimator}) before it is sent,
 * waiting through the {@link TimeSource} when the limit needs it; the estimate is reconciled with the
 * response's token usage afterwards (the difference is charged or refunded), and the provider's
 * {@code x-ratelimit-remaining-*} / {@code -reset-*} headers lower the limiter's view when they say
 * less is left. Where the limit is kept (one process, or Redis for a fleet) is a setting, not a
 * policy: see {@link dev.rebound.runtime.ratelimit.RateLimitStore}.
 */
public final class RateLimitPolicy {

    private final String key;
    private final int requestsPerMinute;
    private final long tokensPerMinute;
    private final int maxOutputTokens;
    private final long maxDelayNanos;
    private final TokenEstimator estimator;

    private RateLimitPolicy(Builder b) {
        this.key = b.key;
        this.requestsPerMinute = b.requestsPerMinute;
        this.tokensPerMinute = b.tokensPerMinute;
        this.maxOutputTokens = b.maxOutputTokens;
        this.maxDelayNanos = b.maxDelayNanos;
        this.estimator = b.estimator;
    }

    /** A new builder: no key (the interface's), no token limit, 256 output tokens, maxDelay 1 s. */
    public static Builder builder() {
        return new Builder();
    }

    /** The provider key shared by every method naming it; "" = the interface's own limit. */
    public String key() {
        return key;
    }

    /** Requests per minute for the key; at least 1. */
    public int requestsPerMinute() {
        return requestsPerMinute;
    }

    /** Tokens per minute for the key; 0 = no token limit. */
    public long tokensPerMinute() {
        return tokensPerMinute;
    }

    /** Whether tokens are limited (and so estimated, reconciled and corrected). */
    public boolean limitsTokens() {
        return tokensPerMinute > 0;
    }

    /** The answer's tokens charged before a call whose request does not say its own. */
    public int maxOutputTokens() {
        return maxOutputTokens;
    }

    /** The longest wait for the limiter; a longer one is refused at once. */
    public Duration maxDelay() {
        return Duration.ofNanos(maxDelayNanos);
    }

    /** {@link #maxDelay()} in nanoseconds. */
    public long maxDelayNanos() {
        return maxDelayNanos;
    }

    /** How a call's prompt tokens are estimated. */
    public TokenEstimator estimator() {
        return estimator;
    }

    /** Whether another policy asks for the same limit (key, requests, tokens): two may share a key only then. */
    public boolean sameLimitAs(RateLimitPolicy other) {
        return requestsPerMinute == other.requestsPerMinute && tokensPerMinute == other.tokensPerMinute;
    }

    @Override
    public String toString() {
        return "rate limit \"" + key + "\" (requestsPerMinute " + requestsPerMinute + ", tokensPerMinute "
                + tokensPerMinute + ")";
    }

    /** Builds {@link RateLimitPolicy}. Not thread-safe. */
    public static final class Builder {
        private String key = "";
        private int requestsPerMinute;
        private long tokensPerMinute;
        private int maxOutputTokens = RateLimitRules.DEFAULT_MAX_OUTPUT_TOKENS;
        private long maxDelayNanos = Duration.ofSeconds(1).toNanos();
        private TokenEstimator estimator = TokenEstimator.heuristic();

        private Builder() {
        }

        /**
         * The provider key, shared by every method naming it (e.g. "openai"); default {@code ""}, one
         * limit for the interface.
         *
         * <p>The key is written in log lines and in the rate limit's events
         * ({@link dev.rebound.runtime.ReboundEvent#rateLimitKey()}, their {@code toString()}), never in
         * meters or spans: it must be a name, never a credential (not the provider's API key, not a
         * tenant's token).
         *
         * @throws NullPointerException if null
         */
        public Builder key(String key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Requests per minute; required ({@link #build()} refuses a policy without it).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder requestsPerMinute(int requestsPerMinute) {
            Rules.require(RateLimitRules.requestsPerMinute("requestsPerMinute", requestsPerMinute, tokensPerMinute));
            this.requestsPerMinute = requestsPerMinute;
            return this;
        }

        /**
         * Tokens per minute; 0 = none (the default). At most 60,000,000,000 (one token a nanosecond, the
         * fastest refill Bucket4j keeps).
         *
         * @throws IllegalArgumentException if negative or above 60,000,000,000
         */
        public Builder tokensPerMinute(long tokensPerMinute) {
            Rules.require(RateLimitRules.tokensPerMinute("tokensPerMinute", tokensPerMinute));
            this.tokensPerMinute = tokensPerMinute;
            return this;
        }

        /**
         * The answer's tokens charged when the request does not say (default 256). A value other than 256
         * needs {@link #tokensPerMinute} above 0, checked at {@link #build()}: without a token limit no
         * token is charged.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxOutputTokens(int maxOutputTokens) {
            Rules.require(RateLimitRules.maxOutputTokens("maxOutputTokens", maxOutputTokens));
            this.maxOutputTokens = maxOutputTokens;
            return this;
        }

        /**
         * The longest wait for the limiter (default 1 s); 0 = never wait.
         *
         * @throws NullPointerException if null
         * @throws IllegalArgumentException if negative
         */
        public Builder maxDelay(Duration maxDelay) {
            Objects.requireNonNull(maxDelay, "maxDelay");
            Rules.require(Rules.notNegative("maxDelay", TimeAmount.of(maxDelay)));
            this.maxDelayNanos = saturatedNanos(maxDelay);
            return this;
        }

        /**
         * How prompt tokens are estimated (default {@link TokenEstimator#heuristic()}); for
         * langchain4j's estimators see {@code Langchain4jTokens.estimator(...)}. Another estimator needs
         * {@link #tokensPerMinute} above 0, checked at {@link #build()}: without a token limit none is asked.
         *
         * @throws NullPointerException if null
         */
        public Builder tokenEstimator(TokenEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /**
         * The policy.
         *
         * @throws IllegalArgumentException if requestsPerMinute was never set, or without tokensPerMinute, a
         *     maxOutputTokens other than 256 ({@code maxOutputTokens = 4000 needs tokensPerMinute above 0}) or
         *     a tokenEstimator other than the default
         */
        public RateLimitPolicy build() {
            Rules.require(RateLimitRules.requestsPerMinute("requestsPerMinute", requestsPerMinute, tokensPerMinute));
            Rules.require(RateLimitRules.maxOutputTokensNeedsTokenLimit("maxOutputTokens", maxOutputTokens,
                    "tokensPerMinute", tokensPerMinute));
            Rules.require(RateLimitRules.estimatorNeedsTokenLimit("tokenEstimator",
                    estimator != TokenEstimator.heuristic(), "tokensPerMinute", tokensPerMinute));
            return new RateLimitPolicy(this);
        }

        private static long saturatedNanos(Duration d) {
            try {
                return d.toNanos();
            } catch (ArithmeticException tooLong) {
                return Long.MAX_VALUE;
            }
        }
    }
}

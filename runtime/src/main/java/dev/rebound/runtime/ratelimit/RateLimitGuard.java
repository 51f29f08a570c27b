package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.internal.SeenHeaders;
import dev.rebound.runtime.langchain4j.Langchain4jTokens;

/**
 * One method's side of a rate limit, resolved once per method: before each attempt it estimates the
 * call's tokens, takes them and the request from the key's {@link RateLimiter} and waits on the
 * {@link TimeSource} (or refuses at once); after it, it reconciles the tokens with the response's usage
 * and hands the response's rate-limit headers to the limiter. Thread-safe; holds no per-call state: the
 * tokens charged travel from {@link #acquire} to {@link #settle} in the caller's hands.
 */
public final class RateLimitGuard {

    private final String method;
    private final RateLimitPolicy policy;
    private final String key;
    private final RateLimiter limiter;
    private final TimeSource clock;

    /**
     * @param method the resilient method, as {@code ChatClient.chat(String)}, for refusals
     * @param key the provider key (the policy's, or the interface's name when it has none)
     */
    public RateLimitGuard(String method, String key, RateLimitPolicy policy, RateLimiter limiter, TimeSource clock) {
        this.method = method;
        this.key = key;
        this.policy = policy;
        this.limiter = limiter;
        this.clock = clock;
    }

    public String key() {
        return key;
    }

    public RateLimitPolicy policy() {
        return policy;
    }

    /**
     * The tokens a call with these arguments is charged before it is sent (0 without a token limit): its
     * estimate, at most the whole token limit (a bucket holds no more), so that what the events report
     * and what {@link #settle} reconciles against are what was really taken.
     */
    public long estimate(Object[] arguments) {
        if (!policy.limitsTokens()) {
            return 0;
        }
        long output = HeuristicEstimator.langchain4jPresent() ? Langchain4jTokens.maxOutputTokens(arguments) : -1;
        long prompt = Math.max(0, policy.estimator().promptTokens(arguments));
        long answer = Math.max(0, output >= 0 ? output : policy.maxOutputTokens());
        return Math.min(prompt > Long.MAX_VALUE - answer ? Long.MAX_VALUE : prompt + answer, policy.tokensPerMinute());
    }

    /**
     * Takes the request and {@code tokens} and waits until they are there.
     *
     * @param tokens from {@link #estimate}
     * @param remainingNanos the time left before the call's deadline ({@code Long.MAX_VALUE} = none)
     * @return the nanoseconds waited
     * @throws RateLimitRefusedException when the wait would be longer than maxDelay or than the time left;
     *     nothing was taken
     * @throws InterruptedException if interrupted while waiting; what was taken is given back
     */
    public long acquire(long tokens, long remainingNanos) throws InterruptedException {
        RateLimitHeaders.clear(); // what an earlier request left is not this attempt's response
        long allowed = Math.min(policy.maxDelayNanos(), Math.max(0, remainingNanos));
        long wait = limiter.acquire(tokens, allowed);
        if (wait == RateLimiter.REFUSED) {
            throw new RateLimitRefusedException(method, key, Long.MAX_VALUE, allowed);
        }
        if (wait > 0) {
            try {
                clock.sleep(wait);
            } catch (InterruptedException e) {
                limiter.release(tokens);
                throw e;
            }
        }
        return wait;
    }

    /**
     * After the attempt: the provider's headers seen on this thread correct the limiter; the tokens
     * charged are reconciled with the usage the result reports (refunded whole when the attempt failed
     * without an answer; an answer a result predicate rejected was produced and billed, so it is passed
     * as a result, {@code failed} false).
     *
     * @param charged what {@link #acquire} took
     * @param result the answer the attempt produced, accepted or rejected (null when it produced none)
     * @param failed whether the attempt produced no answer (it threw)
     * @return the tokens charged (positive) or refunded (negative) now
     */
    public long settle(long charged, Object result, boolean failed) {
        return settleWith(charged, RateLimitHeaders.take(), result, failed);
    }

    /**
     * As {@link #settle(long, Object, boolean)}, taking only the headers the attempt's own client
     * recorded in the scope {@code headersMark} opened ({@link SeenHeaders#mark()}, called when the
     * attempt started), never a nested resilient call's.
     */
    public long settle(long charged, Object result, boolean failed, long headersMark) {
        return settleWith(charged, SeenHeaders.takeSince(headersMark), result, failed);
    }

    private long settleWith(long charged, RateLimitHeaders seen, Object result, boolean failed) {
        if (seen != null) {
            limiter.correct(seen);
        }
        if (!policy.limitsTokens() || charged == 0 && !failed && result == null) {
            return 0;
        }
        long delta;
        if (failed) {
            delta = -charged;
        } else {
            long used = HeuristicEstimator.langchain4jPresent() ? Langchain4jTokens.usedTokens(result) : -1;
            delta = used < 0 ? 0 : used - charged;
        }
        if (delta != 0) {
            limiter.adjustTokens(delta);
        }
        return delta;
    }
}

package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.RATE_LIMIT_REFUSED;
import static dev.rebound.runtime.ReboundEvent.Kind.RATE_LIMIT_TOKENS_CHARGED;
import static dev.rebound.runtime.ReboundEvent.Kind.RATE_LIMIT_TOKENS_REFUNDED;
import static dev.rebound.runtime.ReboundEvent.Kind.RATE_LIMIT_WAITED;

import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.RateLimits;
import dev.rebound.runtime.internal.SeenHeaders;
import dev.rebound.runtime.internal.Shortcut;
import dev.rebound.runtime.ratelimit.RateLimitGuard;

/**
 * Takes each attempt's request and tokens from its key's limit before it is sent: waits on the call's
 * clock, or refuses at once ({@link RateLimitRefusedException}, which the breaker does not count, the
 * retry does not retry and the fallback takes) when the wait would exceed maxDelay or the retry's
 * deadline; after the attempt, settles the tokens with the response's usage and headers. An answer the
 * result check below rejected was produced and billed: it is settled against its usage as any answer,
 * only an attempt that produced none is refunded. (Synchronous only: the rule set refuses a rate limit
 * on an asynchronous method.)
 */
final class RateLimitStrategy implements Strategy {

    private final RateLimitPolicy policy;
    private final String method;
    private final String key;
    private final Events events;
    private final Strategy next;
    /** The guard for the settings last seen (the global ones may change, and with them the store). */
    private volatile Object[] bound = {null, null};

    RateLimitStrategy(RateLimitPolicy policy, String method, String key, Events events, Strategy next) {
        this.policy = policy;
        this.method = method;
        this.key = key;
        this.events = events;
        this.next = next;
    }

    /**
     * While the attempt runs, the doors' shortcut is closed ({@link Shortcut}): a resilient call made on this
     * thread meanwhile, through any door, starts by opening a headers scope of its own ({@link SeenHeaders}),
     * so that its client's headers never correct this limiter.
     */
    @Override
    public Object apply(Execution call) throws Throwable {
        ReboundSettings s = call.settings;
        RateLimitGuard guard = guard(s);
        long tokens = policy.limitsTokens() ? guard.estimate(call.targetArguments()) : 0L; // no copy when not read
        long remaining = call.remainingNanos();
        Shortcut.close();
        try {
            return attempt(call, s, guard, tokens, remaining);
        } finally {
            Shortcut.reopen();
        }
    }

    private Object attempt(Execution call, ReboundSettings s, RateLimitGuard guard, long tokens, long remaining)
            throws Throwable {
        long headers = SeenHeaders.mark(); // only what this attempt's own client records may correct the limiter
        long waited;
        try {
            waited = guard.acquire(tokens, remaining);
        } catch (RateLimitRefusedException e) {
            events.emitRateLimit(call, RATE_LIMIT_REFUSED, call.attempt, 0L,
                    remaining < policy.maxDelayNanos() ? Reason.DEADLINE : Reason.RATE_LIMIT_EXCEEDS_MAX_DELAY, e,
                    key, 0L);
            return call.refused(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the retry stops on it and keeps the flag
            return call.failed(e);
        }
        if (waited > 0L) {
            events.emitRateLimit(call, RATE_LIMIT_WAITED, call.attempt, waited, null, null, key, 0L);
        }
        if (tokens > 0L) {
            events.emitRateLimit(call, RATE_LIMIT_TOKENS_CHARGED, call.attempt, 0L, null, null, key, tokens);
        }
        call.judged = null; // only this attempt's result check may say it produced an answer
        call.judgedResult = null;
        Object result;
        try {
            result = next.apply(call);
        } catch (Throwable t) {
            result = call.failed(t);
        }
        if (result == Execution.FAILED) {
            Throwable t = call.failure;
            if (call.judged != null) {
                // the result check turned an answer into the failure (which the attempt timeout may have
                // cut off since): the provider produced it, and billed it
                Object answer = call.judgedResult;
                call.judged = null;
                call.judgedResult = null;
                settled(s, call, guard.settle(tokens, answer, false, headers));
            } else {
                settled(s, call, guard.settle(tokens, null, true, headers));
            }
            return call.failed(t);
        }
        settled(s, call, guard.settle(tokens, result, false, headers));
        return result;
    }

    private void settled(ReboundSettings s, Execution call, long delta) {
        if (delta > 0L) {
            events.emitRateLimit(call, RATE_LIMIT_TOKENS_CHARGED, call.attempt, 0L, null, null, key, delta);
        } else if (delta < 0L) {
            events.emitRateLimit(call, RATE_LIMIT_TOKENS_REFUNDED, call.attempt, 0L, null, null, key, -delta);
        }
    }

    @Override
    public Reason refusal() {
        return next.refusal();
    }

    private RateLimitGuard guard(ReboundSettings s) {
        Object[] b = bound;
        if (b[0] != s) {
            b = new Object[] {s, RateLimits.guard(s, policy, method, key)};
            bound = b;
        }
        return (RateLimitGuard) b[1];
    }
}

package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.internal.NameOnClock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RateLimitStore#inProcess()}: a map from key and clock to a local {@link BucketLimiter}. A bucket
 * reads its refill from the clock it was made on, so settings with another clock (a test's own
 * {@code VirtualTimeSource}, settings made with {@code toBuilder().timeSource(...)}) get buckets of their
 * own: readings of two clocks have unrelated origins, and a bucket refilled on one and slept on another
 * would never refill. Every settings on one clock (in production, the system clock) share one bucket per key,
 * across redeploys of the application that defined it (a key given other limits keeps what it spent).
 */
final class InProcessStore implements RateLimitStore {

    private final Map<NameOnClock, BucketLimiter> limiters = new ConcurrentHashMap<>();

    /**
     * The key's limiter on {@code clock}; one asked with other limits (the key defined anew, its first
     * definer gone: {@code RateLimits}) gets those limits over what the key's buckets have spent.
     */
    @Override
    public RateLimiter limiter(String key, long requestsPerMinute, long tokensPerMinute, TimeSource clock) {
        return limiters.compute(new NameOnClock(key, clock), (k, old) -> old == null
                ? BucketLimiter.local(requestsPerMinute, tokensPerMinute, clock)
                : old.hasLimits(requestsPerMinute, tokensPerMinute) ? old
                : old.withLimits(requestsPerMinute, tokensPerMinute, clock));
    }

    @Override
    public void close() {
        // nothing held outside the heap
    }

    @Override
    public String toString() {
        return "in-process rate-limit store";
    }
}

package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RateLimitStore#inProcess()}: a map from key and clock to a local {@link BucketLimiter}. A bucket
 * reads its refill from the clock it was made on, so settings with another clock (a test's own
 * {@code VirtualTimeSource}, settings made with {@code toBuilder().timeSource(...)}) get buckets of their
 * own: readings of two clocks have unrelated origins, and a bucket refilled on one and slept on another
 * would never refill. Every settings on one clock (in production, the system clock) share one bucket per key.
 */
final class InProcessStore implements RateLimitStore {

    /** A key's bucket on one clock, the clock compared by identity. */
    private record Bucket(String key, TimeSource clock) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Bucket b && b.key.equals(key) && b.clock == clock;
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + System.identityHashCode(clock);
        }
    }

    private final Map<Bucket, RateLimiter> limiters = new ConcurrentHashMap<>();

    @Override
    public RateLimiter limiter(String key, long requestsPerMinute, long tokensPerMinute, TimeSource clock) {
        return limiters.computeIfAbsent(new Bucket(key, clock),
                k -> BucketLimiter.local(requestsPerMinute, tokensPerMinute, clock));
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

package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link RateLimitStore#inProcess()}: a map from key to a local {@link BucketLimiter}. */
final class InProcessStore implements RateLimitStore {

    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();

    @Override
    public RateLimiter limiter(String key, long requestsPerMinute, long tokensPerMinute, TimeSource clock) {
        return limiters.computeIfAbsent(key, k -> BucketLimiter.local(requestsPerMinute, tokensPerMinute, clock));
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

package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;

/**
 * Where rate limits are kept: in this process (the default, {@link #inProcess()}), or in Redis for a
 * whole fleet ({@link RedisRateLimitStore}). A store hands out one {@link RateLimiter} per key; every
 * method and every instance naming the key shares it (a fleet store's stand-in while its server is away
 * too: one limit per key in the process, never one per method or per wrapper).
 */
public interface RateLimitStore extends AutoCloseable {

    /**
     * The limiter of {@code key}, made on first use with these limits; the same one for every later call
     * naming {@code key}.
     *
     * @param key the provider key (a name from configuration, never user data)
     * @param requestsPerMinute at least 1
     * @param tokensPerMinute 0 = no token limit
     * @param clock the clock of the settings asking, for in-process state
     */
    RateLimiter limiter(String key, long requestsPerMinute, long tokensPerMinute, TimeSource clock);

    /** Releases connections; limiters already handed out fall back to in-process state. */
    @Override
    void close();

    /**
     * Limits kept in this process's memory: one per key per store and clock, on the asking settings'
     * clock (settings with a clock of their own, as a test's, get buckets of their own).
     */
    static RateLimitStore inProcess() {
        return new InProcessStore();
    }
}

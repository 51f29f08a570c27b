package dev.rebound.it.woven;

import dev.rebound.annotations.RateLimit;

/** A rate limit and nothing else: one request a minute, no waiting. */
public class RateLimitedOnly {

    /** The calls that reached the body. */
    public int calls;

    @RateLimit(requestsPerMinute = 1, maxDelay = 0)
    public String call(String prompt) {
        calls++;
        return "answer " + calls;
    }
}

package dev.rebound.it.woven;

import dev.rebound.annotations.RateLimit;
import java.util.concurrent.TimeUnit;

/**
 * A token limit and nothing else: 1,000 tokens a minute, each call charged its prompt's tokens only (no answer's),
 * waiting up to a minute for them.
 */
public class TokenLimitedOnly {

    /** The calls that reached the body. */
    public int calls;

    @RateLimit(requestsPerMinute = 1000, tokensPerMinute = 1000, maxOutputTokens = 0, maxDelay = 1,
            unit = TimeUnit.MINUTES)
    public String call(String prompt) {
        calls++;
        return "answer " + calls;
    }
}

package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiled by javac alone, bare by its shape (a retry and nothing else), so that ReboundModule's interceptor
 * takes its shortcut ({@code ResilientMethod.quiet}): {@link #ping} fails its first {@link #failures} attempts,
 * each suggesting {@link #hint} first when one is set; {@link #embed} is a client whose response says no request
 * is left for a minute at its provider. The counts and scripts are static, one test at a time.
 */
public class ShortcutPing {

    public static final AtomicInteger ATTEMPTS = new AtomicInteger();
    public static volatile int failures;
    public static volatile Duration hint;

    @Retry(attempts = 2, delay = 100, jitter = false)
    public String ping(String s) {
        int n = ATTEMPTS.incrementAndGet();
        if (n <= failures) {
            if (hint != null) {
                RetryAfter.suggest(hint);
            }
            throw new IllegalStateException("down");
        }
        return "pong " + s;
    }

    @Retry(attempts = 2)
    public String embed(String text) {
        RateLimitHeaders.record(new RateLimitHeaders(0, RateLimitHeaders.UNKNOWN, Duration.ofMinutes(1).toNanos(),
                RateLimitHeaders.UNKNOWN));
        return "vector";
    }

    public static void reset() {
        ATTEMPTS.set(0);
        failures = 0;
        hint = null;
    }
}

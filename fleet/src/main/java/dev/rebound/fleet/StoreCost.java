package dev.rebound.fleet;

import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.RateLimiter;
import dev.rebound.runtime.ratelimit.RedisRateLimitStore;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the limiter costs a call: one {@code acquire} on the in-process store and on Redis (loopback),
 * timed one by one after a warm-up, as p50/p99. A printed measurement next to the figure, not a
 * benchmark: see docs/reports/fleet-rate-limit.md for how to read it.
 */
final class StoreCost {

    private StoreCost() {
    }

    static void print(String redisUri) {
        try (RateLimitStore local = RateLimitStore.inProcess();
                RateLimitStore redis = RedisRateLimitStore.connect(redisUri)) {
            System.out.println("| store | acquire p50 | p99 | (" + MEASURED + " acquires after " + WARM_UP
                    + ", requests and tokens limited) |");
            System.out.println("|---|---|---|---|");
            row("in-process", local);
            row("Redis, loopback", redis);
        }
    }

    static final int WARM_UP = 2_000;
    static final int MEASURED = 5_000;

    private static void row(String name, RateLimitStore store) {
        RateLimiter limiter = store.limiter("cost-" + name.hashCode(), 1_000_000_000, 1_000_000_000L, TimeSource.system());
        long[] t = new long[MEASURED];
        for (int i = 0; i < WARM_UP + MEASURED; i++) {
            long start = System.nanoTime();
            limiter.acquire(100, 0);
            long took = System.nanoTime() - start;
            if (i >= WARM_UP) {
                t[i - WARM_UP] = took;
            }
        }
        Arrays.sort(t);
        System.out.printf(Locale.ROOT, "| %s | %.1f µs | %.1f µs | |%n", name, t[MEASURED / 2] / 1000.0,
                t[MEASURED * 99 / 100] / 1000.0);
    }
}

package dev.rebound.runtime.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import dev.rebound.runtime.TimeSource;
import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A {@link RateLimiter} on Bucket4j buckets, local or remote (a Redis proxy is a {@link Bucket} too):
 * one for requests, one for tokens when they are limited. Each refills greedily, its whole limit per
 * minute, and starts full. A reservation is Bucket4j's blocking {@code tryConsume} with a
 * {@link BlockingStrategy} that records the wait instead of parking: the caller waits on its own
 * {@link TimeSource}.
 */
final class BucketLimiter implements RateLimiter {

    static final Duration MINUTE = Duration.ofMinutes(1);

    private final Bucket requests;
    private final Bucket tokens; // null: tokens are not limited
    private final long tokenCapacity;
    private final long requestsCapacity;
    private final Lowering requestsLowering;
    private final Lowering tokensLowering;

    /** In-process buckets. */
    BucketLimiter(Bucket requests, Bucket tokens, long requestsPerMinute, long tokensPerMinute) {
        this(requests, Lowering.inProcess(), tokens, Lowering.inProcess(), requestsPerMinute, tokensPerMinute);
    }

    private BucketLimiter(Bucket requests, Lowering requestsLowering, Bucket tokens, Lowering tokensLowering,
            long requestsPerMinute, long tokensPerMinute) {
        this.requests = requests;
        this.tokens = tokens;
        this.tokenCapacity = tokensPerMinute;
        this.requestsCapacity = requestsPerMinute;
        this.requestsLowering = requestsLowering;
        this.tokensLowering = tokensLowering;
    }

    /** A process-local limiter on {@code clock}. */
    static BucketLimiter local(long requestsPerMinute, long tokensPerMinute, TimeSource clock) {
        TimeMeter meter = meter(clock, false);
        Bucket r = Bucket.builder().addLimit(perMinute(requestsPerMinute)).withCustomTimePrecision(meter).build();
        Bucket t = tokensPerMinute > 0
                ? Bucket.builder().addLimit(perMinute(tokensPerMinute)).withCustomTimePrecision(meter).build()
                : null;
        return new BucketLimiter(r, t, requestsPerMinute, tokensPerMinute);
    }

    /** Whether this limiter counts these limits. */
    boolean hasLimits(long requestsPerMinute, long tokensPerMinute) {
        return requestsCapacity == requestsPerMinute && tokenCapacity == tokensPerMinute;
    }

    /**
     * This process-local limiter with other limits, over what its buckets have spent (Bucket4j's
     * {@code ADDITIVE}: a bucket keeps the tokens it has, plus the difference when its limit is raised, at
     * most the new limit): the key's limits given anew once what defined them is gone (a redeployed
     * application). A token limit new to the key starts full. {@code clock}: the one this limiter reads.
     */
    BucketLimiter withLimits(long requestsPerMinute, long tokensPerMinute, TimeSource clock) {
        requests.replaceConfiguration(configuration(requestsPerMinute), TokensInheritanceStrategy.ADDITIVE);
        Bucket t = null;
        if (tokensPerMinute > 0 && tokens != null) {
            tokens.replaceConfiguration(configuration(tokensPerMinute), TokensInheritanceStrategy.ADDITIVE);
            t = tokens;
        } else if (tokensPerMinute > 0) {
            t = Bucket.builder().addLimit(perMinute(tokensPerMinute)).withCustomTimePrecision(meter(clock, false))
                    .build();
        }
        return new BucketLimiter(requests, t, requestsPerMinute, tokensPerMinute);
    }

    /**
     * A limiter on the buckets {@code proxies} keeps under these keys, made on first use with these limits,
     * which replace a stored configuration of a version older than {@code version} (Bucket4j's implicit
     * replacement, checked inside each command's compare-and-swap: a second round trip only when it replaces),
     * over what the bucket has spent ({@code ADDITIVE}, as {@link #withLimits}).
     */
    static BucketLimiter remote(ProxyManager<byte[]> proxies, byte[] requestsKey, byte[] tokensKey,
            long requestsPerMinute, long tokensPerMinute, long version) {
        Lowering.Remote r = Lowering.remote(configuration(requestsPerMinute), version);
        Bucket requests = proxies.builder().withOptimization(r)
                .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.ADDITIVE)
                .build(requestsKey, r::configuration);
        if (tokensPerMinute <= 0) {
            return new BucketLimiter(requests, r, null, null, requestsPerMinute, tokensPerMinute);
        }
        Lowering.Remote t = Lowering.remote(configuration(tokensPerMinute), version);
        Bucket tokens = proxies.builder().withOptimization(t)
                .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.ADDITIVE)
                .build(tokensKey, t::configuration);
        return new BucketLimiter(requests, r, tokens, t, requestsPerMinute, tokensPerMinute);
    }

    static Bandwidth perMinute(long limit) {
        return Bandwidth.builder().capacity(limit).refillGreedy(limit, MINUTE).build();
    }

    static BucketConfiguration configuration(long perMinute) {
        return BucketConfiguration.builder().addLimit(perMinute(perMinute)).build();
    }

    /**
     * Bucket4j's clock over {@code clock}; {@code wallClock} when instances compare its readings (Redis).
     * Bucket4j compares readings absolutely (a bucket refills only while a reading is above its last),
     * and a {@link TimeSource}'s readings have no origin: one near {@code Long.MAX_VALUE} wraps. So the
     * meter reads the time since the first reading of that same source ({@link #originOf}), which grows
     * from 0 for 292 years; every meter over one source shares that origin, so stores sharing a virtual
     * clock in a test still compare their readings.
     */
    static TimeMeter meter(TimeSource clock, boolean wallClock) {
        long origin = originOf(clock);
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.nanoTime() - origin;
            }

            @Override
            public boolean isWallClockBased() {
                return wallClock;
            }
        };
    }

    /** The first reading of each source a meter was made over, by identity; weakly held. */
    private static final Map<TimeSource, Long> ORIGINS = new WeakHashMap<>();

    private static long originOf(TimeSource clock) {
        synchronized (ORIGINS) {
            return ORIGINS.computeIfAbsent(clock, c -> c.nanoTime());
        }
    }

    @Override
    public long acquire(long tokenCount, long maxWaitNanos) {
        Reservation r = new Reservation();
        if (!reserve(requests, 1, maxWaitNanos, r)) {
            return REFUSED;
        }
        long wait = r.nanos;
        long t = clamp(tokenCount);
        if (tokens != null && t > 0) {
            r.nanos = 0;
            boolean reserved;
            try {
                reserved = reserve(tokens, t, maxWaitNanos, r);
            } catch (RuntimeException storeFailed) {
                giveBackRequest(storeFailed); // the caller goes on elsewhere (a fleet's local stand-in)
                throw storeFailed;
            }
            if (!reserved) {
                requests.addTokens(1);
                return REFUSED;
            }
            wait = Math.max(wait, r.nanos);
        }
        return wait;
    }

    /**
     * Gives back the request taken before the token bucket failed (Redis gone between the two), so that a
     * failed acquire takes nothing; when the store fails that too, the failure is kept as suppressed and the
     * request stays taken until its bucket refills.
     */
    private void giveBackRequest(RuntimeException storeFailed) {
        try {
            requests.addTokens(1);
        } catch (RuntimeException alsoFailed) {
            storeFailed.addSuppressed(alsoFailed);
        }
    }

    @Override
    public long wouldWait(long tokenCount) {
        EstimationProbe p = requests.estimateAbilityToConsume(1);
        long wait = p.canBeConsumed() ? 0 : p.getNanosToWaitForRefill();
        long t = clamp(tokenCount);
        if (tokens != null && t > 0) {
            EstimationProbe q = tokens.estimateAbilityToConsume(t);
            wait = Math.max(wait, q.canBeConsumed() ? 0 : q.getNanosToWaitForRefill());
        }
        return wait;
    }

    @Override
    public void adjustTokens(long delta) {
        if (tokens == null || delta == 0) {
            return;
        }
        if (delta > 0) {
            tokens.consumeIgnoringRateLimits(delta);
        } else {
            tokens.addTokens(-delta);
        }
    }

    @Override
    public void release(long tokenCount) {
        requests.addTokens(1);
        long t = clamp(tokenCount);
        if (tokens != null && t > 0) {
            tokens.addTokens(t);
        }
    }

    @Override
    public void correct(RateLimitHeaders seen) {
        lower(requests, requestsLowering, seen.remainingRequests(), seen.resetRequestsNanos(), requestsCapacity);
        if (tokens != null) {
            lower(tokens, tokensLowering, seen.remainingTokens(), seen.resetTokensNanos(), tokenCapacity);
        }
    }

    /**
     * Lowers the bucket to what the provider says is left, never below it: a count the provider gives is
     * the floor, whatever its reset says (a reset belongs to the provider's own window, which may not be
     * ours: OpenAI's tokens reset in minutes while most remain, Groq's request headers count per day).
     * Without a count, the reset (as OpenAI defines it, when the limit is whole again) says that at least
     * what our refill brings in that time is spent: the bucket is lowered to {@code capacity} less that, at
     * most one minute's refill (0 left, never a debt). Never raises it. In one step ({@link Lowering}):
     * corrections from the provider's one count, arriving together, lower the bucket to it once, not once each.
     */
    private static void lower(Bucket bucket, Lowering lowering, long remaining, long resetNanos, long capacity) {
        long target;
        if (remaining >= 0) {
            target = remaining;
        } else if (resetNanos > 0) {
            long minute = MINUTE.toNanos();
            // capacity x reset / minute, rounded up; the product before the division, exact for whole results
            target = resetNanos >= minute ? 0
                    : capacity - (long) Math.ceil((double) resetNanos * capacity / minute);
        } else {
            return;
        }
        if (target < capacity) { // a bucket never holds more than its capacity
            lowering.lower(bucket, target);
        }
    }

    private long clamp(long tokenCount) {
        return Math.min(Math.max(0, tokenCount), tokenCapacity);
    }

    private static boolean reserve(Bucket bucket, long n, long maxWaitNanos, Reservation r) {
        if (maxWaitNanos <= 0) {
            r.nanos = 0;
            return bucket.tryConsume(n); // Bucket4j's blocking form wants a positive wait
        }
        try {
            return bucket.asBlocking().tryConsume(n, maxWaitNanos, r);
        } catch (InterruptedException impossible) {
            // Reservation.park never throws; keep the flag for whoever waits next
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Records the wait Bucket4j would park for; the caller waits on its own clock. */
    static final class Reservation implements BlockingStrategy {
        long nanos;

        @Override
        public void park(long nanosToPark) {
            nanos = nanosToPark;
        }
    }
}

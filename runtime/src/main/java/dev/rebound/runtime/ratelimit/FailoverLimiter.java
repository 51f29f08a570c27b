package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key's limit in Redis, with an in-process one standing by: every operation goes to Redis when the
 * store has it, and to the local buckets when it has not or fails, so a call never fails because of
 * the store. A failure of the store (unreachable, refusing) is the link's; a failure of this key alone (a
 * value under its name that is not a Bucket4j bucket) keeps this key local, says so once, and asks again
 * every retry interval, while the other keys stay on Redis.
 */
final class FailoverLimiter implements RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /** How often, at most, a key in use compares the limits Redis holds with its own. */
    private static final long CHECK_EVERY_NANOS = BucketLimiter.MINUTE.toNanos();

    private final RedisLink link;
    private final String key;
    private final byte[] requestsKey;
    private final byte[] tokensKey;
    private final long requestsPerMinute;
    private final long tokensPerMinute;
    private final BucketLimiter local;
    /** The remote limiter and the proxy manager it was built on (rebuilt after a reconnection). */
    private volatile Remote remote;
    /** The stored limits last warned about (-1: none), so that one difference is said once. */
    private final AtomicLong warnedRequests = new AtomicLong(-1);
    private final AtomicLong warnedTokens = new AtomicLong(-1);
    /** Whether this key's value in Redis failed (the key is then local until {@link #keyRetryAtNanos}). */
    private volatile boolean keyFailed;
    private volatile long keyRetryAtNanos;

    FailoverLimiter(RedisLink link, String key, byte[] requestsKey, byte[] tokensKey, long requestsPerMinute,
            long tokensPerMinute, BucketLimiter local) {
        this.link = link;
        this.key = key;
        this.requestsKey = requestsKey;
        this.tokensKey = tokensKey;
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
        this.local = local;
    }

    /** Whether this limiter counts these limits. */
    boolean hasLimits(long requestsPerMinute, long tokensPerMinute) {
        return this.requestsPerMinute == requestsPerMinute && this.tokensPerMinute == tokensPerMinute;
    }

    /**
     * The key with other limits (defined anew, its first definer gone): its stand-in keeps what it spent
     * ({@link BucketLimiter#withLimits}); Redis keeps the limits it holds until the key expires, which the
     * new limiter compares with its own and warns about, as any instance whose limits differ.
     */
    FailoverLimiter withLimits(long requestsPerMinute, long tokensPerMinute, TimeSource localClock) {
        return new FailoverLimiter(link, key, requestsKey, tokensKey, requestsPerMinute, tokensPerMinute,
                local.withLimits(requestsPerMinute, tokensPerMinute, localClock));
    }

    private static final class Remote {
        final ProxyManager<byte[]> proxies;
        final BucketLimiter limiter;
        /** When the stored limits are next compared; claimed by one thread at a time ({@link #claimCheck}). */
        final AtomicLong checkAtNanos;

        Remote(ProxyManager<byte[]> proxies, BucketLimiter limiter, long checkAtNanos) {
            this.proxies = proxies;
            this.limiter = limiter;
            this.checkAtNanos = new AtomicLong(checkAtNanos);
        }

        /** Whether the comparison is due at {@code now} and this thread is the one to make it. */
        boolean claimCheck(long now) {
            long due = checkAtNanos.get();
            return now - due >= 0 && checkAtNanos.compareAndSet(due, now + CHECK_EVERY_NANOS);
        }
    }

    /**
     * The Redis-backed limiter now, or null. The limits Redis holds for the key are compared with this
     * instance's on each new connection (start-up, every reconnection, so after a restart) and on the first
     * use in each minute after that: another instance that recreated an expired key with its own limits is
     * noticed within a minute, for a read of each bucket once a minute, nothing on the other calls. One
     * thread compares, whatever the number using the key at that moment, so a difference is said once.
     */
    private BucketLimiter remote() {
        if (keyFailed && link.nanoTime() - keyRetryAtNanos < 0) {
            return null;
        }
        ProxyManager<byte[]> p = link.proxies();
        if (p == null) {
            return null;
        }
        Remote r = remote;
        if (r == null || r.proxies != p) {
            return connected(p);
        }
        if (r.claimCheck(link.nanoTime())) {
            checkStoredLimits(p);
        }
        return r.limiter;
    }

    /** The limiter on a new connection's {@code p}, made by the first thread to use it, its limits compared. */
    private synchronized BucketLimiter connected(ProxyManager<byte[]> p) {
        Remote r = remote;
        if (r != null && r.proxies == p) {
            return r.limiter; // another thread made it while this one waited
        }
        checkStoredLimits(p);
        BucketLimiter limiter = BucketLimiter.remote(p, requestsKey, tokensKey, requestsPerMinute, tokensPerMinute);
        remote = new Remote(p, limiter, link.nanoTime() + CHECK_EVERY_NANOS);
        return limiter;
    }

    private void checkStoredLimits(ProxyManager<byte[]> p) {
        warnIfConfiguredOtherwise(p, requestsKey, requestsPerMinute, "requestsPerMinute", warnedRequests);
        warnIfConfiguredOtherwise(p, tokensKey, tokensPerMinute, "tokensPerMinute", warnedTokens);
    }

    /**
     * Another instance created the key with other limits: Bucket4j keeps the first until the key expires. A
     * stored token limit where this instance has none (0) differs too: the others charge tokens, this one not.
     * Said once per stored value that differs ({@code warned}, the last one said, swapped atomically: of
     * threads reading the same value at once, one says it).
     */
    private void warnIfConfiguredOtherwise(ProxyManager<byte[]> p, byte[] redisKey, long perMinute, String attribute,
            AtomicLong warned) {
        Optional<BucketConfiguration> existing = p.getProxyConfiguration(redisKey);
        if (existing.isEmpty() || existing.get().getBandwidths()[0].getCapacity() == perMinute) {
            warned.set(-1);
            return;
        }
        long stored = existing.get().getBandwidths()[0].getCapacity();
        if (warned.getAndSet(stored) != stored) {
            LOG.warn("Rebound rate limit \"{}\": Redis already holds it with {} = {}, not {}; {}: give every "
                    + "instance the same limits", key, attribute, stored,
                    perMinute, perMinute == 0 ? "the instances that set it charge their tokens against it until the"
                            + " key expires, and this one charges none" : "the stored limit applies until the key expires");
        }
    }

    /** A Redis operation failed: the whole store's failure, or this key's alone. */
    private void failed(RuntimeException e) {
        if (!link.keyOnly(e)) {
            link.failed(e, false);
            return;
        }
        keyRetryAtNanos = link.nanoTime() + link.retryIntervalNanos();
        if (!keyFailed) {
            keyFailed = true;
            // the exception's class only: its message may carry the value read
            LOG.warn("Rebound rate limit \"{}\": Redis holds a value under its name that is not a rate-limit bucket "
                    + "({}; another application using the same key names?): this key is limited per process, "
                    + "asking again every {} ms; the store's other keys are unaffected", key,
                    RedisLink.errorCode(e) != null ? RedisLink.errorCode(e) : e.getClass().getSimpleName(),
                    link.retryIntervalNanos() / 1_000_000);
        }
    }

    /** Redis answered for this key. */
    private void answered() {
        link.answered();
        if (keyFailed) {
            keyFailed = false;
            LOG.info("Rebound rate limit \"{}\": its value in Redis is a rate-limit bucket again: the limit is shared "
                    + "again", key);
        }
    }

    @Override
    public long acquire(long tokens, long maxWaitNanos) {
        try {
            BucketLimiter r = remote();
            if (r != null) {
                long wait = r.acquire(tokens, maxWaitNanos);
                answered();
                return wait;
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        return local.acquire(tokens, maxWaitNanos);
    }

    @Override
    public long wouldWait(long tokens) {
        try {
            BucketLimiter r = remote();
            if (r != null) {
                return r.wouldWait(tokens);
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        return local.wouldWait(tokens);
    }

    @Override
    public void adjustTokens(long delta) {
        try {
            BucketLimiter r = remote();
            if (r != null) {
                r.adjustTokens(delta);
                return;
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        local.adjustTokens(delta);
    }

    @Override
    public void release(long tokens) {
        try {
            BucketLimiter r = remote();
            if (r != null) {
                r.release(tokens);
                return;
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        local.release(tokens);
    }

    @Override
    public void correct(RateLimitHeaders seen) {
        try {
            BucketLimiter r = remote();
            if (r != null) {
                r.correct(seen);
                return;
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        local.correct(seen);
    }
}

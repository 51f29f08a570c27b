package dev.rebound.runtime.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key's limit in Redis, with an in-process one standing by: every operation goes to Redis when the
 * store has it, and to the local buckets when it has not or fails, so a call never fails because of
 * the store.
 */
final class FailoverLimiter implements RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    private final RedisLink link;
    private final String key;
    private final byte[] requestsKey;
    private final byte[] tokensKey;
    private final long requestsPerMinute;
    private final long tokensPerMinute;
    private final BucketLimiter local;
    /** The remote limiter and the proxy manager it was built on (rebuilt after a reconnection). */
    private volatile Remote remote;

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

    private static final class Remote {
        final ProxyManager<byte[]> proxies;
        final BucketLimiter limiter;

        Remote(ProxyManager<byte[]> proxies, BucketLimiter limiter) {
            this.proxies = proxies;
            this.limiter = limiter;
        }
    }

    /** The Redis-backed limiter now, or null. */
    private BucketLimiter remote() {
        ProxyManager<byte[]> p = link.proxies();
        if (p == null) {
            return null;
        }
        Remote r = remote;
        if (r != null && r.proxies == p) {
            return r.limiter;
        }
        warnIfConfiguredOtherwise(p, requestsKey, requestsPerMinute, "requestsPerMinute");
        warnIfConfiguredOtherwise(p, tokensKey, tokensPerMinute, "tokensPerMinute");
        BucketConfiguration requests = BucketLimiter.configuration(requestsPerMinute);
        BucketConfiguration tokens = tokensPerMinute > 0 ? BucketLimiter.configuration(tokensPerMinute) : null;
        BucketLimiter limiter = new BucketLimiter(
                p.builder().build(requestsKey, () -> requests),
                tokens == null ? null : p.builder().build(tokensKey, () -> tokens),
                requestsPerMinute, tokensPerMinute);
        remote = new Remote(p, limiter);
        return limiter;
    }

    /**
     * Another instance created the key with other limits: Bucket4j keeps the first until the key expires. A
     * stored token limit where this instance has none (0) differs too: the others charge tokens, this one not.
     */
    private void warnIfConfiguredOtherwise(ProxyManager<byte[]> p, byte[] redisKey, long perMinute, String attribute) {
        Optional<BucketConfiguration> existing = p.getProxyConfiguration(redisKey);
        if (existing.isPresent()
                && existing.get().getBandwidths()[0].getCapacity() != perMinute) {
            LOG.warn("Rebound rate limit \"{}\": Redis already holds it with {} = {}, not {}; {}: give every "
                    + "instance the same limits", key, attribute, existing.get().getBandwidths()[0].getCapacity(),
                    perMinute, perMinute == 0 ? "the instances that set it charge their tokens against it until the"
                            + " key expires, and this one charges none" : "the stored limit applies until the key expires");
        }
    }

    @Override
    public long acquire(long tokens, long maxWaitNanos) {
        try {
            BucketLimiter r = remote();
            if (r != null) {
                long wait = r.acquire(tokens, maxWaitNanos);
                link.answered();
                return wait;
            }
        } catch (RuntimeException e) {
            link.failed(e, false);
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
            link.failed(e, false);
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
            link.failed(e, false);
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
            link.failed(e, false);
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
            link.failed(e, false);
        }
        local.correct(seen);
    }
}

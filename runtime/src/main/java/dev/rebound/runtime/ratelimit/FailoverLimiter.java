package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key's limit in Redis, with an in-process one standing by: every operation goes to Redis when the
 * store has it, and to the local buckets when it has not or fails, so a call never fails because of
 * the store. A failure of the store (unreachable, refusing) is the link's; a failure of this key alone (a
 * value under its name that is not a Bucket4j bucket) keeps this key local, says so once, and asks again
 * every retry interval, while the other keys stay on Redis. The caller's interrupt is neither: a command
 * runs with the interrupt held back (it is bounded by the store's timeout) and the flag is set again after.
 *
 * <p>The limits are versioned by when they were configured (the store's clock: the wall clock, in
 * production): when the store was made, at start-up, never at the key's first use, which may come long
 * after (a method an old instance calls rarely must not carry a version newer than a redeploy's); or, for a
 * key the store hands out again with other limits, when it did ({@link #withLimits}). Each command carries
 * that version, and Bucket4j replaces a stored configuration of an older one ({@code ADDITIVE}, as the
 * in-process store: a bucket keeps what it has, plus the difference when its limit is raised, at most the
 * new limit). So the limits configured last in the fleet (a redeploy's) reach Redis on their first command
 * and apply to every instance; an instance with other, older limits is told.
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
    /** When these limits were configured, on the store's clock: their version in Redis. */
    private final long version;
    private final BucketLimiter local;
    /** The remote limiter and the proxy manager it was built on (rebuilt after a reconnection). */
    private final AtomicReference<Remote> remote = new AtomicReference<>();
    /** The stored limits last warned about (-1: none), so that one difference is said once. */
    private final AtomicLong warnedRequests = new AtomicLong(-1);
    private final AtomicLong warnedTokens = new AtomicLong(-1);
    /** Whether this key's value in Redis failed (the key is then local until {@link #keyRetryAtNanos}). */
    private volatile boolean keyFailed;
    private volatile long keyRetryAtNanos;

    /**
     * @param version when these limits were configured, on the store's clock: their version in Redis (the
     *     store's making, for the limits it first hands out)
     */
    FailoverLimiter(RedisLink link, String key, byte[] requestsKey, byte[] tokensKey, long requestsPerMinute,
            long tokensPerMinute, long version, BucketLimiter local) {
        this.link = link;
        this.key = key;
        this.requestsKey = requestsKey;
        this.tokensKey = tokensKey;
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
        this.version = version;
        this.local = local;
    }

    /** Whether this limiter counts these limits. */
    boolean hasLimits(long requestsPerMinute, long tokensPerMinute) {
        return this.requestsPerMinute == requestsPerMinute && this.tokensPerMinute == tokensPerMinute;
    }

    /**
     * The key with other limits (defined anew in this process, its first definer's application gone, the
     * store living on): its stand-in keeps what it spent ({@link BucketLimiter#withLimits}), and the new
     * limiter's version, now (when the store is first asked for them; newer than the old limits' version,
     * if only by one), replaces the limits Redis holds at its first command, as the in-process store replaces them
     * at once.
     */
    FailoverLimiter withLimits(long requestsPerMinute, long tokensPerMinute, TimeSource localClock) {
        return new FailoverLimiter(link, key, requestsKey, tokensKey, requestsPerMinute, tokensPerMinute,
                Math.max(version + 1, link.nowNanos()),
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

    /** The Redis-backed limiter now, or null (the store or this key away). Asks Redis nothing. */
    private Remote remote() {
        if (keyFailed && link.nanoTime() - keyRetryAtNanos < 0) {
            return null;
        }
        ProxyManager<byte[]> p = link.proxies();
        if (p == null) {
            return null;
        }
        Remote r = remote.get();
        return r != null && r.proxies == p ? r : connected(p);
    }

    /**
     * The limiter on a new connection's {@code p}: made without a lock or a round trip (Bucket4j's proxy asks
     * Redis nothing until a command), so no thread waits for another's command to a Redis that stalls; of
     * threads making it at once, one's is kept. Its limits are compared after its first command.
     */
    private Remote connected(ProxyManager<byte[]> p) {
        Remote made = new Remote(p, BucketLimiter.remote(p, requestsKey, tokensKey, requestsPerMinute,
                tokensPerMinute, version), link.nanoTime());
        while (true) {
            Remote r = remote.get();
            if (r != null && r.proxies == p) {
                return r;
            }
            if (remote.compareAndSet(r, made)) {
                return made;
            }
        }
    }

    /**
     * After a command: the limits Redis holds for the key are compared with this instance's on each new
     * connection (start-up, every reconnection, so after a restart) and on the first use in each minute
     * after that: another instance whose limits were configured later, or that recreated an expired key
     * with its own, is noticed within a minute, for a read of each bucket once a minute, nothing on the
     * other calls. One thread compares, whatever the number using the key at that moment, so a difference
     * is said once.
     */
    private void checkIfDue(Remote r) {
        if (r.claimCheck(link.nanoTime())) {
            try {
                warnIfConfiguredOtherwise(r.proxies, requestsKey, requestsPerMinute, "requestsPerMinute",
                        warnedRequests);
                warnIfConfiguredOtherwise(r.proxies, tokensKey, tokensPerMinute, "tokensPerMinute", warnedTokens);
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    /**
     * Redis holds other limits than this instance's after its own command, which carried its version: so
     * they were configured no earlier than this instance's (another instance's store made no earlier, or the
     * key defined anew there no earlier: an instance deployed later), and they win.
     * A stored token limit where this instance has none (0) differs too: the others charge tokens, this one
     * not. Said once per stored value that differs ({@code warned}, the last one said, swapped atomically:
     * of threads reading the same value at once, one says it).
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
                    + "instance the same limits", key, attribute, stored, perMinute, perMinute == 0
                            ? "the instances that set it charge their tokens against it, and this one charges none"
                            : "another instance configured it no earlier than this one (its store was made, or "
                                    + "the key defined anew, no earlier), and the fleet's most recently configured "
                                    + "limits win: " + stored + " applies to this instance too");
        }
    }

    /** A Redis operation failed: the whole store's failure, or this key's alone, or the caller's interrupt. */
    private void failed(RuntimeException e) {
        if (RedisLink.interruption(e)) {
            Thread.currentThread().interrupt(); // Redis answered or would have: the store stays in use
            return;
        }
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
        return run(ACQUIRE, tokens, maxWaitNanos, null);
    }

    @Override
    public long wouldWait(long tokens) {
        return run(WOULD_WAIT, tokens, 0, null);
    }

    @Override
    public void adjustTokens(long delta) {
        run(ADJUST_TOKENS, delta, 0, null);
    }

    @Override
    public void release(long tokens) {
        run(RELEASE, tokens, 0, null);
    }

    @Override
    public void correct(RateLimitHeaders seen) {
        run(CORRECT, 0, 0, seen);
    }

    /** One of the limiter's operations, on Redis's limiter or the local one. */
    private interface Operation {
        long on(RateLimiter limiter, long n, long maxWaitNanos, RateLimitHeaders seen);
    }

    private static final Operation ACQUIRE = (l, n, maxWait, seen) -> l.acquire(n, maxWait);
    private static final Operation WOULD_WAIT = (l, n, maxWait, seen) -> l.wouldWait(n);
    private static final Operation ADJUST_TOKENS = (l, n, maxWait, seen) -> {
        l.adjustTokens(n);
        return 0;
    };
    private static final Operation RELEASE = (l, n, maxWait, seen) -> {
        l.release(n);
        return 0;
    };
    private static final Operation CORRECT = (l, n, maxWait, seen) -> {
        l.correct(seen);
        return 0;
    };

    /**
     * {@code op} on Redis when the store has it, else (or when it fails) on the local stand-in. An interrupted
     * caller (a cancelled request whose refund this is, a pool shutting down) is the caller's, not the
     * store's: the flag is held back for the round trip, which the store's timeout bounds (Lettuce would end
     * the command at once, as an outage, and a refund would go to a stand-in that was never charged), and set
     * again after. One arriving during the command ends it (Bucket4j sets the flag again): this call is then
     * answered locally, and the store stays in use.
     */
    private long run(Operation op, long n, long maxWaitNanos, RateLimitHeaders seen) {
        boolean interrupted = Thread.interrupted();
        try {
            Remote r = remote();
            if (r != null) {
                long answer;
                try {
                    answer = op.on(r.limiter, n, maxWaitNanos, seen);
                } catch (RuntimeException e) {
                    failed(e);
                    return op.on(local, n, maxWaitNanos, seen);
                }
                answered();
                checkIfDue(r);
                return answer;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return op.on(local, n, maxWaitNanos, seen);
    }
}

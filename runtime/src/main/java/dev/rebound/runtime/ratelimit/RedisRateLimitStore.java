package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.rules.TimeAmount;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits shared by a whole fleet: Bucket4j's buckets kept in Redis (through Lettuce), so every
 * instance naming a key draws on one limit. Opt-in; needs {@code com.bucket4j:bucket4j_jdk17-lettuce}
 * and {@code io.lettuce:lettuce-core} on the class path.
 *
 * <pre>{@code
 * RateLimitStore fleet = RedisRateLimitStore.connect(System.getenv("REDIS_URL")); // redis:// or rediss://
 * ReboundSettings.setGlobal(ReboundSettings.builder().rateLimitStore(fleet).build());
 * }</pre>
 *
 * <p><b>Never fails a call.</b> When Redis does not answer (down at start-up, gone mid-run, slower
 * than {@link Builder#timeout}), calls go on with in-process limits and one WARN line per outage;
 * Redis is tried again every {@link Builder#retryInterval}, and an INFO line says when it answers.
 * While it is away each instance keeps the whole limit to itself (one per key, shared by the instance's
 * methods naming it), so the fleet can exceed it and the provider's 429s (and Retry-After) take over.
 * A Redis that answers with an error for every command is handled alike, its WARN naming Redis's error
 * code ({@code OOM}, {@code READONLY}; {@code WRONGPASS}, {@code NOAUTH}, {@code NOPERM} as a configuration
 * error); a key whose value is not a bucket (another application's) is kept per process alone, said once.
 * A Redis restart (a new {@code run_id} when the store reconnects) is said in one WARN: unless Redis kept its
 * data, the fleet's limits start full again and the breakers' shared open states are lost.
 *
 * <p><b>Keys.</b> {@code <namespace>:rate-limit:<key>:requests} and {@code ...:tokens}: only names
 * from configuration. Each expires once its bucket would be full again (plus 10 s), so a fleet that
 * stops leaves nothing behind. As a {@link SharedCircuitState}, {@code <namespace>:breaker:<name>:open},
 * which expires when the open state ends (the longest one written: a shorter delay never cuts it short).
 *
 * <p><b>Limits that change.</b> The limits configured last in the fleet win, as in-process: each instance's
 * carry as their version the moment this store was made (start-up; a key handed out again with other
 * limits, defined anew by a redeployed application while the store lives on: that moment), never a key's
 * first use, and replace older ones in Redis at its first command (over what the bucket spent); an instance
 * whose limits are not the ones applied says so in one WARN.
 *
 * <p><b>Secrets.</b> The connection string's password is used to connect and nowhere else: logs and
 * {@link #toString()} show {@code redis://host:port/db} only, and no exception Rebound throws carries it.
 *
 * <p><b>Clock.</b> The buckets' clock is the wall clock ({@link System#currentTimeMillis}), the only one
 * instances share, and a breaker's open state expires on Redis's own clock; with a non-system
 * {@link TimeSource} (a virtual clock in tests) both are that source's reading (since its first reading,
 * so a source near {@code Long.MAX_VALUE} does not wrap), which every store in the test must then share.
 */
public final class RedisRateLimitStore implements RateLimitStore, SharedCircuitState {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    private final RedisLink link;
    private final String namespace;
    /**
     * One limiter per key, whatever asks for it (each method, alternative and wrapper naming the key): its
     * local stand-in is then one limit per key in this instance while Redis is away, not one per asker.
     */
    private final Map<String, FailoverLimiter> limiters = new ConcurrentHashMap<>();
    /** The fleet's delay of each breaker last warned about, so that one difference is said once. */
    private final Map<String, Long> warnedDelays = new ConcurrentHashMap<>();
    /**
     * When this store was made, on its clock: the version of the limits it hands out first. An instance's
     * limits are configured by then (its code and annotations, the policies its start-up builds), whereas a
     * key's first use may come much later, after a newer instance's.
     */
    private final long configuredAt;

    private RedisRateLimitStore(RedisLink link, String namespace, long configuredAt) {
        this.link = link;
        this.namespace = namespace;
        this.configuredAt = configuredAt;
    }

    /**
     * Connects with the defaults ({@link #builder}).
     *
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} is not a Redis URI (the message never repeats it)
     */
    public static RedisRateLimitStore connect(String uri) {
        return builder(uri).build();
    }

    /**
     * A store on {@code uri}: {@code redis://[:password@]host[:port][/db]}, or {@code rediss://} for TLS.
     *
     * @throws NullPointerException if {@code uri} is null
     */
    public static Builder builder(String uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /**
     * The limiter of {@code key}: Redis's buckets while it answers, and one in-process stand-in per key while
     * it does not, made on first use with these limits and {@code localClock} (later calls for the key get
     * the same limiter; the rule set refuses a second definition of a key with other limits while its first
     * definer lives, and one made after it is gone gets a limiter of its limits: {@link FailoverLimiter#withLimits}).
     * The limits first handed out for a key carry, as their version in Redis, the moment this store was made,
     * whenever the key is first used.
     */
    @Override
    public RateLimiter limiter(String key, long requestsPerMinute, long tokensPerMinute, TimeSource localClock) {
        return limiters.compute(key, (k, old) -> old == null
                ? new FailoverLimiter(link, k, keyBytes(k, "requests"), keyBytes(k, "tokens"), requestsPerMinute,
                        tokensPerMinute, configuredAt,
                        BucketLimiter.local(requestsPerMinute, tokensPerMinute, localClock))
                : old.hasLimits(requestsPerMinute, tokensPerMinute) ? old
                : old.withLimits(requestsPerMinute, tokensPerMinute, localClock));
    }

    /** The Redis key of {@code key}'s {@code kind} ("requests" or "tokens") bucket. */
    public String redisKey(String key, String kind) {
        return namespace + ":rate-limit:" + key + ":" + kind;
    }

    /** The Redis key of {@code breaker}'s shared open state. */
    public String breakerKey(String breaker) {
        return namespace + ":breaker:" + breaker + ":open";
    }

    /**
     * Writes the open state, {@code <namespace>:breaker:<name>:open} = the opener's delay ({@code "60000ms"}),
     * expiring with the state on Redis's clock, unless the fleet's state there ends later: the longest open
     * state wins, and a shorter delay never cuts it short (one script, so two openers at once keep the later
     * end). An instance whose delay is kept out so is told once, naming both delays. With a non-system
     * {@link TimeSource} the value also carries the reading of that clock when the state ends
     * ({@code "60000ms@<reading>"}), which {@link #openRemainingNanos} compares with the clock's reading
     * (the key still expires, an hour later at least, so nothing is left behind).
     */
    @Override
    public void opened(String breaker, long openNanos) {
        long millis = Math.max(1, openNanos / 1_000_000);
        boolean interrupted = Thread.interrupted(); // the caller's: held back for the round trip, set again after
        try {
            if (link.proxies() == null) {
                return;
            }
            String value = millis + "ms";
            String end = "";
            long px = millis;
            if (!link.systemClock()) {
                end = Long.toString(saturatedSum(link.nowNanos(), openNanos));
                value += "@" + end;
                px = Math.max(millis, CLEANUP_MILLIS);
            }
            byte[] kept = link.commands().eval(OPEN_UNLESS_LATER, ScriptOutputType.VALUE,
                    new byte[][] {breakerKey(breaker).getBytes(StandardCharsets.UTF_8)}, bytes(value),
                    bytes(Long.toString(px)), bytes(end));
            link.answered();
            long fleetMillis = kept == null ? -1 : delayOf(kept);
            if (fleetMillis > 0 && fleetMillis != millis && firstSaid(breaker, fleetMillis)) {
                LOG.warn("Rebound circuit breaker \"{}\": the fleet's open state there, set with delay = {} ms, ends "
                        + "later than this instance's delay = {} ms would; the longest open state in the fleet "
                        + "wins, and it is kept: give every instance the same delay", breaker, fleetMillis, millis);
            }
        } catch (RuntimeException e) {
            link.failed(e, false);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes the open state unless the one there ends later: KEYS[1] the breaker's key, ARGV the value, its
     * expiry in ms, and (on a non-system clock) the reading when it ends, compared with the one in the value
     * there, else the key's own time left. Answers the value kept, or nil when it wrote.
     */
    private static final String OPEN_UNLESS_LATER = "local old = redis.call('GET', KEYS[1]) "
            + "if old then "
            + "  if ARGV[3] == '' then "
            + "    if redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[2]) then return old end "
            + "  else "
            + "    local e = string.match(old, '@(%d+)$') "
            + "    if e and tonumber(e) >= tonumber(ARGV[3]) then return old end "
            + "  end "
            + "end "
            + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
            + "return false";

    /** The value of an open state and its time left (ms), in one round trip. */
    private static final String OPEN_STATE = "return {redis.call('GET', KEYS[1]) or false, redis.call('PTTL', KEYS[1])}";

    /** {@link #openRemainingNanos(String, long)} without a delay to compare. */
    @Override
    public long openRemainingNanos(String breaker) {
        return openRemainingNanos(breaker, -1);
    }

    /**
     * The fleet's open state's time left on Redis's clock (its key's {@code PTTL}); with a non-system
     * {@link TimeSource}, the end of the open state on that clock, less the clock's reading. When the state
     * was set with another delay than {@code delayNanos}, one WARN names both (once per breaker and stored
     * delay): the breaker asking opens for the fleet's time left, whichever delay is longer.
     */
    @Override
    public long openRemainingNanos(String breaker, long delayNanos) {
        boolean interrupted = Thread.interrupted(); // the caller's: held back for the round trip, set again after
        try {
            if (link.proxies() == null) {
                return 0;
            }
            List<Object> state = link.commands().eval(OPEN_STATE, ScriptOutputType.MULTI,
                    breakerKey(breaker).getBytes(StandardCharsets.UTF_8));
            link.answered();
            byte[] value = state.get(0) instanceof byte[] ? (byte[]) state.get(0) : null;
            long remaining;
            if (value == null) {
                remaining = 0;
            } else if (!link.systemClock()) {
                Long end = endOf(value);
                remaining = end == null ? 0 : Math.max(0, end - link.nowNanos());
            } else {
                Long ttl = (Long) state.get(1);
                remaining = ttl == null || ttl <= 0 ? 0 : ttl * 1_000_000;
            }
            if (remaining > 0 && delayNanos >= 0) {
                warnIfOpenedWithAnotherDelay(breaker, delayOf(value), Math.max(1, delayNanos / 1_000_000), remaining);
            }
            return remaining;
        } catch (RuntimeException e) {
            link.failed(e, false);
            return 0;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void warnIfOpenedWithAnotherDelay(String breaker, long fleetMillis, long ownMillis, long remaining) {
        if (fleetMillis <= 0 || fleetMillis == ownMillis) {
            return; // an older Rebound's state says no delay
        }
        if (firstSaid(breaker, fleetMillis)) {
            LOG.warn("Rebound circuit breaker \"{}\": the fleet's open state was set with delay = {} ms, not this "
                    + "instance's {} ms; the fleet's open state wins: this breaker opens for the {} ms it has left: "
                    + "give every instance the same delay", breaker, fleetMillis, ownMillis, remaining / 1_000_000);
        }
    }

    /** How long, at least, a breaker's key lives on Redis's clock when the store runs on another clock. */
    private static final long CLEANUP_MILLIS = 3_600_000L;

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** Whether this fleet delay of {@code breaker} is not the one last said (and is now). */
    private boolean firstSaid(String breaker, long fleetMillis) {
        Long before = warnedDelays.put(breaker, fleetMillis);
        return before == null || before != fleetMillis;
    }

    /** The end reading in a value written by {@link #opened} on a non-system clock, or null for any other. */
    private static Long endOf(byte[] value) {
        String v = new String(value, StandardCharsets.UTF_8);
        try {
            return Long.parseLong(v.substring(v.indexOf('@') + 1)); // an older Rebound's value: the reading alone
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The opener's delay in ms in a value written by {@link #opened}, or -1 (none: an older Rebound's). */
    private static long delayOf(byte[] value) {
        String v = new String(value, StandardCharsets.UTF_8);
        int ms = v.indexOf("ms");
        try {
            return ms > 0 ? Long.parseLong(v.substring(0, ms)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether Redis answered the last time it was asked. */
    public boolean reachable() {
        return link.reachable();
    }

    private byte[] keyBytes(String key, String kind) {
        return redisKey(key, kind).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        link.close();
    }

    /** {@code redis://host:port/db}: never the password. */
    @Override
    public String toString() {
        return "Redis rate-limit store " + link.where();
    }

    /** Builds {@link RedisRateLimitStore}. */
    public static final class Builder {
        private final String uri;
        private String namespace = "rebound";
        private Duration timeout = Duration.ofMillis(500);
        private Duration retryInterval = Duration.ofSeconds(2);
        private Path trustedCertificates;
        private TimeSource clock = TimeSource.system();

        private Builder(String uri) {
            this.uri = uri;
        }

        /**
         * The first part of every key Rebound writes (default "rebound").
         *
         * @throws NullPointerException if null
         * @throws IllegalArgumentException if blank: {@code namespace = " " is blank}
         */
        public Builder namespace(String namespace) {
            Rules.require(Rules.notBlank("namespace", Objects.requireNonNull(namespace, "namespace")));
            this.namespace = namespace;
            return this;
        }

        /**
         * How long a command or connection may take before the call goes on with local limits (default 500 ms).
         *
         * @throws NullPointerException if null
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /**
         * How long to use local limits after Redis failed before asking it again (default 2 s).
         *
         * @throws NullPointerException if null
         * @throws IllegalArgumentException if not positive
         */
        public Builder retryInterval(Duration retryInterval) {
            this.retryInterval = positive("retryInterval", retryInterval);
            return this;
        }

        /** PEM certificates to trust for {@code rediss://} (default: the JVM's trust store). */
        public Builder trustedCertificates(Path pem) {
            this.trustedCertificates = Objects.requireNonNull(pem, "pem");
            return this;
        }

        /** The clock (default the system one); tests pass a virtual one. */
        public Builder timeSource(TimeSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The store, connected; when Redis does not answer, a store that limits per process, says so in
         * one WARN line and reconnects later.
         *
         * @throws IllegalArgumentException if the URI is not a Redis URI (without repeating it)
         */
        public RedisRateLimitStore build() {
            RedisURI parsed;
            try {
                parsed = RedisURI.create(uri);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("RedisRateLimitStore: the connection string is not a "
                        + "redis:// or rediss:// URI (" + e.getClass().getSimpleName() + "; not repeated here, "
                        + "it may carry a password)");
            }
            RedisLink link = new RedisLink(parsed, timeout, retryInterval, trustedCertificates, clock);
            long configuredAt = link.nowNanos(); // before connecting, which may take up to the timeout
            link.connect();
            return new RedisRateLimitStore(link, namespace, configuredAt);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            Rules.require(Rules.positive(name, TimeAmount.of(d)));
            return d;
        }
    }
}

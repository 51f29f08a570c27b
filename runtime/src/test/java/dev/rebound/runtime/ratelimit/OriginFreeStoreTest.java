package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.testing.VirtualTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fleet's limit in Redis, on a virtual clock that every store shares (as the class comment of
 * RedisRateLimitStore asks), and the in-process one, whatever the clock reads, Long.MAX_VALUE passed
 * included: the buckets refill.
 */
class OriginFreeStoreTest {

    static LocalRedis redis;
    static RedisClient raw;
    static StatefulRedisConnection<String, String> rawConnection;

    @BeforeAll
    static void startRedis() {
        redis = LocalRedis.start(null);
        raw = RedisClient.create("redis://127.0.0.1:" + redis.port);
        rawConnection = raw.connect();
    }

    @AfterAll
    static void stopRedis() {
        rawConnection.close();
        raw.shutdown(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        rawConnection.sync().flushall();
    }

    /** 1 request per minute: one request, ten quiet minutes, then one request, which is free. */
    @ParameterizedTest
    @ValueSource(longs = {1_000_000_000L, 0L, -5_000_000_000L, Long.MIN_VALUE + 1_000_000_000L, Long.MAX_VALUE - 300_000_000_000L})
    void aFleetLimitIsFullAgainAfterTenQuietMinutesWhateverTheClockReads(long origin) {
        VirtualTimeSource clock = new VirtualTimeSource(origin);
        try (RedisRateLimitStore store = RedisRateLimitStore.builder("redis://127.0.0.1:" + redis.port)
                .timeSource(clock).timeout(Duration.ofSeconds(10)).build()) {
            RateLimiter limiter = store.limiter("wrap", 1, 0, clock);
            assertThat(limiter.acquire(0, 0)).isZero();
            clock.advance(Duration.ofMinutes(10));
            assertThat(limiter.acquire(0, 0)).as("wait after ten quiet minutes").isZero();
            assertThat(store.reachable()).as("Redis still used").isTrue();
        }
    }

    /** The same, in process. */
    @ParameterizedTest
    @ValueSource(longs = {1_000_000_000L, 0L, -5_000_000_000L, Long.MIN_VALUE + 1_000_000_000L, Long.MAX_VALUE - 300_000_000_000L})
    void anInProcessLimitIsFullAgainAfterTenQuietMinutesWhateverTheClockReads(long origin) {
        VirtualTimeSource clock = new VirtualTimeSource(origin);
        RateLimiter limiter = RateLimitStore.inProcess().limiter("wrap", 1, 0, clock);
        assertThat(limiter.acquire(0, 0)).isZero();
        clock.advance(Duration.ofMinutes(10));
        assertThat(limiter.acquire(0, 0)).as("wait after ten quiet minutes").isZero();
    }
}

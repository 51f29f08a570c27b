package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet's open state of a breaker, with every instance and store on one virtual clock (as
 * RedisRateLimitStore's class comment asks of a test): once that clock is past the breaker's delay,
 * the fleet's breaker is no longer open, whatever Redis's own clock says.
 */
class FleetBreakerClockTest {

    static LocalRedis redis;

    @BeforeAll
    static void start() {
        redis = LocalRedis.start(null);
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        RedisClient raw = RedisClient.create("redis://127.0.0.1:" + redis.port);
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            c.sync().flushall();
        } finally {
            raw.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    final VirtualTimeSource clock = new VirtualTimeSource();

    @Test
    void anOpenStateWhoseDelayHasPassedOnTheClockOpensNoOtherInstance() throws Exception {
        AtomicInteger calledOnB = new AtomicInteger();
        List<ReboundEvent> eventsOfB = new CopyOnWriteArrayList<>();
        try (RedisRateLimitStore storeA = store(); RedisRateLimitStore storeB = store()) {
            Chat a = instance(storeA, new AtomicInteger(), e -> { }, 2);
            Chat b = instance(storeB, calledOnB, eventsOfB::add, 5);
            a.chat("1");
            a.chat("2"); // A opens for 5 s and says so in Redis

            clock.advance(Duration.ofSeconds(60)); // a minute later, on every instance's clock

            b.chat("1");
            b.chat("2");
            assertThat(calledOnB).as("B's calls reaching the target").hasValue(2);
            assertThat(eventsOfB).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).isEmpty();
        }
    }

    private RedisRateLimitStore store() {
        return RedisRateLimitStore.builder("redis://127.0.0.1:" + redis.port).timeSource(clock)
                .timeout(Duration.ofSeconds(10)).build();
    }

    private Chat instance(RedisRateLimitStore store, AtomicInteger called, dev.rebound.runtime.ReboundListener l,
            int window) {
        Chat dead = p -> {
            called.incrementAndGet();
            throw new IOException("503");
        };
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false).listener(l)
                .rateLimitStore(store).build();
        return Rebound.wrap(Chat.class, dead).named("dead")
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(window).failureRatio(1.0)
                        .delay(Duration.ofSeconds(5)).build())
                .withFallbacks(p -> "backup").settings(settings).build();
    }
}

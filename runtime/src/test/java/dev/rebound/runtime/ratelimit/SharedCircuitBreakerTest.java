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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dead primary opens the fleet's breaker once: two instances (each its own settings and Redis store,
 * one real redis-server, one virtual clock); the second opens its breaker at its first failure because
 * the first's is open, instead of collecting its own evidence.
 */
class SharedCircuitBreakerTest {

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
            c.sync().flushall(); // each test starts with no breaker open in the fleet
        } finally {
            raw.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    final VirtualTimeSource clock = new VirtualTimeSource();

    @Test
    void theSecondInstanceOpensAtItsFirstFailureWhenTheFleetsBreakerIsOpen() throws Exception {
        AtomicInteger calledOnA = new AtomicInteger();
        AtomicInteger calledOnB = new AtomicInteger();
        List<ReboundEvent> eventsOfB = new CopyOnWriteArrayList<>();
        try (RedisRateLimitStore storeA = store(); RedisRateLimitStore storeB = store()) {
            Chat a = instance(storeA, calledOnA, e -> { });
            Chat b = instance(storeB, calledOnB, eventsOfB::add);
            a.chat("1");
            a.chat("2"); // the window of 2 is full of failures: A opens, and says so in Redis
            a.chat("3");
            assertThat(calledOnA).hasValue(2);

            assertThat(b.chat("1")).isEqualTo("backup");
            assertThat(b.chat("2")).isEqualTo("backup");
            assertThat(calledOnB).hasValue(1); // one failure, then open: no evidence of its own needed
            assertThat(eventsOfB).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).singleElement().satisfies(e -> {
                assertThat(e.reason()).isEqualTo("fleet");
                assertThat(e.waitTime()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5));
            });
        }
        RedisClient raw = RedisClient.create("redis://127.0.0.1:" + redis.port);
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            assertThat(c.sync().keys("*")).containsExactly("rebound:breaker:Chat.chat(String)/dead:open");
        } finally {
            raw.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    public interface AsyncChat {
        CompletableFuture<String> chat(String prompt);
    }

    @Test
    void anAsyncMethodsBreakerOpensAtItsFirstFailureWhenTheFleetsBreakerIsOpenAsASynchronousOneDoes()
            throws Exception {
        AtomicInteger calledOnA = new AtomicInteger();
        AtomicInteger calledOnB = new AtomicInteger();
        List<ReboundEvent> eventsOfA = new CopyOnWriteArrayList<>();
        List<ReboundEvent> eventsOfB = new CopyOnWriteArrayList<>();
        try (RedisRateLimitStore storeA = store(); RedisRateLimitStore storeB = store()) {
            AsyncChat a = asyncInstance(storeA, calledOnA, eventsOfA::add);
            AsyncChat b = asyncInstance(storeB, calledOnB, eventsOfB::add);
            a.chat("1").get(10, TimeUnit.SECONDS);
            a.chat("2").get(10, TimeUnit.SECONDS); // the window of 2 is full of failures: A opens, and says so
            assertThat(eventsOfA).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).hasSize(1);

            assertThat(b.chat("1").get(10, TimeUnit.SECONDS)).isEqualTo("backup");
            assertThat(b.chat("2").get(10, TimeUnit.SECONDS)).isEqualTo("backup");
            assertThat(calledOnB).hasValue(1); // at its first counted failure B asks Redis and opens
            assertThat(eventsOfB).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).extracting(ReboundEvent::reason)
                    .containsExactly("fleet");
        }
        RedisClient raw = RedisClient.create("redis://127.0.0.1:" + redis.port);
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            assertThat(c.sync().keys("*")).containsExactly("rebound:breaker:AsyncChat.chat(String)/dead:open");
        } finally {
            raw.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    private AsyncChat asyncInstance(RedisRateLimitStore store, AtomicInteger called,
            dev.rebound.runtime.ReboundListener l) {
        AsyncChat dead = p -> {
            called.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("503"));
        };
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false).listener(l)
                .rateLimitStore(store).build();
        return Rebound.wrap(AsyncChat.class, dead).named("dead")
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(5)).build())
                .withFallbacks(p -> CompletableFuture.completedFuture("backup")).settings(settings).build();
    }

    /**
     * Every instance and store on one virtual clock (as RedisRateLimitStore's class comment asks of a
     * test): once that clock is past the breaker's delay, the fleet's breaker is no longer open, whatever
     * Redis's own clock says.
     */
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

    private Chat instance(RedisRateLimitStore store, AtomicInteger called, dev.rebound.runtime.ReboundListener l) {
        return instance(store, called, l, 2);
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

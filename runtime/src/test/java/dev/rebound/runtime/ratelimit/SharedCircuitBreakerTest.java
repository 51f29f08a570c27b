package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /**
     * The test's own look at Redis, one client for the class: a client made and shut down per test once
     * hung the build for good in Lettuce's {@code shutdown}, its future never completed with no event loop
     * left (the store under test is not involved).
     */
    static RedisClient raw;
    static StatefulRedisConnection<String, String> rawConnection;

    @BeforeAll
    static void start() {
        redis = LocalRedis.start(null);
        raw = RedisClient.create("redis://127.0.0.1:" + redis.port);
        rawConnection = raw.connect();
    }

    @AfterAll
    static void stop() {
        rawConnection.close();
        raw.shutdown(0, 1, TimeUnit.SECONDS);
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        rawConnection.sync().flushall(); // each test starts with no breaker open in the fleet
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
        assertThat(rawConnection.sync().keys("*")).containsExactly("rebound:breaker:dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Chat.chat(java.lang.String)/dead:open");
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
        assertThat(rawConnection.sync().keys("*")).containsExactly("rebound:breaker:dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$AsyncChat.chat(java.lang.String)/dead:open");
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

    public static final class Billing {
        public interface Client {
            String send(String request) throws IOException;
        }

        public static final class Impl implements Client {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public String send(String request) throws IOException {
                calls.incrementAndGet();
                throw new IOException("billing down");
            }
        }
    }

    public static final class Mail {
        public interface Client {
            String send(String request) throws IOException;
        }

        public static final class Impl implements Client {
            final AtomicInteger calls = new AtomicInteger();

            @Override
            public String send(String request) throws IOException {
                calls.incrementAndGet();
                throw new IOException("mail down");
            }
        }
    }

    /**
     * Two unrelated interfaces and classes that share simple names (Billing.Client/Impl, Mail.Client/Impl),
     * each wrapped without a name on its own instance of the fleet: the fleet names a breaker by fully
     * qualified method and target class, so billing's opening leaves mail's breaker to its own evidence.
     */
    @Test
    void unrelatedInterfacesWithTheSameSimpleNamesDoNotShareAFleetBreaker() throws Exception {
        Billing.Impl billingTarget = new Billing.Impl();
        Mail.Impl mailTarget = new Mail.Impl();
        List<ReboundEvent> mailEvents = new CopyOnWriteArrayList<>();
        try (RedisRateLimitStore storeA = store(); RedisRateLimitStore storeB = store()) {
            Billing.Client billing = Rebound.wrap(Billing.Client.class, billingTarget).withCircuitBreaker(window(2))
                    .withFallbacks(r -> "queued").settings(ReboundSettings.builder().timeSource(clock).logging(false)
                            .rateLimitStore(storeA).build()).build();
            Mail.Client mail = Rebound.wrap(Mail.Client.class, mailTarget).withCircuitBreaker(window(2))
                    .withFallbacks(r -> "queued").settings(ReboundSettings.builder().timeSource(clock).logging(false)
                            .listener(mailEvents::add).rateLimitStore(storeB).build()).build();
            billing.send("1");
            billing.send("2"); // billing's window is full of failures: it opens, and says so in Redis

            mail.send("1");
            mail.send("2");
            assertThat(mailTarget.calls).as("mail's calls reaching its target").hasValue(2);
            assertThat(mailEvents).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).extracting(ReboundEvent::reason)
                    .containsExactly("failure-ratio");
        }
        assertThat(rawConnection.sync().keys("*")).containsExactlyInAnyOrder(
                "rebound:breaker:dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Billing$Client.send(java.lang.String)/dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Billing$Impl:open",
                "rebound:breaker:dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Mail$Client.send(java.lang.String)/dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Mail$Impl:open");
    }

    public interface Completion {
        String complete(String prompt) throws IOException;
    }

    /** One HTTP client class, two endpoints (two providers): two wrappers of one class. */
    public static final class HttpCompletion implements Completion {
        final String endpoint;
        final AtomicInteger calls = new AtomicInteger();

        HttpCompletion(String endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public String complete(String prompt) throws IOException {
            calls.incrementAndGet();
            throw new IOException("503 from " + endpoint);
        }
    }

    /**
     * Two wrappers of one class on one shared store keep their own breakers when named apart; built
     * without names they would share one open state in the fleet (its name holds no object identity, so
     * that every instance names a breaker alike), which the second such wrapper's build warns about,
     * once per fleet name, whatever the number of wrappers; lambdas of one outer class alike.
     */
    @Test
    void twoWrappersOfOneClassOnASharedStoreKeepTheirOwnBreakerWhenNamedAndAreWarnedOnceWhenNot()
            throws Exception {
        HttpCompletion openaiTarget = new HttpCompletion("openai");
        HttpCompletion anthropicTarget = new HttpCompletion("anthropic");
        String logged;
        try (RedisRateLimitStore store = store()) {
            ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                    .rateLimitStore(store).build();
            String warnings;
            try (StdStreams captured = new StdStreams()) {
                Completion openai = Rebound.wrap(Completion.class, openaiTarget).named("openai")
                        .withCircuitBreaker(window(2)).withFallbacks(p -> "backup").settings(settings).build();
                Completion anthropic = Rebound.wrap(Completion.class, anthropicTarget).named("anthropic")
                        .withCircuitBreaker(window(2)).withFallbacks(p -> "backup").settings(settings).build();
                warnings = captured.text();

                openai.complete("1");
                openai.complete("2"); // openai's window is full of failures: it opens
                anthropic.complete("1");
                anthropic.complete("2");
                anthropic.complete("3");
            }
            assertThat(warnings).as("named wrappers").doesNotContain("fleet-wide");
            assertThat(anthropicTarget.calls).as("anthropic's calls: its own window of 2 fills before it opens")
                    .hasValue(2);

            List<Completion> live = new ArrayList<>(); // a dropped wrapper shares nothing: these are all in use
            try (StdStreams captured = new StdStreams()) {
                for (int i = 0; i < 3; i++) {
                    live.add(Rebound.wrap(Completion.class, new HttpCompletion("unnamed " + i))
                            .withCircuitBreaker(window(2)).withFallbacks(p -> "backup").settings(settings).build());
                }
                Completion first = p -> "one";
                Completion second = p -> "two";
                live.add(Rebound.wrap(Completion.class, first).withCircuitBreaker(window(2)).settings(settings).build());
                live.add(Rebound.wrap(Completion.class, second).withCircuitBreaker(window(2)).settings(settings).build());
                logged = captured.text();
            }
            assertThat(live).hasSize(5);
        }
        String method = "dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Completion.complete(java.lang.String)";
        assertThat(logged.lines().filter(l -> l.contains("fleet-wide"))).containsExactly(
                "[main] WARN dev.rebound - Rebound.wrap(Completion): another wrapper built without a name shares the"
                        + " fleet-wide circuit breaker of " + method + " on dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$HttpCompletion with this"
                        + " one: an opening of either opens both, on every instance that shares the store; give each"
                        + " wrapper its own name with Rebound.wrap(...).named(...)",
                "[main] WARN dev.rebound - Rebound.wrap(Completion): another wrapper built without a name shares the"
                        + " fleet-wide circuit breaker of " + method + " on dev.rebound.runtime.ratelimit."
                        + "SharedCircuitBreakerTest$$Lambda with this one: an opening of either opens both, on every"
                        + " instance that shares the store; give each wrapper its own name with"
                        + " Rebound.wrap(...).named(...)");
    }

    /** A store of a fleet of its own: shares no breaker with another instance of this class. */
    static final class OwnFleet implements RateLimitStore, SharedCircuitState {
        @Override
        public RateLimiter limiter(String key, long rpm, long tpm, TimeSource clock) {
            return RateLimitStore.inProcess().limiter(key, rpm, tpm, clock);
        }

        @Override
        public void close() {
        }

        @Override
        public void opened(String breaker, long openNanos) {
        }

        @Override
        public long openRemainingNanos(String breaker) {
            return 0L;
        }
    }

    /** Two unnamed wrappers of one class on two stores that share nothing share no breaker: nothing to say. */
    @Test
    void unnamedWrappersOnTwoUnrelatedFleetStoresAreNotSaidToShareABreaker() throws Exception {
        ReboundSettings a = ReboundSettings.builder().timeSource(clock).logging(false).rateLimitStore(new OwnFleet())
                .build();
        ReboundSettings b = ReboundSettings.builder().timeSource(clock).logging(false).rateLimitStore(new OwnFleet())
                .build();
        List<Completion> live = new ArrayList<>();
        String logged;
        try (StdStreams captured = new StdStreams()) {
            live.add(Rebound.wrap(Completion.class, new HttpCompletion("a")).withCircuitBreaker(window(2))
                    .settings(a).build());
            live.add(Rebound.wrap(Completion.class, new HttpCompletion("b")).withCircuitBreaker(window(2))
                    .settings(b).build());
            logged = captured.text();
        }
        assertThat(live).hasSize(2);
        assertThat(logged.lines().filter(l -> l.contains("fleet-wide"))).isEmpty();
    }

    /**
     * Unnamed wrappers built without settings read the global settings live: whatever store those had when
     * each was built, they share the breaker of the store the global settings have now. Said when the second
     * is built on a sharing store, and when setGlobal brings one to two that were built before it.
     */
    @Test
    void unnamedWrappersOnTheGlobalSettingsAreSaidToShareABreakerOnTheStoreTheGlobalSettingsBring() {
        ReboundSettings saved = ReboundSettings.global();
        List<Completion> live = new ArrayList<>();
        try {
            String builtOnTwoStores;
            try (StdStreams captured = new StdStreams()) {
                ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false)
                        .rateLimitStore(new OwnFleet()).build());
                live.add(Rebound.wrap(Completion.class, new HttpCompletion("a")).withCircuitBreaker(window(2)).build());
                ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false)
                        .rateLimitStore(new OwnFleet()).build());
                live.add(Rebound.wrap(Completion.class, new HttpCompletion("b")).withCircuitBreaker(window(2)).build());
                builtOnTwoStores = captured.text();
            }
            String broughtLater;
            try (StdStreams captured = new StdStreams()) {
                ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false).build());
                live.add(Rebound.wrap(Completion.class, (Completion) p -> "one").withCircuitBreaker(window(2)).build());
                live.add(Rebound.wrap(Completion.class, (Completion) p -> "two").withCircuitBreaker(window(2)).build());
                ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false)
                        .rateLimitStore(new OwnFleet()).build());
                broughtLater = captured.text();
            }
            String method = "dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Completion.complete(java.lang.String)";
            assertThat(builtOnTwoStores.lines().filter(l -> l.contains("fleet-wide"))).containsExactly(
                    "[main] WARN dev.rebound - Rebound.wrap(Completion): another wrapper built without a name shares the"
                            + " fleet-wide circuit breaker of " + method + " on dev.rebound.runtime.ratelimit."
                            + "SharedCircuitBreakerTest$HttpCompletion with this one: an opening of either opens both,"
                            + " on every instance that shares the store; give each wrapper its own name with"
                            + " Rebound.wrap(...).named(...)");
            // the two lambdas, and the two wrappers of HttpCompletion above, both still in use, on this new store
            assertThat(broughtLater.lines().filter(l -> l.contains("fleet-wide")).map(l -> l.substring(0,
                    l.indexOf(" with this one")))).containsExactlyInAnyOrder(
                    "[main] WARN dev.rebound - ReboundSettings.setGlobal: another wrapper built without a name shares"
                            + " the fleet-wide circuit breaker of " + method
                            + " on dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$$Lambda",
                    "[main] WARN dev.rebound - ReboundSettings.setGlobal: another wrapper built without a name shares"
                            + " the fleet-wide circuit breaker of " + method
                            + " on dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$HttpCompletion");
            assertThat(live).hasSize(4);
        } finally {
            ReboundSettings.setGlobal(saved);
        }
    }

    /** A class of its own, so that no other test's wrappers (in use until the next GC) share its breakers. */
    public static final class OtherEndpoint implements Completion {
        @Override
        public String complete(String prompt) throws IOException {
            throw new IOException("503");
        }
    }

    /** One unnamed wrapper on the global settings and one given them share their store's breaker: said once. */
    @Test
    void anUnnamedWrapperOnTheGlobalSettingsAndOneGivenTheirStoreAreSaidToShareABreaker() {
        ReboundSettings saved = ReboundSettings.global();
        List<Completion> live = new ArrayList<>();
        try {
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false)
                    .rateLimitStore(new OwnFleet()).build());
            String logged;
            try (StdStreams captured = new StdStreams()) {
                live.add(Rebound.wrap(Completion.class, new OtherEndpoint()).withCircuitBreaker(window(2)).build());
                live.add(Rebound.wrap(Completion.class, new OtherEndpoint()).withCircuitBreaker(window(2))
                        .settings(ReboundSettings.global()).build());
                logged = captured.text();
            }
            assertThat(logged.lines().filter(l -> l.contains("fleet-wide"))).singleElement().satisfies(l ->
                    assertThat(l).contains("Rebound.wrap(Completion): another wrapper built without a name shares the"
                            + " fleet-wide circuit breaker of dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest"
                            + "$Completion.complete(java.lang.String) on dev.rebound.runtime.ratelimit."
                            + "SharedCircuitBreakerTest$OtherEndpoint"));
            assertThat(live).hasSize(2);
        } finally {
            ReboundSettings.setGlobal(saved);
        }
    }

    /**
     * policies.md: a request that hung through an outage and fails after a probe closed the breaker again
     * does not reopen it; rate-limits.md: a closed breaker asks the fleet only after a failure it counts.
     * Here another instance's breaker of the same name is open when the late failure comes: it is not
     * recorded, so it asks nothing, and B stays closed.
     */
    @Test
    void theLateFailureOfAnAttemptAdmittedBeforeTheOpeningDoesNotReopenTheBreakerThroughTheFleet()
            throws Exception {
        AtomicInteger calledOnB = new AtomicInteger();
        AtomicBoolean healthy = new AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<ReboundEvent> eventsOfB = new CopyOnWriteArrayList<>();
        Chat targetB = p -> {
            calledOnB.incrementAndGet();
            if (p.equals("hung")) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("late 503");
            }
            if (healthy.get()) {
                return "ok";
            }
            throw new IOException("503");
        };
        try (RedisRateLimitStore storeA = store(); RedisRateLimitStore storeB = store()) {
            Chat b = Rebound.wrap(Chat.class, targetB).named("model").withCircuitBreaker(window(2))
                    .withFallbacks(p -> "backup").settings(ReboundSettings.builder().timeSource(clock)
                            .logging(false).listener(eventsOfB::add).rateLimitStore(storeB).build()).build();
            Chat a = instance(storeA, new AtomicInteger(), e -> { }, 2, "model");

            CompletableFuture<String> hung = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.chat("hung");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            b.chat("x");
            b.chat("y"); // B opens
            clock.advance(Duration.ofSeconds(5));
            healthy.set(true);
            assertThat(b.chat("probe")).isEqualTo("ok"); // the probe closes B again

            a.chat("1");
            a.chat("2"); // meanwhile A, elsewhere in the fleet, opens for 5 s

            release.countDown(); // the request that hung through B's outage fails now
            assertThat(hung.get(10, TimeUnit.SECONDS)).isEqualTo("backup");

            assertThat(eventsOfB).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).extracting(ReboundEvent::reason)
                    .as("B's openings").containsExactly("failure-ratio");
            int before = calledOnB.get();
            assertThat(b.chat("after")).isEqualTo("ok");
            assertThat(calledOnB.get() - before).as("B's next call reaches its (healthy) target").isEqualTo(1);
        }
    }

    /**
     * Two instances whose breakers have other delays (a rolling redeploy from 60 s to 5 s): B, at its first
     * failure, opens for the fleet's time left, 60 s past its own 5 s (the longest open state wins), and is
     * told so in one WARN naming both delays, as an instance whose rate limit differs is.
     */
    @Test
    void anInstanceWhoseBreakerDelayDiffersFromTheFleetsIsToldNamingBothDelays() throws Exception {
        List<ReboundEvent> eventsOfB = new CopyOnWriteArrayList<>();
        AtomicInteger calledOnB = new AtomicInteger();
        String logged;
        try (RedisRateLimitStore storeA = store(); RedisRateLimitStore storeB = store();
                StdStreams captured = new StdStreams()) {
            Chat a = instance(storeA, new AtomicInteger(), e -> { }, 2, "dead", Duration.ofSeconds(60));
            Chat b = instance(storeB, calledOnB, eventsOfB::add, 2, "dead", Duration.ofSeconds(5));
            a.chat("1");
            a.chat("2"); // A's window of 2 is full of failures: A opens for its 60 s, and says so in Redis
            b.chat("1"); // B's first failure: B asks the fleet
            b.chat("2");
            clock.advance(Duration.ofSeconds(30));
            b.chat("3"); // past B's own delay, within the fleet's
            assertThat(calledOnB).as("B's calls reaching its target").hasValue(1);
            logged = captured.text();
        }
        assertThat(eventsOfB).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("fleet");
            assertThat(e.waitTime()).isEqualTo(Duration.ofSeconds(60));
        });
        assertThat(RedisRateLimitStoreTest.reboundLines(logged)).filteredOn(l -> l.contains("circuit breaker"))
                .containsExactly("WARN dev.rebound - Rebound circuit breaker \"dev.rebound.runtime.ratelimit."
                        + "SharedCircuitBreakerTest$Chat.chat(java.lang.String)/dead\": the fleet's open state was set"
                        + " with delay = 60000 ms, not this instance's 5000 ms; the fleet's open state wins: this breaker"
                        + " opens for the 60000 ms it has left: give every instance the same delay");
    }

    /** One backend of a client class with its own breaker: 2 calls, all failed, open for 60 s; never woven. */
    public static final class Backend implements Chat {
        final String name;
        final List<Integer> failingCalls;
        final AtomicInteger calls = new AtomicInteger();

        Backend(String name, List<Integer> failingCalls) {
            this.name = name;
            this.failingCalls = failingCalls;
        }

        @Override
        @dev.rebound.annotations.CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = 60_000)
        public String chat(String prompt) throws IOException {
            if (failingCalls.contains(calls.incrementAndGet())) {
                throw new IOException(name + " down");
            }
            return name;
        }
    }

    private static final String BACKEND = "dev.rebound.runtime.ratelimit.SharedCircuitBreakerTest$Backend";

    /**
     * Two backends of one client class given to {@code withFallbacks}, each with a breaker from its class's
     * own {@code @CircuitBreaker}: in the fleet each is named by its class and its position in the list, as
     * in-process each has its own breaker. The dead one's opening leaves the healthy one's breaker to its
     * own evidence (1 failure of 2, below the ratio): the third call is still answered by it.
     */
    @Test
    void twoAlternativesOfOneClassGivenToWithFallbacksKeepABreakerEachInTheFleet() throws Exception {
        List<String> answers = new CopyOnWriteArrayList<>();
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        Backend dead = new Backend("dead", List.of(1, 2, 3, 4, 5));
        Backend healthy = new Backend("healthy", List.of(2)); // one transient failure in a window of 2
        Throwable second;
        try (RedisRateLimitStore store = store()) {
            Chat chat = Rebound.wrap(Chat.class, (Chat) p -> {
                throw new IOException("primary down");
            }).withFallbacks(dead, healthy).settings(ReboundSettings.builder().timeSource(clock).logging(false)
                    .listener(events::add).rateLimitStore(store).build()).build();
            answers.add(chat.chat("1")); // dead fails (1 of 2), healthy answers
            second = org.assertj.core.api.Assertions.catchThrowable(() -> chat.chat("2")); // dead opens
            answers.add(chat.chat("3")); // dead is open: refused, not called; healthy, closed, answers
        }
        assertThat(answers).containsExactly("healthy", "healthy");
        assertThat(second).isInstanceOf(IOException.class).hasMessage("primary down");
        assertThat(dead.calls).hasValue(2);
        assertThat(healthy.calls).hasValue(3);
        assertThat(events).filteredOn(e -> e.kind() == Kind.CIRCUIT_OPENED)
                .extracting(ReboundEvent::target, ReboundEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Backend#1", "failure-ratio"));
        assertThat(events).filteredOn(e -> e.kind() == Kind.FALLBACK).extracting(ReboundEvent::alternative)
                .containsExactly("Backend#1", "Backend#2", "Backend#1", "Backend#2", "Backend#1", "Backend#2");
        assertThat(rawConnection.sync().keys("*")).containsExactly("rebound:breaker:dev.rebound.runtime.ratelimit."
                + "SharedCircuitBreakerTest$Chat.chat(java.lang.String)/" + BACKEND + "#1:open");
    }

    /**
     * The primary and its alternative of one class (the same client class on two endpoints): the wrapper's
     * breaker, named in the fleet by the target's class, and the alternative's own, by its class and position,
     * are two. The primary's opening leaves the backup's breaker to its own evidence.
     */
    @Test
    void anAlternativeOfThePrimarysClassKeepsItsOwnBreakerInTheFleet() throws Exception {
        Backend primary = new Backend("primary", List.of(1, 2, 3, 4, 5));
        Backend backup = new Backend("backup", List.of(2)); // one transient failure in a window of 2
        List<String> answers = new ArrayList<>();
        try (RedisRateLimitStore store = store()) {
            Chat chat = Rebound.wrap(Chat.class, (Chat) primary).withCircuitBreaker(window(2))
                    .withFallbacks(backup).settings(ReboundSettings.builder().timeSource(clock).logging(false)
                            .rateLimitStore(store).build()).build();
            answers.add(chat.chat("1")); // the primary fails (1 of 2), the backup answers
            org.assertj.core.api.Assertions.catchThrowable(() -> chat.chat("2")); // the primary opens
            answers.add(chat.chat("3")); // the primary is open: the backup, closed, answers
        }
        assertThat(answers).containsExactly("backup", "backup");
        assertThat(primary.calls).hasValue(2);
        assertThat(backup.calls).hasValue(3);
        assertThat(rawConnection.sync().keys("*")).containsExactly("rebound:breaker:dev.rebound.runtime.ratelimit."
                + "SharedCircuitBreakerTest$Chat.chat(java.lang.String)/" + BACKEND + ":open");
    }

    private static CircuitBreakerPolicy window(int attempts) {
        return window(attempts, Duration.ofSeconds(5));
    }

    private static CircuitBreakerPolicy window(int attempts, Duration delay) {
        return CircuitBreakerPolicy.builder().requestVolumeThreshold(attempts).failureRatio(1.0).delay(delay).build();
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
        return instance(store, called, l, window, "dead");
    }

    private Chat instance(RedisRateLimitStore store, AtomicInteger called, dev.rebound.runtime.ReboundListener l,
            int window, String name) {
        return instance(store, called, l, window, name, Duration.ofSeconds(5));
    }

    private Chat instance(RedisRateLimitStore store, AtomicInteger called, dev.rebound.runtime.ReboundListener l,
            int window, String name, Duration delay) {
        Chat dead = p -> {
            called.incrementAndGet();
            throw new IOException("503");
        };
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false).listener(l)
                .rateLimitStore(store).build();
        return Rebound.wrap(Chat.class, dead).named(name).withCircuitBreaker(window(window, delay))
                .withFallbacks(p -> "backup").settings(settings).build();
    }
}

package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.rebound.annotations.RateLimit;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.langchain4j.LoopbackModels;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.DisconnectedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One limit for a fleet, against a real redis-server this class starts on 127.0.0.1 (and stops):
 * two stores play two instances; the clock is virtual and shared, so every wait is exact.
 */
class RedisRateLimitStoreTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    static final ModelServer server = models.server();

    static final long SECOND = 1_000_000_000L;
    static LocalRedis redis;
    static RedisClient raw;
    static StatefulRedisConnection<String, String> rawConnection;

    final VirtualTimeSource clock = new VirtualTimeSource();

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
        rawConnection.sync().flushall(); // each test starts with an empty server
    }

    RedisRateLimitStore store() {
        // a generous timeout: a loaded CI machine must not turn a slow first connection into a failover
        return RedisRateLimitStore.builder("redis://127.0.0.1:" + redis.port).timeSource(clock)
                .timeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void twoInstancesDrawOnOneLimit() {
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store()) {
            RateLimiter first = a.limiter("openai", 10, 0, clock);
            RateLimiter second = b.limiter("openai", 10, 0, clock);
            for (int i = 0; i < 5; i++) {
                assertThat(first.acquire(0, 0)).isZero();
                assertThat(second.acquire(0, 0)).isZero();
            }
            assertThat(first.acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
            // refusals take nothing, whatever wait they were allowed
            assertThat(first.acquire(0, 5 * SECOND)).isEqualTo(RateLimiter.REFUSED);
            assertThat(second.acquire(0, 5 * SECOND)).isEqualTo(RateLimiter.REFUSED);
            assertThat(second.acquire(0, 60 * SECOND)).isEqualTo(6 * SECOND);
            assertThat(first.acquire(0, 60 * SECOND)).isEqualTo(12 * SECOND);
        }
    }

    @Test
    void tokensAreSharedAndReconciledThroughRedis() {
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store()) {
            RateLimiter first = a.limiter("openai", 100, 1000, clock);
            RateLimiter second = b.limiter("openai", 100, 1000, clock);
            assertThat(first.acquire(800, 0)).isZero();
            assertThat(second.acquire(400, 0)).isEqualTo(RateLimiter.REFUSED);
            first.adjustTokens(-300); // used 500
            assertThat(second.acquire(400, 0)).isZero();
            second.correct(new RateLimitHeaders(RateLimitHeaders.UNKNOWN, 0, RateLimitHeaders.UNKNOWN, 120 * SECOND));
            // none left, for both instances: the next token as the refill brings it, 60 ms at 1000 a minute
            assertThat(first.wouldWait(1)).isEqualTo(60 * SECOND / 1000);
        }
    }

    /**
     * Four instances, two threads each, receive at the same moment the provider's one count for the key, 40
     * of 100 left: the fleet's bucket holds 40, not 40 less the difference once per correction. Ten rounds.
     */
    @Test
    void correctionsArrivingTogetherLowerTheFleetsBucketToTheProvidersCountNotBelow() throws Exception {
        RateLimitHeaders fortyLeft = new RateLimitHeaders(40, RateLimitHeaders.UNKNOWN, RateLimitHeaders.UNKNOWN,
                RateLimitHeaders.UNKNOWN);
        long fewest = Long.MAX_VALUE;
        long longestWait = 0;
        for (int round = 0; round < 10; round++) {
            List<RedisRateLimitStore> stores = new ArrayList<>();
            try {
                List<RateLimiter> fleet = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    stores.add(store());
                    fleet.add(stores.get(i).limiter("corrected-" + round, 100, 0, clock));
                }
                assertThat(fleet.get(0).acquire(0, 0)).isZero(); // makes the bucket
                fleet.get(0).release(0); // 100 left, as the provider's window began
                together(8, t -> () -> {
                    fleet.get(t % 4).correct(fortyLeft);
                    return null;
                });
                longestWait = Math.max(longestWait, fleet.get(0).wouldWait(0));
                long admitted = 0;
                while (admitted < 100 && fleet.get(0).acquire(0, 0) == 0) {
                    admitted++;
                }
                fewest = Math.min(fewest, admitted);
            } finally {
                stores.forEach(RedisRateLimitStore::close);
            }
        }
        assertThat(longestWait).as("wait, in ns, for the fleet's next request after the provider said 40 are left"
                + " (longest of 10 rounds)").isZero();
        assertThat(fewest).as("requests the fleet may still send after the provider said 40 are left (fewest of 10"
                + " rounds)").isEqualTo(40);
    }

    /** The same eight corrections one after another: the bucket holds 40 (the control for the test above). */
    @Test
    void correctionsOneAfterAnotherLowerTheFleetsBucketToTheProvidersCount() {
        List<RedisRateLimitStore> stores = new ArrayList<>();
        try {
            List<RateLimiter> fleet = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                stores.add(store());
                fleet.add(stores.get(i).limiter("corrected", 100, 0, clock));
            }
            RateLimitHeaders fortyLeft = new RateLimitHeaders(40, RateLimitHeaders.UNKNOWN,
                    RateLimitHeaders.UNKNOWN, RateLimitHeaders.UNKNOWN);
            for (int t = 0; t < 8; t++) {
                fleet.get(t % 4).correct(fortyLeft);
            }
            long admitted = 0;
            while (admitted < 100 && fleet.get(0).acquire(0, 0) == 0) {
                admitted++;
            }
            assertThat(admitted).isEqualTo(40);
        } finally {
            stores.forEach(RedisRateLimitStore::close);
        }
    }

    /** What the wrapper sees: langchain4j's ChatModel, called with a ChatRequest. */
    public interface Model {
        ChatResponse chat(ChatRequest request);
    }

    /**
     * Four instances (own settings, store and wrapper) call the model server through langchain4j's real HTTP
     * client and {@code RetryAfterHttpClientBuilder}. The provider allows 100 a minute, the fleet's limit says
     * 1,000 (another user of the organisation's key): its headers lower the fleet's bucket to what it says is
     * left. 40 calls in rounds of eight at once (each round's answers held by the server and released
     * together), then 20 one at a time: the provider has 40 left after them and says so in every answer, so
     * every call reaches it.
     */
    @Test
    void answersArrivingTogetherLowerTheFleetsLimitToWhatTheProviderSaysIsLeftNotBelow() throws Exception {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        int sent = sixtyCallsOverHttp(8, events);
        assertThat(server.rateLimited("gpt-4o")).as("429s from the provider").isZero();
        assertThat(sent).as("of 60 calls, those the fleet sent to the provider (which allows 100 a minute);"
                + " refused by the fleet's limit: %s", events.stream().filter(e -> e.kind() == Kind.RATE_LIMIT_REFUSED)
                .count()).isEqualTo(60);
    }

    /** The same 60 calls one at a time (the control for the test above). */
    @Test
    void answersOneAfterAnotherLowerTheFleetsLimitToWhatTheProviderSaysIsLeft() throws Exception {
        assertThat(sixtyCallsOverHttp(1, new CopyOnWriteArrayList<>())).isEqualTo(60);
    }

    /**
     * The fleet reads a reset without its count as one instance does (rate-limits.md, Settle): an answer to
     * one instance whose only rate-limit header is {@code x-ratelimit-reset-requests: 1m0s} spends the fleet's
     * 2-a-minute limit on Redis, so the other instance's next call (maxDelay 0) goes to its fallback.
     */
    @Test
    void anAnswerGivingOnlyAResetLowersTheFleetsLimit() {
        server.reset();
        server.script("gpt-4o", Fault.answer().withHeader("x-ratelimit-reset-requests", "1m0s"));
        RateLimitPolicy policy = RateLimitPolicy.builder().key("org-key").requestsPerMinute(2)
                .maxDelay(Duration.ZERO).build();
        ChatResponse backup = ChatResponse.builder().aiMessage(AiMessage.from("backup")).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hello")).build();
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store()) {
            List<Model> fleet = new ArrayList<>();
            for (RedisRateLimitStore instance : List.of(a, b)) {
                ChatModel gpt4o = LoopbackModels.openAi(server, "gpt-4o");
                fleet.add(Rebound.wrap(Model.class, (Model) gpt4o::chat).withRateLimit(policy)
                        .withFallbacks((Model) r -> backup)
                        .settings(ReboundSettings.builder().timeSource(clock).logging(false)
                                .rateLimitStore(instance).build())
                        .build());
            }
            fleet.get(0).chat(request);
            ChatResponse second = fleet.get(1).chat(request);

            assertThat(server.requests("gpt-4o")).as("requests the fleet's spent limit let through").isEqualTo(1);
            assertThat(second).isSameAs(backup);
            assertThat(List.of(a, b)).as("on Redis throughout").allMatch(RedisRateLimitStore::reachable);
        }
    }

    /** 40 calls in rounds of {@code threads} at once across four instances, then 20 one at a time. */
    private int sixtyCallsOverHttp(int threads, List<ReboundEvent> events) throws Exception {
        server.reset();
        server.limitRequestsPerMinute("gpt-4o", 100);
        List<RedisRateLimitStore> stores = new ArrayList<>();
        List<Model> fleet = new ArrayList<>();
        RateLimitPolicy policy = RateLimitPolicy.builder().key("org-key").requestsPerMinute(1000)
                .maxDelay(Duration.ofSeconds(1)).build();
        ChatResponse backup = ChatResponse.builder().aiMessage(AiMessage.from("backup")).build();
        try {
            for (int i = 0; i < 4; i++) {
                stores.add(store());
                ChatModel gpt4o = LoopbackModels.openAi(server, "gpt-4o");
                fleet.add(Rebound.wrap(Model.class, (Model) gpt4o::chat).withRateLimit(policy)
                        .withFallbacks((Model) r -> backup)
                        .settings(ReboundSettings.builder().timeSource(clock).logging(false).listener(events::add)
                                .rateLimitStore(stores.get(i)).build())
                        .build());
            }
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hello")).build();
            for (int round = 0; round < 40 / threads; round++) {
                int base = round * threads;
                if (threads > 1) { // the round's answers are held, to leave the server together whatever the timing
                    Fault[] held = new Fault[threads];
                    Arrays.fill(held, Fault.stallUntilReleased());
                    server.script("gpt-4o", held);
                }
                CompletableFuture<List<ChatResponse>> answers = CompletableFuture.supplyAsync(() -> {
                    try {
                        return together(threads, t -> () -> fleet.get((base + t) % 4).chat(request));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                if (threads > 1) {
                    if (!server.awaitStalled(threads, Duration.ofSeconds(5))) {
                        server.script("gpt-4o"); // some calls of the round never reached the provider
                    }
                    server.releaseStalls();
                }
                answers.get(60, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 20; i++) {
                fleet.get(i % 4).chat(request);
            }
            assertThat(stores).as("the fleet's limit, shared on Redis throughout").allMatch(RedisRateLimitStore::reachable);
            return server.requests("gpt-4o");
        } finally {
            stores.forEach(RedisRateLimitStore::close);
        }
    }

    /**
     * What the guide says an attempt costs, counted by Redis ({@code INFO commandstats}): per bucket a GET of
     * its state and an EVAL of Bucket4j's compare-and-swap script (whose own GET and PSETEX, the expiry, run
     * inside Redis: one round trip); settling the tokens as much again. Warm key, no contention.
     */
    @Test
    void anAttemptCostsTwoRedisRoundTripsPerBucketAndSettlingItsTokensTwoMore() {
        try (RedisRateLimitStore a = store()) {
            RateLimiter requestsOnly = a.limiter("requests-only", 1000, 0, clock);
            RateLimiter withTokens = a.limiter("with-tokens", 1000, 100_000, clock);
            requestsOnly.acquire(0, 0); // warm: the buckets exist, the limits were compared
            withTokens.acquire(100, 0);
            assertThat(roundTrips(() -> requestsOnly.acquire(0, 0))).as("an attempt without a token limit")
                    .isEqualTo(2);
            assertThat(roundTrips(() -> withTokens.acquire(100, 0))).as("an attempt with a token limit").isEqualTo(4);
            assertThat(roundTrips(() -> withTokens.adjustTokens(-40))).as("settling its tokens").isEqualTo(2);
        }
    }

    /** The commands {@code action} sent to Redis: those run inside a script are Redis's, not round trips. */
    private static long roundTrips(Runnable action) {
        rawConnection.sync().configResetstat();
        action.run();
        String stats = rawConnection.sync().info("commandstats");
        long all = 0;
        long inScripts = 0;
        for (String line : stats.lines().filter(l -> l.startsWith("cmdstat_")).toList()) {
            String command = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = Long.parseLong(line.replaceAll("^[^:]+:calls=(\\d+),.*$", "$1").trim());
            if (command.equals("psetex") || command.equals("config")) {
                continue; // the script's write; the reset above
            }
            all += calls;
            if (command.equals("eval") || command.equals("evalsha")) {
                inScripts += calls; // each script reads the state once more, inside Redis
            }
        }
        return all - inScripts;
    }

    @Test
    void keysAreNamespacedCarryOnlyTheKeyNameAndExpire() {
        try (RedisRateLimitStore a = RedisRateLimitStore.builder("redis://127.0.0.1:" + redis.port)
                .namespace("shop").build()) {
            RateLimiter limiter = a.limiter("openai", 60, 6000, clock);
            limiter.acquire(100, 0);
            List<String> keys = rawConnection.sync().keys("*");
            assertThat(keys).containsExactlyInAnyOrder("shop:rate-limit:openai:requests",
                    "shop:rate-limit:openai:tokens");
            for (String k : keys) {
                long ttl = rawConnection.sync().pttl(k);
                // full again within 60 s of the wall clock, plus 10 s
                assertThat(ttl).isPositive().isLessThanOrEqualTo(70_000);
            }
        }
    }

    @Test
    void anInstanceWhoseLimitsDifferFromTheStoredOnesWarnsNamingTheKeyAndBothValues() {
        String logged;
        // one store per instance: within one, a key has one limiter (and the rule set one definition)
        try (RedisRateLimitStore first = store(); RedisRateLimitStore same = store();
                RedisRateLimitStore fewerRequests = store(); RedisRateLimitStore moreTokens = store();
                RedisRateLimitStore noTokens = store()) {
            assertThat(first.limiter("openai", 100, 1000, clock).acquire(10, 0)).isZero(); // stores both buckets
            try (StdStreams captured = new StdStreams()) {
                same.limiter("openai", 100, 1000, clock).acquire(10, 0); // the same limits: nothing to say
                fewerRequests.limiter("openai", 50, 1000, clock).acquire(10, 0);
                moreTokens.limiter("openai", 100, 50_000, clock).acquire(10, 0);
                noTokens.limiter("openai", 100, 0, clock).acquire(0, 0);
                logged = captured.text();
            }
        }
        assertThat(logged.lines().filter(l -> l.contains("WARN ")).map(l -> l.substring(l.indexOf("WARN "))))
                .containsExactly(
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with requestsPerMinute = 100,"
                        + " not 50; another instance configured it no earlier than this one (its store was made,"
                        + " or the key defined anew, no earlier), and the fleet's most recently configured limits win: 100 applies to this instance too: give every instance the"
                        + " same limits",
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with tokensPerMinute = 1000,"
                        + " not 50000; another instance configured it no earlier than this one (its store was made,"
                        + " or the key defined anew, no earlier), and the fleet's most recently configured limits win: 1000 applies to this instance too: give every instance the"
                        + " same limits",
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with tokensPerMinute = 1000,"
                        + " not 0; the instances that set it charge their tokens against it, and this one charges"
                        + " none: give every instance the same limits");
    }

    /**
     * An instance of 100 a minute whose eight threads first use, at the same moment, a key another instance
     * made with 10: one WARN per key, whatever the number of threads. Ten keys.
     */
    @Test
    void anInstanceWhoseLimitsDifferWarnsOncePerKeyWhenItsThreadsFirstUseTheKeyTogether() throws Exception {
        String logged;
        try (RedisRateLimitStore strict = store(); RedisRateLimitStore lax = store();
                StdStreams captured = new StdStreams()) {
            for (int k = 0; k < 10; k++) {
                assertThat(strict.limiter("differs-" + k, 10, 0, clock).acquire(0, 0)).isZero(); // stores 10
                RateLimiter mine = lax.limiter("differs-" + k, 100, 0, clock);
                together(8, t -> () -> mine.acquire(0, 0));
            }
            logged = captured.text();
        }
        for (int k = 0; k < 10; k++) {
            String key = "\"differs-" + k + "\"";
            assertThat(reboundLines(logged)).as("WARNs about key %s", key)
                    .filteredOn(l -> l.startsWith("WARN ") && l.contains(key)).hasSize(1);
        }
    }

    @Test
    void whenRedisDiesCallsGoOnLocallyWithOneWarningAndComeBackWhenItAnswers() {
        try (RedisRateLimitStore a = store()) {
            RateLimiter limiter = a.limiter("openai", 2, 0, clock);
            assertThat(limiter.acquire(0, 0)).isZero();
            assertThat(a.reachable()).isTrue();
            String logged;
            try (StdStreams captured = new StdStreams()) {
                redis.stop();
                // the local limit is fresh and full: the call goes on, never fails
                assertThat(limiter.acquire(0, 0)).isZero();
                assertThat(limiter.acquire(0, 0)).isZero();
                assertThat(limiter.acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
                assertThat(a.reachable()).isFalse();
                redis.restart();
                rawConnection.sync().ping();
                // within the retry interval, still local
                assertThat(limiter.acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
                assertThat(rawConnection.sync().keys("*")).isEmpty();
                clock.advance(Duration.ofSeconds(2));
                // the retry interval has passed: this call reconnects and is limited in Redis again
                assertThat(limiter.acquire(0, 0)).isZero();
                assertThat(a.reachable()).isTrue();
                logged = captured.text();
            }
            assertThat(rawConnection.sync().keys("*")).containsExactly("rebound:rate-limit:openai:requests");
            assertThat(logged.lines().filter(l -> l.contains("is unreachable"))).hasSize(1);
            assertThat(logged).contains("WARN dev.rebound - Rebound rate-limit store redis://127.0.0.1:" + redis.port
                    + "/0 is unreachable (").contains("answers again");
        }
    }

    @Test
    void aStoreUnreachableAtStartUpWarnsOnceAndLimitsLocally() {
        int nobody = LocalRedis.freePort();
        String logged;
        try (StdStreams captured = new StdStreams();
                RedisRateLimitStore a = RedisRateLimitStore.builder("redis://127.0.0.1:" + nobody)
                        .timeSource(clock).build()) {
            RateLimiter limiter = a.limiter("openai", 1, 0, clock);
            assertThat(limiter.acquire(0, 0)).isZero();
            assertThat(limiter.acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
            assertThat(a.reachable()).isFalse();
            logged = captured.text();
        }
        assertThat(logged).contains("Rebound rate-limit store redis://127.0.0.1:" + nobody
                + "/0 is unreachable at start-up (");
        assertThat(logged.lines().filter(l -> l.contains("unreachable"))).hasSize(1);
    }

    RedisRateLimitStore unreachable() {
        return RedisRateLimitStore.builder("redis://127.0.0.1:" + LocalRedis.freePort()).timeSource(clock)
                .timeout(Duration.ofMillis(200)).build();
    }

    @Test
    void whileRedisIsAwayAKeyIsStillOneLimitInTheInstanceWhoeverAsksForIt() {
        try (StdStreams quiet = new StdStreams(); RedisRateLimitStore store = unreachable()) {
            RateLimiter first = store.limiter("openai", 1, 0, clock);
            RateLimiter second = store.limiter("openai", 1, 0, clock);
            assertThat(second).isSameAs(first).isNotSameAs(store.limiter("other", 1, 0, clock));
            assertThat(first.acquire(0, 0)).isZero();
            assertThat(second.acquire(0, 0)).as("the key's one request of the minute is spent")
                    .isEqualTo(RateLimiter.REFUSED);
        }
    }

    public interface Chat {
        @RateLimit(key = "openai", requestsPerMinute = 1, maxDelay = 0)
        String chat(String prompt);

        @RateLimit(key = "openai", requestsPerMinute = 1, maxDelay = 0)
        String summarize(String text);
    }

    /** Records what reached the provider. */
    static final class Provider implements Chat {
        final List<String> sent = new ArrayList<>();

        @Override
        public String chat(String prompt) {
            sent.add("chat:" + prompt);
            return "ok";
        }

        @Override
        public String summarize(String text) {
            sent.add("summarize:" + text);
            return "ok";
        }
    }

    @Test
    void whileRedisIsAwayTwoMethodsNamingOneKeyShareItsLimit() {
        Provider provider = new Provider();
        Throwable refused;
        try (StdStreams quiet = new StdStreams(); RedisRateLimitStore store = unreachable()) {
            ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                    .rateLimitStore(store).build();
            Chat chat = Rebound.wrap(Chat.class, (Chat) provider).settings(settings).build();
            assertThat(chat.chat("a")).isEqualTo("ok");
            refused = catchThrowable(() -> chat.summarize("b"));
        }
        assertThat(provider.sent).as("requests sent in one minute on a key of 1 request a minute")
                .containsExactly("chat:a");
        assertThat(refused).isInstanceOf(RateLimitRefusedException.class);
    }

    @Test
    void whileRedisIsAwayWrappersOfOneKeyShareItsLimit() {
        Provider provider = new Provider();
        int sent = 0;
        try (StdStreams quiet = new StdStreams(); RedisRateLimitStore store = unreachable()) {
            ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                    .rateLimitStore(store).build();
            RateLimitPolicy openai = RateLimitPolicy.builder().key("openai-wrapped").requestsPerMinute(2)
                    .maxDelay(Duration.ZERO).build();
            for (int w = 0; w < 3; w++) {
                Chat wrapper = Rebound.wrap(Chat.class, (Chat) provider).withRateLimit(openai).settings(settings)
                        .build();
                for (int i = 0; i < 2; i++) {
                    if (catchThrowable(() -> wrapper.chat("x")) == null) {
                        sent++;
                    }
                }
            }
        }
        assertThat(sent).as("requests sent in one minute by three wrappers on a key of 2 a minute").isEqualTo(2);
        assertThat(provider.sent).containsExactly("chat:x", "chat:x");
    }

    @Test
    void onTheSystemClockABreakersOpenStateExpiresOnRedissClock() {
        try (RedisRateLimitStore a = RedisRateLimitStore.connect("redis://127.0.0.1:" + redis.port);
                RedisRateLimitStore b = RedisRateLimitStore.connect("redis://127.0.0.1:" + redis.port)) {
            a.opened("Chat.chat(String)", 5 * SECOND);
            assertThat(rawConnection.sync().get("rebound:breaker:Chat.chat(String):open")).isEqualTo("5000ms");
            assertThat(rawConnection.sync().pttl("rebound:breaker:Chat.chat(String):open")).isBetween(4_000L, 5_000L);
            assertThat(b.openRemainingNanos("Chat.chat(String)")).isBetween(4 * SECOND, 5 * SECOND);
        }
    }

    @Test
    void aBreakerOpenedByOneInstanceIsHeardByTheOthersUntilItExpires() {
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store()) {
            assertThat(b.openRemainingNanos("Chat.chat(String)")).isZero();
            a.opened("Chat.chat(String)", 5 * SECOND);
            assertThat(b.openRemainingNanos("Chat.chat(String)")).isBetween(4 * SECOND, 5 * SECOND);
            assertThat(rawConnection.sync().keys("*")).containsExactly("rebound:breaker:Chat.chat(String):open");
            // on a virtual clock the open state ends on that clock; Redis only cleans the key up, later
            assertThat(rawConnection.sync().pttl("rebound:breaker:Chat.chat(String):open")).isGreaterThan(3_500_000L);
            clock.advance(java.time.Duration.ofSeconds(5));
            assertThat(b.openRemainingNanos("Chat.chat(String)")).isZero();
            redis.stop();
            try (StdStreams quiet = new StdStreams()) {
                assertThat(b.openRemainingNanos("Chat.chat(String)")).isZero(); // away: each breaker decides alone
                a.opened("Chat.chat(String)", 5 * SECOND); // and never throws
            } finally {
                redis.restart();
                rawConnection.sync().ping();
            }
        }
    }
    /**
     * Two instances whose breakers have other delays open it one after the other: the longest open state
     * wins, on a virtual clock as on the system one (Redis's clock): the shorter delay written after does not
     * cut the fleet's state short, and its instance is told once, naming both delays; a longer one written
     * after a shorter one extends it.
     */
    @Test
    void aShorterDelayDoesNotCutALongerFleetOpenStateShortAndItsInstanceIsTold() {
        String logged;
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store(); RedisRateLimitStore c = store();
                RedisRateLimitStore onSystemA = RedisRateLimitStore.connect("redis://127.0.0.1:" + redis.port);
                RedisRateLimitStore onSystemB = RedisRateLimitStore.connect("redis://127.0.0.1:" + redis.port);
                StdStreams captured = new StdStreams()) {
            a.opened("Chat.chat(String)", 60 * SECOND);
            clock.advance(Duration.ofSeconds(1));
            b.opened("Chat.chat(String)", 5 * SECOND);
            b.opened("Chat.chat(String)", 5 * SECOND); // said once
            assertThat(c.openRemainingNanos("Chat.chat(String)")).isEqualTo(59 * SECOND);
            b.opened("Ask.ask(String)", 5 * SECOND);
            a.opened("Ask.ask(String)", 60 * SECOND); // a longer one extends a shorter one
            assertThat(c.openRemainingNanos("Ask.ask(String)")).isEqualTo(60 * SECOND);

            onSystemA.opened("Sys.chat(String)", 60 * SECOND);
            onSystemB.opened("Sys.chat(String)", 5 * SECOND);
            assertThat(rawConnection.sync().pttl("rebound:breaker:Sys.chat(String):open")).isGreaterThan(55_000L);
            assertThat(rawConnection.sync().get("rebound:breaker:Sys.chat(String):open")).isEqualTo("60000ms");
            logged = captured.text();
        }
        assertThat(reboundLines(logged)).containsExactly(
                "WARN dev.rebound - Rebound circuit breaker \"Chat.chat(String)\": the fleet's open state there, set"
                        + " with delay = 60000 ms, ends later than this instance's delay = 5000 ms would; the longest"
                        + " open state in the fleet wins, and it is kept: give every instance the same delay",
                "WARN dev.rebound - Rebound circuit breaker \"Sys.chat(String)\": the fleet's open state there, set"
                        + " with delay = 60000 ms, ends later than this instance's delay = 5000 ms would; the longest"
                        + " open state in the fleet wins, and it is kept: give every instance the same delay");
    }

    /**
     * One request a minute, one request, ten quiet minutes, then one more, which is free: whatever the
     * shared clock reads, Long.MAX_VALUE passed included (Bucket4j compares readings absolutely; the
     * store's meter reads the time since the source's first reading).
     */
    @ParameterizedTest
    @ValueSource(longs = {1_000_000_000L, 0L, -5_000_000_000L, Long.MIN_VALUE + 1_000_000_000L,
            Long.MAX_VALUE - 300_000_000_000L})
    void aFleetLimitIsFullAgainAfterTenQuietMinutesWhateverTheClockReads(long origin) {
        VirtualTimeSource wrapping = new VirtualTimeSource(origin);
        try (RedisRateLimitStore store = RedisRateLimitStore.builder("redis://127.0.0.1:" + redis.port)
                .timeSource(wrapping).timeout(Duration.ofSeconds(10)).build()) {
            RateLimiter limiter = store.limiter("origin-free", 1, 0, wrapping);
            assertThat(limiter.acquire(0, 0)).isZero();
            wrapping.advance(Duration.ofMinutes(10));
            assertThat(limiter.acquire(0, 0)).as("wait after ten quiet minutes").isZero();
            assertThat(store.reachable()).as("Redis still used").isTrue();
        }
    }

    /** Runs {@code task} on {@code threads} threads released together; answers their results, in order. */
    static <T> List<T> together(int threads, IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<T> c = task.apply(i);
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return c.call();
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Rebound's lines in {@code logged} from {@code LEVEL dev.rebound} on (the thread's name cut off). */
    static List<String> reboundLines(String logged) {
        return logged.lines().filter(l -> l.contains(" dev.rebound - "))
                .map(l -> l.substring(l.indexOf("] ") + 2)).toList();
    }

    /** A latch opened by the store's own Lettuce client's next event of {@code type} (an event, not a sleep). */
    static CountDownLatch onEvent(RedisRateLimitStore store, Class<? extends Event> type)
            throws ReflectiveOperationException {
        Field link = RedisRateLimitStore.class.getDeclaredField("link");
        link.setAccessible(true);
        Field client = RedisLink.class.getDeclaredField("client");
        client.setAccessible(true);
        CountDownLatch seen = new CountDownLatch(1);
        ((RedisClient) client.get(link.get(store))).getResources().eventBus().get()
                .filter(type::isInstance).subscribe(e -> seen.countDown());
        return seen;
    }

    @Test
    void aRedisRestartBetweenTwoCallsIsSaidOnceThatTheFleetsLimitsAndOpenStatesHeldThereAreLost() throws Exception {
        String logged;
        long afterRestart;
        long openLeft;
        boolean reachable;
        try (RedisRateLimitStore a = store()) {
            RateLimiter limiter = a.limiter("openai", 1, 0, clock);
            assertThat(limiter.acquire(0, 0)).isZero();
            assertThat(limiter.acquire(0, 0)).as("the minute's one request is spent").isEqualTo(RateLimiter.REFUSED);
            a.opened("Chat.chat(String)", 60 * SECOND);
            CountDownLatch disconnected = onEvent(a, DisconnectedEvent.class);
            try (StdStreams captured = new StdStreams()) {
                redis.stop();
                redis.restart(); // no persistence: every key is gone
                assertThat(disconnected.await(20, TimeUnit.SECONDS)).as("the store's connection closed").isTrue();
                afterRestart = limiter.acquire(0, 0); // reconnects at once: Redis is back
                if (!a.reachable()) { // the call found the old connection still closing: one retry interval away
                    clock.advance(Duration.ofMillis(2000));
                    afterRestart = limiter.acquire(0, 0);
                }
                openLeft = a.openRemainingNanos("Chat.chat(String)");
                limiter.acquire(0, 0);
                logged = captured.text();
            }
            reachable = a.reachable();
        }
        assertThat(afterRestart).as("the key was lost with the restart: full again").isZero();
        assertThat(openLeft).as("the fleet's open state was lost with the restart").isZero();
        String newProcess = "WARN dev.rebound - Rebound rate-limit store redis://127.0.0.1:"
                + redis.port + "/0 is a new Redis process (restarted or failed over): unless it kept its data "
                + "(persistence, a replica), the fleet's rate limits held there start full again and circuit breakers' "
                + "shared open states are lost";
        List<String> lines = reboundLines(logged);
        if (lines.size() == 1) {
            assertThat(lines).containsExactly(newProcess);
        } else { // the first call found the old connection closing: that outage is said, then the new process
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).contains("/0 is unreachable (RedisException)");
            assertThat(lines.subList(1, 3)).containsExactly("INFO dev.rebound - Rebound rate-limit store "
                    + "redis://127.0.0.1:" + redis.port + "/0 answers again: limits are shared again", newProcess);
        }
        assertThat(reachable).as("the store, back on Redis").isTrue();
    }

    /**
     * A Redis restart while four instances, two threads each, are sending on a key of 5 a minute: a thread
     * finding its instance's connection closed while another thread reconnects waits for it, and is not
     * handed the local limit with nothing said. The fleet sends the new Redis's 5, plus at most 5 per
     * instance whose outage was said (a first command may still find the old connection closing).
     */
    @Test
    void afterARestartTheFleetSendsNoMoreThanTheNewLimitPlusWhatTheOutagesItSaidAllow() throws Exception {
        List<RedisRateLimitStore> stores = new ArrayList<>();
        long[] after;
        String logged;
        try {
            List<RateLimiter> fleet = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                stores.add(store());
                fleet.add(stores.get(i).limiter("restart", 5, 0, clock));
            }
            assertThat(LongStream.of(admittedPerInstance(fleet, 2, 5)).sum()).as("the fleet's 5 before the restart")
                    .isEqualTo(5);
            List<CountDownLatch> closed = new ArrayList<>();
            for (RedisRateLimitStore s : stores) {
                closed.add(onEvent(s, DisconnectedEvent.class));
            }
            redis.stop();
            redis.restart(); // no persistence: the key is gone, 5 again
            rawConnection.sync().ping();
            for (CountDownLatch c : closed) {
                assertThat(c.await(20, TimeUnit.SECONDS)).as("each store saw its connection close").isTrue();
            }
            try (StdStreams captured = new StdStreams()) {
                after = admittedPerInstance(fleet, 2, 50);
                logged = captured.text();
            }
        } finally {
            stores.forEach(RedisRateLimitStore::close);
        }
        long outagesSaid = reboundLines(logged).stream().filter(l -> l.startsWith("WARN ") && l.contains("is unreachable"))
                .count();
        assertThat(LongStream.of(after).sum()).as("requests the fleet sent after the restart (per instance %s), with %s"
                + " outage(s) said; lines: %s", Arrays.toString(after), outagesSaid, reboundLines(logged))
                .isLessThanOrEqualTo(5 + 5 * outagesSaid);
    }

    /** {@code threads} threads per limiter at once, each trying {@code tries} requests (no wait allowed). */
    static long[] admittedPerInstance(List<RateLimiter> instances, int threads, int tries) throws Exception {
        AtomicLongArray admitted = new AtomicLongArray(instances.size());
        together(instances.size() * threads, t -> () -> {
            int i = t % instances.size();
            for (int n = 0; n < tries; n++) {
                if (instances.get(i).acquire(0, 0) == 0) {
                    admitted.incrementAndGet(i);
                }
            }
            return null;
        });
        long[] out = new long[instances.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = admitted.get(i);
        }
        return out;
    }

    @Test
    void anInstanceWhoseLimitsDifferIsToldAgainWithinAMinuteWhenAnotherRecreatesTheKeyWithItsOwn() {
        String logged;
        try (RedisRateLimitStore strictStore = store(); RedisRateLimitStore laxStore = store()) {
            RateLimiter strict = strictStore.limiter("openai", 10, 0, clock);
            RateLimiter lax = laxStore.limiter("openai", 100, 0, clock);
            try (StdStreams captured = new StdStreams()) {
                assertThat(strict.acquire(0, 0)).isZero(); // creates the key with 10
                assertThat(lax.acquire(0, 0)).isZero(); // told: Redis holds 10, not 100
                rawConnection.sync().del("rebound:rate-limit:openai:requests"); // as an expiry would
                assertThat(lax.acquire(0, 0)).isZero(); // recreates it with 100
                strict.acquire(0, 0); // within the minute of its last check: nothing asked, nothing said
                clock.advance(Duration.ofMinutes(1));
                for (int i = 0; i < 3; i++) {
                    strict.acquire(0, 0); // the minute's first use compares; one difference is said once
                }
                clock.advance(Duration.ofMinutes(1));
                strict.acquire(0, 0);
                lax.acquire(0, 0);
                logged = captured.text();
            }
        }
        assertThat(reboundLines(logged)).containsExactly(
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with requestsPerMinute = 10,"
                        + " not 100; another instance configured it no earlier than this one (its store was made,"
                        + " or the key defined anew, no earlier), and the fleet's most recently configured limits win: 10 applies to this instance too: give every instance the"
                        + " same limits",
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with requestsPerMinute = 100,"
                        + " not 10; another instance configured it no earlier than this one (its store was made,"
                        + " or the key defined anew, no earlier), and the fleet's most recently configured limits win: 100 applies to this instance too: give every instance the"
                        + " same limits");
    }

    /**
     * The provider raised the key's quota from 10 to 20 a minute and the whole fleet is redeployed with 20.
     * Under steady traffic above the old limit (12 a minute) the key never expires, as every write pushes its
     * expiry on: the new limits reach Redis at the new instances' first command (their version, when they
     * were configured, is newer), and the instances, who all agree, are told nothing.
     */
    @Test
    void aLimitTheWholeFleetRaisesAppliesWhileTrafficGoesOn() {
        String logged;
        int refusedInTheFifthMinute = 0;
        long ttl;
        try (RedisRateLimitStore old = store()) {
            RateLimiter before = old.limiter("openai", 10, 0, clock);
            for (int i = 0; i < 12; i++) { // the old version's last minute: one request every 5 s
                before.acquire(0, 0);
                clock.advance(Duration.ofSeconds(5));
            }
        }
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store(); StdStreams captured = new StdStreams()) {
            List<RateLimiter> fleet = List.of(a.limiter("openai", 20, 0, clock), b.limiter("openai", 20, 0, clock));
            for (int minute = 1; minute <= 5; minute++) {
                for (int i = 0; i < 12; i++) { // 12 a minute, well under the new 20
                    long wait = fleet.get(i % 2).acquire(0, 0);
                    if (minute == 5 && wait == RateLimiter.REFUSED) {
                        refusedInTheFifthMinute++;
                    }
                    clock.advance(Duration.ofSeconds(5));
                }
            }
            ttl = rawConnection.sync().pttl("rebound:rate-limit:openai:requests");
            logged = captured.text();
        }
        assertThat(ttl).as("the key's expiry, pushed on by every write").isPositive().isLessThanOrEqualTo(70_000L);
        assertThat(reboundLines(logged)).as("what the instances, who all agree, were told").isEmpty();
        assertThat(refusedInTheFifthMinute)
                .as("requests refused in the fifth minute after every instance was given 20 a minute, at 12 a minute")
                .isZero();
    }

    /**
     * A rolling redeploy from 10 to 20 a minute: an old instance still runs beside a new one. The limits
     * configured last win, on Redis as in-process: the new one's first command replaces the stored 10 over
     * what the bucket spent (Bucket4j's ADDITIVE: the 9 left plus the 10 more), the fleet then draws on 20
     * in all, and the old instance, whose 10 no longer applies, is told within a minute (the comparison runs
     * after its first command on the connection, and then on its first use in each minute), naming both
     * values and which wins.
     */
    @Test
    void anOldInstanceBesideNewOnesDrawsOnTheLimitsConfiguredLastAndIsToldSo() {
        String logged;
        int admitted = 0;
        RedisRateLimitStore oldStore = store();
        clock.advance(Duration.ofNanos(1)); // started after the old one, if only just
        try (oldStore; RedisRateLimitStore newStore = store(); StdStreams captured = new StdStreams()) {
            RateLimiter old = oldStore.limiter("openai", 10, 0, clock);
            RateLimiter renewed = newStore.limiter("openai", 20, 0, clock);
            for (int i = 0; i < 40; i++) {
                if ((i % 2 == 0 ? old : renewed).acquire(0, 0) != RateLimiter.REFUSED) {
                    admitted++;
                }
            }
            clock.advance(Duration.ofMinutes(1));
            old.acquire(0, 0); // its first use in the minute compares
            logged = captured.text();
        }
        assertThat(admitted).as("requests the old and the new instance were allowed in all, at once").isEqualTo(20);
        assertThat(reboundLines(logged)).containsExactly(
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with requestsPerMinute = 20,"
                        + " not 10; another instance configured it no earlier than this one (its store was made,"
                        + " or the key defined anew, no earlier), and the fleet's most recently configured limits win: 20 applies to this instance too: give every instance the"
                        + " same limits");
    }

    /**
     * A rolling redeploy from 10 to 20 a minute, where the old instance (started first, its wrapper built at
     * start-up) calls the key only after the new one has: its limits' version is still its start-up, older
     * than the new instance's, so its first command does not put the fleet back on 10. The fleet draws on 20
     * in all; the old instance is told that 20 applies to it, the new one, whose limits apply, nothing.
     */
    @Test
    void anOldInstanceConfiguredFirstButCalledLaterDoesNotTakeTheFleetBackToItsOldLimit() {
        String logged;
        int admitted = 0;
        RateLimitPolicy was = RateLimitPolicy.builder().key("openai").requestsPerMinute(10)
                .maxDelay(Duration.ZERO).build();
        RateLimitPolicy now = RateLimitPolicy.builder().key("openai").requestsPerMinute(20)
                .maxDelay(Duration.ZERO).build();
        RedisRateLimitStore oldStore = store();
        Completion old = Rebound.wrap(Completion.class, (Completion) p -> "ok").withRateLimit(was)
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).rateLimitStore(oldStore).build())
                .build();
        clock.advance(Duration.ofSeconds(1)); // the new instance starts a second later
        try (oldStore; RedisRateLimitStore newStore = store(); StdStreams captured = new StdStreams()) {
            Completion renewed = Rebound.wrap(Completion.class, (Completion) p -> "ok").withRateLimit(now)
                    .settings(ReboundSettings.builder().timeSource(clock).logging(false).rateLimitStore(newStore)
                            .build())
                    .build();
            if (catchThrowable(() -> renewed.complete("a")) == null) {
                admitted++;
            }
            clock.advance(Duration.ofSeconds(1));
            for (int i = 1; i < 40; i++) { // the old instance's first call on the key comes now
                Completion which = i % 2 == 1 ? old : renewed;
                if (catchThrowable(() -> which.complete("q")) == null) {
                    admitted++;
                }
            }
            logged = captured.text();
        }
        assertThat(admitted).as("requests the fleet allowed in one minute after the new instance, configured last,"
                + " came with 20 a minute").isEqualTo(20);
        assertThat(reboundLines(logged)).containsExactly(
                "WARN dev.rebound - Rebound rate limit \"openai\": Redis already holds it with requestsPerMinute = 20,"
                        + " not 10; another instance configured it no earlier than this one (its store was made,"
                        + " or the key defined anew, no earlier), and the fleet's most recently configured limits win:"
                        + " 20 applies to this instance too: give every instance the same limits");
    }

    /**
     * A key the store hands out again with other limits (defined anew in the process, its first definer's
     * application gone, as after a redeploy in a server, the store living on), at the same clock reading as
     * the store was made: the new limits are newer than those the store put in Redis, and replace them over
     * what the bucket spent (the 10 more of a limit raised from 10 to 20), without a word.
     */
    @Test
    void aKeyTheStoreHandsOutAgainWithOtherLimitsReplacesItsOwnOlderOnesInRedis() {
        String logged;
        int admittedAfter = 0;
        try (RedisRateLimitStore store = store(); StdStreams captured = new StdStreams()) {
            RateLimiter before = store.limiter("openai", 10, 0, clock);
            for (int i = 0; i < 10; i++) {
                assertThat(before.acquire(0, 0)).isZero();
            }
            RateLimiter after = store.limiter("openai", 20, 0, clock);
            for (int i = 0; i < 20; i++) {
                if (after.acquire(0, 0) != RateLimiter.REFUSED) {
                    admittedAfter++;
                }
            }
            logged = captured.text();
        }
        assertThat(admittedAfter).as("requests allowed on the key raised from 10 (all spent) to 20, at once")
                .isEqualTo(10);
        assertThat(reboundLines(logged)).isEmpty();
    }

    /**
     * A caller whose thread is interrupted (a cancel landing while the permit is asked): Redis answered all
     * along, so the store declares no outage, stays in use, and the caller keeps its interrupt; the permit
     * was taken on Redis (the fleet's one request of 2 left).
     */
    @Test
    void anInterruptedCallerIsNotARedisOutage() {
        String logged;
        boolean reachable;
        boolean keptItsInterrupt;
        long left;
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store()) {
            RateLimiter here = a.limiter("openai", 2, 0, clock);
            assertThat(here.acquire(0, 0)).isZero(); // connected, the key made
            try (StdStreams captured = new StdStreams()) {
                Thread.currentThread().interrupt();
                here.acquire(0, 0);
                keptItsInterrupt = Thread.interrupted();
                reachable = a.reachable();
                logged = captured.text();
            }
            left = b.limiter("openai", 2, 0, clock).wouldWait(0);
        }
        assertThat(reboundLines(logged)).as("Rebound's lines").isEmpty();
        assertThat(reachable).as("the store, after an interrupt while Redis answered").isTrue();
        assertThat(keptItsInterrupt).as("the caller's interrupt flag").isTrue();
        assertThat(left).as("the wait for the fleet's next request: both taken on Redis").isEqualTo(30 * SECOND);
    }

    public interface Completion {
        String complete(String prompt);
    }

    /**
     * A call cancelled mid-call: its HTTP client ends on the interrupt and leaves the flag set, as the JDK's
     * does. Rebound refunds the attempt's tokens with the flag set: the refund reaches Redis, which charged
     * them, no outage is declared, and the caller keeps its interrupt.
     */
    @Test
    void aCancelledCallIsNotARedisOutageAndItsRefundReachesRedis() {
        String logged;
        boolean reachable;
        boolean keptItsInterrupt;
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        long estimate;
        try (RedisRateLimitStore store = store(); RedisRateLimitStore other = store()) {
            ReboundSettings settings = ReboundSettings.builder().timeSource(clock).listener(events::add)
                    .rateLimitStore(store).build();
            RateLimitPolicy openai = RateLimitPolicy.builder().key("openai").requestsPerMinute(100)
                    .tokensPerMinute(10_000).maxDelay(Duration.ZERO).build();
            Completion healthy = Rebound.wrap(Completion.class, (Completion) p -> "ok").withRateLimit(openai)
                    .settings(settings).build();
            Completion cancelled = Rebound.wrap(Completion.class, (Completion) p -> {
                Thread.currentThread().interrupt(); // the HTTP client ends on the caller's cancel
                throw new java.io.UncheckedIOException(new java.io.InterruptedIOException("cancelled"));
            }).withRateLimit(openai).settings(settings).build();
            assertThat(healthy.complete("hello")).isEqualTo("ok"); // connected, the keys made, its estimate kept
            try (StdStreams captured = new StdStreams()) {
                catchThrowable(() -> cancelled.complete("hello"));
                keptItsInterrupt = Thread.interrupted();
                reachable = store.reachable();
                logged = captured.text();
            }
            assertThat(events).filteredOn(e -> e.kind() == Kind.RATE_LIMIT_TOKENS_REFUNDED).hasSize(1);
            estimate = events.stream().filter(e -> e.kind() == Kind.RATE_LIMIT_TOKENS_CHARGED).findFirst()
                    .orElseThrow().tokens();
            RateLimiter fleet = other.limiter("openai", 100, 10_000, clock);
            assertThat(fleet.wouldWait(10_000 - estimate)).as("the fleet's tokens: all but the first call's").isZero();
            assertThat(fleet.wouldWait(10_000 - estimate + 1)).isPositive();
        }
        assertThat(estimate).isPositive();
        assertThat(reboundLines(logged)).as("Rebound's lines about the store")
                .noneMatch(l -> l.contains("rate-limit store"));
        assertThat(reachable).as("the store, after a cancelled call while Redis answered").isTrue();
        assertThat(keptItsInterrupt).as("the caller's interrupt flag").isTrue();
    }

    /**
     * Redis stalls (CLIENT PAUSE, as a slow or overloaded server would) just as six request threads first use
     * a key: each goes on with the local limit within about one timeout, not one timeout after another in a
     * queue (no lock is held across a round trip, and the first use of a key asks Redis nothing more).
     */
    @Test
    void threadsFirstUsingAKeyWhileRedisStallsEachGoOnWithinAboutTheTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(250);
        List<Long> millis;
        try (StdStreams quiet = new StdStreams();
                RedisRateLimitStore a = RedisRateLimitStore.builder("redis://127.0.0.1:" + redis.port)
                        .timeSource(clock).timeout(timeout).build()) {
            RateLimiter limiter = a.limiter("stalled", 100, 0, clock);
            rawConnection.sync().clientPause(3000); // every client's commands wait 3 s
            try {
                millis = together(6, t -> () -> {
                    long start = System.nanoTime();
                    assertThat(limiter.acquire(0, 0)).isZero(); // the local limit's
                    return (System.nanoTime() - start) / 1_000_000;
                });
            } finally {
                rawConnection.sync().ping(); // answered once the pause is over
            }
        }
        assertThat(millis).as("each thread's time to its permit (ms), with a store timeout of 250 ms")
                .allMatch(ms -> ms < 3 * timeout.toMillis());
    }

    @Test
    void oneUnreadableKeyIsSaidOnceAndLimitedLocallyWhileTheOtherKeysStayOnRedis() {
        String logged;
        try (RedisRateLimitStore a = store(); RedisRateLimitStore b = store()) {
            rawConnection.sync().set("rebound:rate-limit:search:requests", "another application's value");
            rawConnection.sync().hset("rebound:rate-limit:index:requests", "field", "a hash");
            RateLimiter search = a.limiter("search", 1, 0, clock);
            RateLimiter index = a.limiter("index", 1000, 0, clock);
            RateLimiter embed = a.limiter("embed", 1000, 0, clock);
            RateLimiter openaiHere = a.limiter("openai", 1, 0, clock);
            RateLimiter openaiThere = b.limiter("openai", 1, 0, clock);
            long searchAccepted = 0;
            try (StdStreams captured = new StdStreams()) {
                for (int i = 0; i < 5; i++) { // everyday traffic, five retry intervals
                    embed.acquire(0, 0);
                    index.acquire(0, 0);
                    if (search.acquire(0, 0) == 0) {
                        searchAccepted++;
                    }
                    clock.advance(Duration.ofSeconds(2));
                }
                assertThat(openaiThere.acquire(0, 0)).isZero(); // the fleet's one request of the minute
                assertThat(openaiHere.acquire(0, 0)).as("a fleet key's second request in its minute")
                        .isEqualTo(RateLimiter.REFUSED);
                assertThat(a.reachable()).isTrue();
                rawConnection.sync().del("rebound:rate-limit:search:requests"); // the other application left
                clock.advance(Duration.ofSeconds(2));
                assertThat(search.acquire(0, 0)).isZero();
                assertThat(rawConnection.sync().exists("rebound:rate-limit:search:requests")).isOne();
                logged = captured.text();
            }
            assertThat(searchAccepted).as("one a minute, kept per process while its key is unreadable").isEqualTo(1);
            assertThat(rawConnection.sync().exists("rebound:rate-limit:embed:requests")).isOne();
        }
        assertThat(reboundLines(logged)).containsExactly(
                "WARN dev.rebound - Rebound rate limit \"index\": Redis holds a value under its name that is not a "
                        + "rate-limit bucket (WRONGTYPE; another application using the same key names?): this key is "
                        + "limited per process, asking again every 2000 ms; the store's other keys are unaffected",
                "WARN dev.rebound - Rebound rate limit \"search\": Redis holds a value under its name that is not a "
                        + "rate-limit bucket (IllegalStateException; another application using the same key names?): this key is "
                        + "limited per process, asking again every 2000 ms; the store's other keys are unaffected",
                "INFO dev.rebound - Rebound rate limit \"search\": its value in Redis is a rate-limit bucket again: the "
                        + "limit is shared again");
    }

    @Test
    void anOutageWhileIdleIsLeftToTheStoreWhichSaysItOnceAndReconnectsOnTheFirstCallAfterTheRetryInterval()
            throws Exception {
        String logged;
        try (RedisRateLimitStore a = store()) {
            RateLimiter limiter = a.limiter("openai", 10, 0, clock);
            assertThat(limiter.acquire(0, 0)).isZero();
            CountDownLatch disconnected = onEvent(a, DisconnectedEvent.class);
            CountDownLatch lettuceReconnects = onEvent(a, ReconnectAttemptEvent.class);
            try (StdStreams captured = new StdStreams()) {
                rawConnection.close(); // this test's own client would reconnect, and log, by itself
                try {
                    redis.stop();
                    assertThat(disconnected.await(20, TimeUnit.SECONDS)).as("the store's connection closed").isTrue();
                    assertThat(limiter.acquire(0, 0)).as("the first call finds the connection closed").isZero();
                    assertThat(a.reachable()).isFalse();
                } finally {
                    redis.restart();
                    rawConnection = raw.connect();
                }
                clock.advance(Duration.ofMillis(1999));
                limiter.acquire(0, 0);
                assertThat(a.reachable()).as("within the retry interval").isFalse();
                clock.advance(Duration.ofMillis(1));
                assertThat(limiter.acquire(0, 0)).isZero();
                assertThat(a.reachable()).as("the first call after the retry interval reconnects").isTrue();
                // Lettuce's own reconnection starts within milliseconds of the disconnect, and logs each failed
                // attempt: by now, after the restart, it would have tried (read without waiting for it)
                assertThat(lettuceReconnects.getCount()).as("Lettuce reconnecting by itself").isEqualTo(1L);
                logged = captured.text();
            }
        }
        assertThat(logged.lines().filter(l -> l.contains("io.lettuce") && !l.contains(" DEBUG ")
                && !l.contains(" TRACE "))).as("Lettuce's own lines").isEmpty();
        List<String> lines = reboundLines(logged);
        assertThat(lines).hasSize(3);
        // the first call finds the connection closing (RedisException) or closed (RedisConnectionException),
        // as the disconnect reaches Lettuce's channel: either is the one outage line
        assertThat(lines.get(0)).matches("WARN dev\\.rebound - Rebound rate-limit store redis://127\\.0\\.0\\.1:"
                + redis.port + "/0 is unreachable \\((RedisConnectionException|RedisException)\\): limits are kept per"
                + " process until it answers; retrying every 2000 ms");
        assertThat(lines.subList(1, 3)).containsExactly(
                "INFO dev.rebound - Rebound rate-limit store redis://127.0.0.1:" + redis.port + "/0 answers again: "
                        + "limits are shared again",
                "WARN dev.rebound - Rebound rate-limit store redis://127.0.0.1:" + redis.port + "/0 is a new Redis "
                        + "process (restarted or failed over): unless it kept its data (persistence, a replica), the "
                        + "fleet's rate limits held there start full again and circuit breakers' shared open states are "
                        + "lost");
    }

    @Test
    void aRedisThatRefusesWritesIsSaidToRefuseNamingItsErrorCodeNotToBeUnreachable() {
        String logged;
        try (RedisRateLimitStore a = store()) {
            RateLimiter limiter = a.limiter("openai", 1, 0, clock);
            try (StdStreams captured = new StdStreams()) {
                rawConnection.sync().configSet("maxmemory", "1"); // every write is refused: OOM
                try {
                    assertThat(limiter.acquire(0, 0)).as("limited per process meanwhile").isZero();
                    assertThat(limiter.acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
                    assertThat(a.reachable()).isFalse();
                } finally {
                    rawConnection.sync().configSet("maxmemory", "0");
                }
                clock.advance(Duration.ofSeconds(2));
                assertThat(limiter.acquire(0, 0)).isZero();
                assertThat(a.reachable()).isTrue();
                logged = captured.text();
            }
        }
        assertThat(reboundLines(logged)).containsExactly(
                "WARN dev.rebound - Rebound rate-limit store redis://127.0.0.1:" + redis.port + "/0 refuses commands "
                        + "(OOM): limits are kept per process until it accepts them; asking again every 2000 ms",
                "INFO dev.rebound - Rebound rate-limit store redis://127.0.0.1:" + redis.port + "/0 answers again: "
                        + "limits are shared again");
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rate limit in the chain, Retry(CircuitBreaker(RateLimit(Invocation))), through both paths
 * (annotation and builder), on the virtual clock: waits, refusals to the fallback, what the retry and
 * the breaker make of a refusal, the deadline, tokens, events and meters.
 */
class RateLimitChainTest {

    static final long SECOND = 1_000_000_000L;

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    /** Counts its calls; fails the first {@code failures}. */
    static final class Primary implements Chat {
        final List<String> prompts = new ArrayList<>();
        int failures;

        @Override
        public String chat(String prompt) throws IOException {
            prompts.add(prompt);
            if (prompts.size() <= failures) {
                throw new IOException("down");
            }
            return "primary";
        }
    }

    final VirtualTimeSource clock = new VirtualTimeSource();
    final Events events = new Events();
    final ReboundSettings settings = events.settings(clock);
    final Primary primary = new Primary();
    final Chat backup = p -> "backup";

    Chat wrap(RateLimitPolicy limit) {
        return Rebound.wrap(Chat.class, (Chat) primary).withRateLimit(limit).withFallbacks(backup).settings(settings)
                .build();
    }

    @Test
    void aCallWaitsForItsTurnOnTheClockAndOneThatWouldWaitTooLongGoesToTheFallbackAtOnce() throws Exception {
        Chat chat = wrap(RateLimitPolicy.builder().requestsPerMinute(1).maxDelay(Duration.ofSeconds(90)).build());
        assertThat(chat.chat("a")).isEqualTo("primary");
        assertThat(chat.chat("b")).isEqualTo("primary");
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(60));
        assertThat(events.of(Kind.RATE_LIMIT_WAITED)).singleElement().satisfies(e -> {
            assertThat(e.waitTime()).isEqualTo(Duration.ofSeconds(60));
            assertThat(e.rateLimitKey()).isEqualTo(Chat.class.getName());
            assertThat(e.target()).isEqualTo("Primary");
        });

        Chat impatient = Rebound.wrap(Chat.class, (Chat) primary)
                .withRateLimit(RateLimitPolicy.builder().key("k").requestsPerMinute(1).maxDelay(Duration.ofSeconds(1))
                        .build())
                .withFallbacks(backup).settings(settings).build();
        assertThat(impatient.chat("c")).isEqualTo("primary");
        assertThat(impatient.chat("d")).isEqualTo("backup");
        assertThat(primary.prompts).containsExactly("a", "b", "c");
        assertThat(clock.sleeps()).hasSize(1); // the refusal did not wait
        assertThat(events.of(Kind.RATE_LIMIT_REFUSED)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("rate-limit-exceeds-max-delay");
            assertThat(e.rateLimitKey()).isEqualTo("k");
            assertThat(e.failure()).isInstanceOf(RateLimitRefusedException.class);
        });
        assertThat(events.of(Kind.FALLBACK)).singleElement()
                .satisfies(e -> assertThat(e.failure()).isInstanceOf(RateLimitRefusedException.class));
    }

    @Test
    void everyAttemptTakesAPermitAndARefusalIsNotRetried() throws Exception {
        primary.failures = 2;
        Chat chat = Rebound.wrap(Chat.class, (Chat) primary)
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build())
                .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(2).maxDelay(Duration.ofSeconds(1)).build())
                .withFallbacks(backup).settings(settings).build();
        assertThat(chat.chat("x")).isEqualTo("backup");
        assertThat(primary.prompts).hasSize(2); // the third attempt would have waited 29.9 s
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("rate-limited"));
        assertThat(events.of(Kind.ATTEMPT_FAILED)).hasSize(2); // the refusal is not an attempt's failure
    }

    public interface Embed {
        String embed(String text);
    }

    /** An embedding client of another provider, retried, no rate limit: its response says 0 requests left there. */
    Embed embeddingsSayingNoneLeft() {
        return Rebound.wrap(Embed.class, (Embed) text -> {
            RateLimitHeaders.record(new RateLimitHeaders(0, RateLimitHeaders.UNKNOWN, 60 * SECOND,
                    RateLimitHeaders.UNKNOWN));
            return "vector";
        }).withRetry(RetryPolicy.builder().attempts(2).build()).settings(settings).build();
    }

    @Test
    void aNestedCallsResponseHeadersNeverCorrectTheEnclosingCallsLimiter() throws Exception {
        Embed embeddings = embeddingsSayingNoneLeft();
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> primary.chat(prompt) + " with " + embeddings.embed(prompt))
                .withRateLimit(RateLimitPolicy.builder().key("nested-headers").requestsPerMinute(60)
                        .maxDelay(Duration.ofMillis(100)).build())
                .withFallbacks(backup).settings(settings).build();

        try {
            assertThat(chat.chat("a")).isEqualTo("primary with vector");
            assertThat(chat.chat("b")).as("1 of 60 requests spent: the second goes at once")
                    .isEqualTo("primary with vector");
            assertThat(primary.prompts).containsExactly("a", "b");
        } finally {
            RateLimitHeaders.clear();
        }
    }

    @Test
    void aNestedCallsHeadersFromAnEarlierAttemptNeverCorrectTheRetrysLimiter() throws Exception {
        Embed embeddings = embeddingsSayingNoneLeft();
        List<String> calls = new ArrayList<>();
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
            calls.add(prompt);
            if (calls.size() == 1) {
                embeddings.embed(prompt); // its response: 0 left at the embedding provider
                throw new IOException("connection refused"); // this attempt's own request: no response
            }
            if (calls.size() == 2) {
                throw new IOException("connection refused");
            }
            return "primary";
        }).withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withRateLimit(RateLimitPolicy.builder().key("nested-earlier-attempt").requestsPerMinute(60)
                        .maxDelay(Duration.ofMillis(100)).build())
                .withFallbacks(backup).settings(settings).build();

        try {
            assertThat(chat.chat("a")).isEqualTo("backup");
            assertThat(chat.chat("b")).as("2 of 60 requests spent: the next goes at once").isEqualTo("primary");
        } finally {
            RateLimitHeaders.clear();
        }
    }

    /**
     * The first rate-limited attempt of the JVM, whose nested call's response is the first to carry the
     * headers: simulated on a fresh thread with SeenHeaders' flags as at JVM start.
     */
    @Test
    void theJvmsFirstHeadersFromANestedCallNeverCorrectTheEnclosingLimiter() throws Throwable {
        Embed embeddings = embeddingsSayingNoneLeft();
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> primary.chat(prompt) + " with " + embeddings.embed(prompt))
                .withRateLimit(RateLimitPolicy.builder().key("nested-first-ever").requestsPerMinute(60)
                        .maxDelay(Duration.ofMillis(100)).build())
                .withFallbacks(backup).settings(settings).build();
        List<String> answers = new ArrayList<>();
        Throwable[] error = {null};
        Thread fresh = new Thread(() -> {
            try {
                answers.add(chat.chat("a"));
                answers.add(chat.chat("b"));
            } catch (Throwable t) {
                error[0] = t;
            } finally {
                RateLimitHeaders.clear();
            }
        });
        java.lang.reflect.Field recorded = seenHeadersFlag("recorded");
        java.lang.reflect.Field scoping = seenHeadersFlag("scoping");
        recorded.setBoolean(null, false);
        scoping.setBoolean(null, false);
        try {
            fresh.start();
            fresh.join();
        } finally {
            recorded.setBoolean(null, true);
            scoping.setBoolean(null, true);
        }
        if (error[0] != null) {
            throw error[0];
        }
        assertThat(answers).as("1 of 60 requests spent: the second goes at once")
                .containsExactly("primary with vector", "primary with vector");
    }

    static java.lang.reflect.Field seenHeadersFlag(String name) throws ReflectiveOperationException {
        java.lang.reflect.Field f = Class.forName("dev.rebound.runtime.internal.SeenHeaders").getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    @Test
    void theAttemptsOwnClientsHeadersStillCorrectItsLimiter() throws Exception {
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
            RateLimitHeaders.record(new RateLimitHeaders(0, RateLimitHeaders.UNKNOWN, 60 * SECOND,
                    RateLimitHeaders.UNKNOWN));
            return primary.chat(prompt);
        }).withRateLimit(RateLimitPolicy.builder().key("own-headers").requestsPerMinute(60)
                        .maxDelay(Duration.ofMillis(100)).build())
                .withFallbacks(backup).settings(settings).build();

        try {
            assertThat(chat.chat("a")).isEqualTo("primary");
            assertThat(chat.chat("b")).as("the provider said none left: the next request is 1 s away")
                    .isEqualTo("backup");
            assertThat(primary.prompts).containsExactly("a");
        } finally {
            RateLimitHeaders.clear();
        }
    }

    /**
     * A fallback the rate limit forced is a WARN line, as every fallback but an open circuit's: at WARN, the
     * usual production level, it is the only line the call leaves (the refusal itself is INFO).
     */
    @Test
    void aFallbackTheRateLimitForcedIsAWarnLine() throws Exception {
        Chat chat = Rebound.wrap(Chat.class, (Chat) primary)
                .withRateLimit(RateLimitPolicy.builder().key("openai").requestsPerMinute(1).maxDelay(Duration.ZERO)
                        .build())
                .withFallbacks(backup).settings(ReboundSettings.builder().timeSource(clock).build()).build();
        assertThat(chat.chat("a")).isEqualTo("primary");

        String log = StdErr.during(() -> {
            try {
                assertThat(chat.chat("b")).isEqualTo("backup");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(primary.prompts).containsExactly("a");
        assertThat(log.lines()).containsExactly(
                "[main] INFO dev.rebound - Chat.chat(String) on Primary: rate limit \"openai\" refused attempt 1 "
                        + "without sending it (rate-limit-exceeds-max-delay)",
                "[main] WARN dev.rebound - Chat.chat(String): rate limit refused, falling back from Primary to "
                        + "RateLimitChainTest$$Lambda",
                "[main] INFO dev.rebound - Chat.chat(String): succeeded on RateLimitChainTest$$Lambda at attempt 1");
    }

    @Test
    void theBreakerDoesNotCountARefusal() throws Exception {
        Chat chat = Rebound.wrap(Chat.class, (Chat) primary)
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(0.5).build())
                .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(1).maxDelay(Duration.ZERO).build())
                .withFallbacks(backup).settings(settings).build();
        assertThat(chat.chat("1")).isEqualTo("primary");
        for (int i = 0; i < 5; i++) {
            assertThat(chat.chat("refused")).isEqualTo("backup");
        }
        assertThat(events.transitions()).isEmpty();
        clock.advance(Duration.ofSeconds(60));
        assertThat(chat.chat("2")).isEqualTo("primary");
    }

    @Test
    void aWaitPastTheRetrysDeadlineIsRefusedWithReasonDeadline() throws Exception {
        Chat chat = Rebound.wrap(Chat.class, (Chat) primary)
                .withRetry(RetryPolicy.builder().attempts(1).maxDuration(Duration.ofSeconds(10)).build())
                .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(1).maxDelay(Duration.ofMinutes(2)).build())
                .withFallbacks(backup).settings(settings).build();
        chat.chat("1");
        assertThat(chat.chat("2")).isEqualTo("backup");
        assertThat(events.of(Kind.RATE_LIMIT_REFUSED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("deadline"));
    }

    @Test
    void withoutFallbacksTheCallerGetsTheRefusal() throws Exception {
        Chat chat = Rebound.wrap(Chat.class, (Chat) primary)
                .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(1).maxDelay(Duration.ZERO).build())
                .settings(settings).build();
        chat.chat("1");
        assertThatThrownBy(() -> chat.chat("2")).isInstanceOf(RateLimitRefusedException.class)
                .hasMessage("rate limit \"" + Chat.class.getName() + "\" refused Chat.chat(String): "
                        + "the wait is longer than the 0 ms allowed");
    }

    public interface Annotated {
        @RateLimit(key = "annotated", requestsPerMinute = 1, maxDelay = 0)
        @Fallback(to = AnnotatedBackup.class)
        String chat(String prompt);

        @RateLimit(key = "only", requestsPerMinute = 1, maxDelay = 0)
        String onlyLimited(String prompt);
    }

    public static final class AnnotatedBackup implements Annotated {
        @Override
        public String chat(String prompt) {
            return "backup";
        }

        @Override
        public String onlyLimited(String prompt) {
            return "backup";
        }
    }

    @Test
    void theAnnotationAppliesTheSameChainAndAMethodWithOnlyARateLimitIsLimited() {
        Annotated target = new Annotated() {
            @Override
            public String chat(String prompt) {
                return "primary";
            }

            @Override
            public String onlyLimited(String prompt) {
                return "primary";
            }
        };
        Annotated a = Rebound.wrap(Annotated.class, target).settings(settings).build();
        assertThat(a.chat("1")).isEqualTo("primary");
        assertThat(a.chat("2")).isEqualTo("backup");
        assertThat(a.onlyLimited("1")).isEqualTo("primary");
        assertThatThrownBy(() -> a.onlyLimited("2")).isInstanceOf(RateLimitRefusedException.class);
    }

    public interface Misconfigured {
        @RateLimit(key = "shared", requestsPerMinute = 0, tokensPerMinute = 10)
        String a(String p);

        @RateLimit(key = "same", requestsPerMinute = 10)
        String b(String p);

        @RateLimit(key = "same", requestsPerMinute = 20)
        String c(String p);
    }

    @Test
    void badLimitsAreReportedAtOnceNamingMethodAndAttribute() {
        Misconfigured m = new Misconfigured() {
            @Override
            public String a(String p) {
                return p;
            }

            @Override
            public String b(String p) {
                return p;
            }

            @Override
            public String c(String p) {
                return p;
            }
        };
        assertThatThrownBy(() -> Rebound.wrap(Misconfigured.class, m).settings(settings).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .satisfies(e -> {
                    List<String> problems = ((ReboundConfigurationException) e).problems();
                    assertThat(problems).hasSize(2).contains("Misconfigured.a(String): "
                            + "@RateLimit.requestsPerMinute = 0 is below 1 (a token limit needs a request limit)");
                    // whichever of b and c is read second names the first's limits
                    assertThat(problems).anySatisfy(p -> assertThat(p).matches("Misconfigured\\.[bc]"
                            + "\\(String\\): @RateLimit\\.key names rate limit \"same\" \\(requestsPerMinute (10|20), "
                            + "tokensPerMinute 0\\) with requestsPerMinute (10|20), tokensPerMinute 0; every method naming "
                            + "a rate limit key must give it the same limits"));
                });
    }

    /**
     * A build that fails defines no rate-limit key: the next build, the only wrapper with the key, may define
     * it otherwise, and is the one later builds are held to.
     */
    @Test
    void aRateLimitKeyOfABuildThatFailedIsNotDefinedForTheNextBuild() throws Exception {
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, (Chat) primary)
                .withRateLimit(RateLimitPolicy.builder().key("once").requestsPerMinute(60).build())
                .fallbackOn(IOException.class) // no fallback to act on: a configuration problem
                .settings(settings).build())
                .isInstanceOf(ReboundConfigurationException.class).hasMessageNotContaining("rate limit \"once\"");

        Chat valid = Rebound.wrap(Chat.class, (Chat) primary)
                .withRateLimit(RateLimitPolicy.builder().key("once").requestsPerMinute(100).build())
                .settings(settings).build();

        assertThat(valid.chat("q")).isEqualTo("primary");
        assertThatThrownBy(() -> wrap(RateLimitPolicy.builder().key("once").requestsPerMinute(60).build()))
                .hasMessage("Invalid Rebound configuration: Rebound.wrap(Chat): withRateLimit names rate limit \"once\""
                        + " (requestsPerMinute 100, tokensPerMinute 0) with requestsPerMinute 60, tokensPerMinute 0;"
                        + " every method naming a rate limit key must give it the same limits");
    }

    public interface FastChat {
        @RateLimit(key = "held-across-set-global", requestsPerMinute = 600, maxDelay = 0)
        String chat(String prompt);
    }

    /**
     * A wrapper built without settings reads the global settings live, so its key's limits run in whatever
     * store a later {@code setGlobal} brings (made with {@code builder()}: an in-process store of its own):
     * its definition goes along, and a build on them defining the key otherwise, live or not, through a
     * builder or an annotation, is refused in the words of one store, not left to share one limiter with it.
     */
    @Test
    void aRateLimitKeyAWrapperOnTheGlobalSettingsDefinesIsHeldToAfterSetGlobalBringsAnotherStore() throws Exception {
        ReboundSettings before = ReboundSettings.global();
        try {
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false).build());
            Chat slow = Rebound.wrap(Chat.class, (Chat) primary)
                    .withRateLimit(RateLimitPolicy.builder().key("held-across-set-global").requestsPerMinute(1)
                            .maxDelay(Duration.ZERO).build())
                    .withFallbacks(backup).build(); // no settings(...): reads the global ones live
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).listener(events).build());
            RateLimitPolicy fast = RateLimitPolicy.builder().key("held-across-set-global").requestsPerMinute(600)
                    .maxDelay(Duration.ZERO).build();
            String held = "rate limit \"held-across-set-global\" (requestsPerMinute 1, tokensPerMinute 0) with"
                    + " requestsPerMinute 600, tokensPerMinute 0; every method naming a rate limit key must give it the"
                    + " same limits";

            assertThatThrownBy(() -> Rebound.wrap(Chat.class, (Chat) p -> "fast").withRateLimit(fast).build())
                    .isInstanceOf(ReboundConfigurationException.class)
                    .hasMessage("Invalid Rebound configuration: Rebound.wrap(Chat): withRateLimit names " + held);
            assertThatThrownBy(() -> Rebound.wrap(Chat.class, (Chat) p -> "fast").withRateLimit(fast)
                    .settings(ReboundSettings.global()).build())
                    .hasMessage("Invalid Rebound configuration: Rebound.wrap(Chat): withRateLimit names " + held);
            assertThatThrownBy(() -> Rebound.wrap(FastChat.class, p -> "fast").build())
                    .hasMessage("Invalid Rebound configuration: FastChat.chat(String): @RateLimit.key names " + held);

            assertThat(slow.chat("a")).isEqualTo("primary");
            assertThat(slow.chat("b")).as("its own 1 request a minute").isEqualTo("backup");
            assertThat(primary.prompts).containsExactly("a");
            assertThat(events.of(Kind.RATE_LIMIT_REFUSED)).hasSize(1);
        } finally {
            ReboundSettings.setGlobal(before);
        }
    }

    /**
     * A store given to a wrapper before {@code setGlobal} makes its settings global may define a key otherwise
     * than the wrappers reading the global settings live: both were built, so {@code setGlobal} says it in a
     * WARN naming the key and both limits.
     */
    @Test
    void aRateLimitKeyDefinedOtherwiseOnTheStoreSetGlobalThenBringsIsAWarnLine() {
        ReboundSettings before = ReboundSettings.global();
        try {
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).logging(false).build());
            Rebound.wrap(Chat.class, (Chat) primary).withRateLimit(RateLimitPolicy.builder()
                    .key("warned-at-set-global").requestsPerMinute(1).build()).build(); // reads the global ones live
            ReboundSettings next = ReboundSettings.builder().timeSource(clock).logging(false).build();
            Rebound.wrap(Chat.class, (Chat) primary).withRateLimit(RateLimitPolicy.builder()
                    .key("warned-at-set-global").requestsPerMinute(600).build()).settings(next).build();

            String log = StdErr.during(() -> ReboundSettings.setGlobal(next));

            assertThat(log.lines()).containsExactly("[main] WARN dev.rebound - ReboundSettings.setGlobal: rate limit"
                    + " \"warned-at-set-global\" is defined with requestsPerMinute 1, tokensPerMinute 0 by methods"
                    + " reading the global settings live, and with requestsPerMinute 600, tokensPerMinute 0 by methods"
                    + " built on the new global settings' store: both count on the key's one limiter there, so one of"
                    + " the two is not applied; every method naming a rate limit key must give it the same limits");
        } finally {
            ReboundSettings.setGlobal(before);
        }
    }

    public interface Model {
        ChatResponse chat(String prompt);
    }

    @Test
    void tokensAreChargedBeforeAndReconciledAfterWithEventsAndMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReboundSettings metered = settings.toBuilder().listener(new MicrometerListener(registry)).build();
        Model model = p -> ChatResponse.builder().aiMessage(AiMessage.from("ok")).tokenUsage(new TokenUsage(30, 20))
                .build();
        Model limited = Rebound.wrap(Model.class, model)
                .withRateLimit(RateLimitPolicy.builder().key("tokens").requestsPerMinute(100).tokensPerMinute(1000)
                        .maxOutputTokens(100).build())
                .settings(metered).build();
        limited.chat("x".repeat(400)); // 100 prompt + 100 answer charged, 50 used
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_CHARGED)).singleElement()
                .satisfies(e -> assertThat(e.tokens()).isEqualTo(200));
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_REFUNDED)).singleElement()
                .satisfies(e -> assertThat(e.tokens()).isEqualTo(150));
        assertThat(registry.get(MicrometerListener.RATE_LIMIT_TOKENS).tag("direction", "charged").counter().count())
                .isEqualTo(200);
        assertThat(registry.get(MicrometerListener.RATE_LIMIT_TOKENS).tag("direction", "refunded").counter().count())
                .isEqualTo(150);
        assertThat(registry.get(MicrometerListener.RATE_LIMIT_TOKENS).tag("direction", "charged").counter().getId()
                .getTags()).extracting(t -> t.getKey()).containsExactlyInAnyOrder("interface", "method", "direction");
    }

    /**
     * A request whose estimate is above the token limit is charged the whole limit; the events report
     * that charge, and the usage is reconciled against it: here 5,000 estimated, 1,000 charged, 1,100
     * used, so 100 more are charged (the bucket is 100 in debt) and the next call of 1,000 waits for
     * 1,100 tokens to refill at 1,000 a minute: 66 s.
     */
    @Test
    void anEstimateAboveTheTokenLimitIsChargedAndReconciledAsTheWholeLimit() {
        Model model = p -> ChatResponse.builder().aiMessage(AiMessage.from("ok")).tokenUsage(new TokenUsage(1_000, 100))
                .build();
        Model limited = Rebound.wrap(Model.class, model)
                .withRateLimit(RateLimitPolicy.builder().key("oversized").requestsPerMinute(1_000).tokensPerMinute(1_000)
                        .maxOutputTokens(0).maxDelay(Duration.ofMinutes(5)).build())
                .settings(settings).build();

        limited.chat("a".repeat(20_000)); // estimated 5,000 tokens
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_CHARGED)).extracting(ReboundEvent::tokens).containsExactly(1_000L, 100L);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_REFUNDED)).isEmpty();
        assertThat(clock.sleeps()).isEmpty();

        limited.chat("b".repeat(4_000)); // estimated 1,000 tokens
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(66));
    }

    /**
     * The provider answered each attempt, and billed 1,000 tokens for it; the retry's result predicate
     * rejected the blank answer. Each rejected answer is still settled against its usage: 200 charged
     * before, 800 more after, nothing refunded.
     */
    @Test
    void anAnswerTheRetryRejectsWasBilledSoItsUsageIsChargedNotRefunded() {
        Model model = p -> ChatResponse.builder().aiMessage(AiMessage.from(" ")).tokenUsage(new TokenUsage(100, 900))
                .build();
        Model limited = Rebound.wrap(Model.class, model)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).jitter(false)
                        .retryOnResult((ChatResponse r) -> r.aiMessage().text().isBlank()).build())
                .withRateLimit(RateLimitPolicy.builder().key("rejected-usage").requestsPerMinute(100)
                        .tokensPerMinute(10_000).maxOutputTokens(100).build())
                .settings(settings).build();

        assertThatThrownBy(() -> limited.chat("x".repeat(400))) // 100 prompt + 100 answer estimated per attempt
                .isInstanceOf(RejectedResultException.class);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_CHARGED)).extracting(ReboundEvent::tokens)
                .containsExactly(200L, 800L, 200L, 800L);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_REFUNDED)).isEmpty();
    }

    /**
     * Settings made from others with another clock (as a test makes its own from a shared base) share the
     * store but not a bucket: one made under the first clock would read its refill from a clock that no
     * longer moves and never refill. The second gets its own minute's request, and its own refill.
     */
    @Test
    void settingsWithAClockOfTheirOwnGetBucketsOfTheirOwnFromASharedStore() throws Exception {
        RateLimitPolicy oneAMinute = RateLimitPolicy.builder().key("per-clock").requestsPerMinute(1)
                .maxDelay(Duration.ZERO).build();
        ReboundSettings test1 = settings.toBuilder().timeSource(new VirtualTimeSource()).build();
        Chat first = Rebound.wrap(Chat.class, (Chat) primary).withRateLimit(oneAMinute).settings(test1).build();
        VirtualTimeSource clock2 = new VirtualTimeSource();
        ReboundSettings test2 = settings.toBuilder().timeSource(clock2).build();
        Chat second = Rebound.wrap(Chat.class, (Chat) primary).withRateLimit(oneAMinute).settings(test2).build();

        assertThat(test2.rateLimitStore()).isSameAs(test1.rateLimitStore());
        assertThat(first.chat("a")).isEqualTo("primary");
        assertThat(second.chat("b")).as("the second clock's own request").isEqualTo("primary");
        assertThatThrownBy(() -> second.chat("c")).isInstanceOf(RateLimitRefusedException.class);
        clock2.advance(Duration.ofMinutes(1));
        assertThat(second.chat("d")).as("refilled on its own clock").isEqualTo("primary");
        assertThat(primary.prompts).containsExactly("a", "b", "d");
    }

    /**
     * The provider answered after the attempt's time was up (3 s of a 2 s timeout, its client deaf to
     * the interrupt), and the retry's predicate rejected the answer: the attempt fails on its timeout,
     * but the answer was produced and billed, so it is settled against its usage, not refunded.
     */
    @Test
    void anAnswerRejectedAndCutByTheAttemptTimeoutWasBilledSoItsUsageIsCharged() {
        Model late = p -> {
            clock.advance(Duration.ofSeconds(3));
            return ChatResponse.builder().aiMessage(AiMessage.from(" ")).tokenUsage(new TokenUsage(100, 900)).build();
        };
        Model limited = Rebound.wrap(Model.class, late)
                .withRetry(RetryPolicy.builder().attempts(1).attemptTimeout(Duration.ofSeconds(2))
                        .retryOnResult((ChatResponse r) -> r.aiMessage().text().isBlank()).build())
                .withRateLimit(RateLimitPolicy.builder().key("rejected-late-usage").requestsPerMinute(100)
                        .tokensPerMinute(10_000).maxOutputTokens(100).build())
                .settings(settings).build();

        assertThatThrownBy(() -> limited.chat("x".repeat(400)))
                .isInstanceOf(AttemptTimeoutException.class).hasCauseInstanceOf(RejectedResultException.class);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_CHARGED)).extracting(ReboundEvent::tokens)
                .containsExactly(200L, 800L);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_REFUNDED)).isEmpty();
        assertThat(Thread.interrupted()).isFalse();
    }

    /** As a retried rejection: an answer {@code fallbackOnResult} sends to the alternatives was billed too. */
    @Test
    void anAnswerSentToTheFallbacksByItsResultWasBilledSoItsUsageIsCharged() {
        Model model = p -> ChatResponse.builder().aiMessage(AiMessage.from("cut")).tokenUsage(new TokenUsage(100, 400))
                .build();
        Model backupModel = p -> ChatResponse.builder().aiMessage(AiMessage.from("whole")).build();
        Model limited = Rebound.wrap(Model.class, model)
                .withRateLimit(RateLimitPolicy.builder().key("fallback-on-result-usage").requestsPerMinute(100)
                        .tokensPerMinute(10_000).maxOutputTokens(100).build())
                .withFallbacks(backupModel).fallbackOnResult((ChatResponse r) -> r.aiMessage().text().equals("cut"))
                .settings(settings).build();

        assertThat(limited.chat("x".repeat(400)).aiMessage().text()).isEqualTo("whole");
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_CHARGED)).extracting(ReboundEvent::tokens)
                .containsExactly(200L, 300L);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_REFUNDED)).isEmpty();
    }

    /**
     * The target's own resilient call rejected its answer and threw: that answer is the nested call's,
     * and this attempt produced none, so its estimate is refunded (the rejection is told apart by
     * identity, not by its type).
     */
    @Test
    void aNestedCallsRejectedAnswerIsNotThisAttemptsAnswer() {
        Model nested = Rebound.wrap(Model.class, (Model) p -> ChatResponse.builder().aiMessage(AiMessage.from(" "))
                        .tokenUsage(new TokenUsage(100, 900)).build())
                .withRetry(RetryPolicy.builder().attempts(1)
                        .retryOnResult((ChatResponse r) -> r.aiMessage().text().isBlank()).build())
                .settings(settings).build();
        Model limited = Rebound.wrap(Model.class, (Model) nested::chat)
                .withRateLimit(RateLimitPolicy.builder().key("nested-rejection").requestsPerMinute(100)
                        .tokensPerMinute(10_000).maxOutputTokens(100).build())
                .settings(settings).build();

        assertThatThrownBy(() -> limited.chat("x".repeat(400))).isInstanceOf(RejectedResultException.class);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_CHARGED)).extracting(ReboundEvent::tokens).containsExactly(200L);
        assertThat(events.of(Kind.RATE_LIMIT_TOKENS_REFUNDED)).extracting(ReboundEvent::tokens).containsExactly(200L);
    }
}

package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every fault of the model server, through the real langchain4j OpenAI client over loopback HTTP:
 * what the caller sees, how many requests each model got, and the waits chosen (virtual clock).
 * The policy: 3 attempts on gpt-4, 100 ms doubling, no jitter, then gpt-3.5-turbo once.
 */
class FaultKindsOverHttpTest {

    private static final String PROMPT = "How does Rebound ensure reliability?";
    private static final String GPT4_ANSWER = ModelServer.answerFor("gpt-4", PROMPT);
    private static final String GPT35_ANSWER = ModelServer.answerFor("gpt-3.5-turbo", PROMPT);

    @RegisterExtension
    static final ModelServerExtension models = LoopbackModels.warmedUp(new ModelServerExtension());
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    @BeforeEach
    void reset() {
        RetryAfter.clear();
    }

    private static RetryPolicy.Builder policy() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).multiplier(2.0)
                .maxDelay(Duration.ofSeconds(10)).jitter(false);
    }

    private ChatModel resilient(RetryPolicy policy, ChatModel gpt4) {
        return Rebound.wrap(ChatModel.class, gpt4).withRetry(policy)
                .withFallbacks(openAi(server, "gpt-3.5-turbo")).settings(rec.settings()).build();
    }

    private ChatModel resilient(RetryPolicy policy) {
        return resilient(policy, openAi(server, "gpt-4"));
    }

    private ChatModel resilient() {
        return resilient(policy().build());
    }

    @Test
    void unavailable503IsRetriedWithExponentialBackoff() {
        server.script("gpt-4", Fault.unavailable(), Fault.unavailable());

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(server.requests("gpt-3.5-turbo")).isZero();
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(rec.retryReasons()).containsExactly("backoff", "backoff");
        assertThat(rec.attemptFailures()).hasSize(2).allMatch(f -> f instanceof InternalServerException);
    }

    @Test
    void serverError500OnEveryAttemptFallsBackToTheNextModel() {
        server.always("gpt-4", Fault.serverError());

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT35_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(rec.exhaustedReasons()).containsExactly("attempts");
    }

    @Test
    void rateLimit429WaitsWhatTheServerSuggests() {
        server.script("gpt-4", Fault.rateLimited(Duration.ofMillis(1500)), Fault.rateLimited(Duration.ofSeconds(2)));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(1500), Duration.ofSeconds(2));
        assertThat(rec.retryReasons()).containsExactly("retry-after", "retry-after");
        assertThat(rec.attemptFailures()).allMatch(f -> f instanceof RateLimitException);
    }

    @Test
    void retryAfterInWholeSecondsAlone() {
        server.script("gpt-4", Fault.status(429).withHeader("Retry-After", "3"));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void retryAfterAsAnHttpDate() {
        Instant until = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(8);
        server.script("gpt-4", Fault.rateLimitedUntil(until));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(rec.clock.sleeps()).hasSize(1);
        assertThat(rec.clock.sleeps().get(0)).isBetween(Duration.ofSeconds(6), Duration.ofSeconds(8));
        assertThat(rec.retryReasons()).containsExactly("retry-after");
    }

    @Test
    void rateLimitResetHeaderIsAHintToo() {
        server.script("gpt-4", Fault.status(429).withHeader("x-ratelimit-remaining-requests", "0")
                .withHeader("x-ratelimit-reset-requests", "1.5s").withHeader("x-ratelimit-reset-tokens", "6m0s"));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(1500));
    }

    /**
     * A reset in plain seconds, as the rate limiter reads it: the retry waits the 2 s the server says its
     * used-up limit needs, not its 100 ms backoff into that limit.
     */
    @Test
    void aResetInPlainSecondsOnA429WithNoRequestsLeftIsTheRetrysWait() {
        server.script("gpt-4", Fault.status(429).withHeader("x-ratelimit-remaining-requests", "0")
                .withHeader("x-ratelimit-reset-requests", "2"));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofSeconds(2));
        assertThat(rec.retryReasons()).containsExactly("retry-after");
    }

    /**
     * OpenAI sends its x-ratelimit-* headers on every response; a reset is when the limit is whole
     * again, not a wait. A 503 carrying them, no limit used up, is a plain 503: the backoff.
     */
    @Test
    void a503CarryingOpenAisEverydayRateLimitHeadersIsRetriedWithTheBackoff() {
        server.script("gpt-4", Fault.unavailable()
                .withHeader("x-ratelimit-limit-requests", "500").withHeader("x-ratelimit-remaining-requests", "499")
                .withHeader("x-ratelimit-reset-requests", "120ms").withHeader("x-ratelimit-limit-tokens", "150000")
                .withHeader("x-ratelimit-remaining-tokens", "149984").withHeader("x-ratelimit-reset-tokens", "6m0s"));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(rec.exhaustedReasons()).isEmpty();
    }

    /** Anthropic's anthropic-ratelimit-*-reset comes with every response too: a 500 with them, none at 0. */
    @Test
    void a500CarryingAnthropicsEverydayRateLimitHeadersIsRetriedWithTheBackoff() {
        server.script("gpt-4", Fault.serverError()
                .withHeader("anthropic-ratelimit-requests-limit", "50")
                .withHeader("anthropic-ratelimit-requests-remaining", "49")
                .withHeader("anthropic-ratelimit-requests-reset", Instant.now().plusSeconds(40).toString()));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(rec.exhaustedReasons()).isEmpty();
    }

    /** A limit the 5xx says is used up is a wait all the same: the next request would be refused before it. */
    @Test
    void a503WhoseRequestLimitIsUsedUpWaitsForThatLimitsReset() {
        server.script("gpt-4", Fault.unavailable().withHeader("x-ratelimit-remaining-requests", "0")
                .withHeader("x-ratelimit-reset-requests", "1.5s").withHeader("x-ratelimit-reset-tokens", "6m0s"));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(1500));
        assertThat(rec.retryReasons()).containsExactly("retry-after");
    }

    /** The model server's own request limit adds its x-ratelimit-* headers to every scripted fault. */
    @Test
    void aScripted503WithinTheServersOwnRequestLimitIsRetriedWithTheBackoff() {
        server.limitRequestsPerMinute("gpt-4", 2);
        server.script("gpt-4", Fault.unavailable());

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.rateLimited("gpt-4")).isZero();
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(rec.exhaustedReasons()).isEmpty();
    }

    @Test
    void retryAfterBeyondMaxDelayEndsTheRetriesAndFallsBack() {
        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(30)));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT35_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(rec.clock.sleeps()).isEmpty();
        assertThat(rec.exhaustedReasons()).containsExactly("retry-after-exceeds-max-delay");
    }

    @Test
    void retryAfterShorterThanTheBackoffKeepsTheBackoff() {
        server.script("gpt-4", Fault.rateLimited(Duration.ofMillis(20)));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.retryReasons()).containsExactly("backoff");
    }

    @Test
    void retryAfterPastMaxDurationEndsTheRetriesAndFallsBack() {
        server.always("gpt-4", Fault.rateLimited(Duration.ofSeconds(30)));
        RetryPolicy deadline = policy().maxDelay(Duration.ofSeconds(60)).maxDuration(Duration.ofSeconds(5)).build();

        assertThat(resilient(deadline).chat(PROMPT)).isEqualTo(GPT35_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(rec.clock.sleeps()).isEmpty();
        assertThat(rec.exhaustedReasons()).containsExactly("deadline");
    }

    @Test
    void slowAnswerPastTheClientTimeoutIsATimeoutAndIsRetriedThenFallsBack() {
        // a short client timeout, a server that answers well after it: no attempt can win a race
        server.always("gpt-4", Fault.slowAnswer(Duration.ofMillis(1500)));
        ChatModel model = resilient(policy().attempts(2).build(), openAi(server, "gpt-4", Duration.ofMillis(300)));

        assertThat(model.chat(PROMPT)).isEqualTo(GPT35_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(rec.attemptFailures()).hasSize(2).allMatch(f -> f instanceof TimeoutException);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void droppedConnectionIsRetried() {
        server.script("gpt-4", Fault.dropConnection());

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(2);
        Throwable dropped = rec.attemptFailures().get(0);
        assertThat(dropped).isExactlyInstanceOf(RuntimeException.class).hasRootCauseInstanceOf(IOException.class);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void malformedBodyIsRetried() {
        server.script("gpt-4", Fault.malformedBody());

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT4_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.attemptFailures()).singleElement()
                .satisfies(f -> assertThat(f).hasCauseInstanceOf(JsonProcessingException.class));
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "400, dev.langchain4j.exception.InvalidRequestException",
        "401, dev.langchain4j.exception.AuthenticationException",
        "403, dev.langchain4j.exception.AuthenticationException",
        "404, dev.langchain4j.exception.ModelNotFoundException"})
    void nonRetriableStatusGoesStraightToTheFallback(int status, Class<?> seen) {
        server.always("gpt-4", Fault.status(status));

        assertThat(resilient().chat(PROMPT)).isEqualTo(GPT35_ANSWER);

        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(rec.attemptFailures()).singleElement().isExactlyInstanceOf(seen);
        assertThat(rec.clock.sleeps()).isEmpty();
        assertThat(rec.exhaustedReasons()).containsExactly("not-retryable");
    }

    /**
     * A parameter the real OpenAI client does not support ({@code topK}) is refused before anything is sent,
     * the same on every attempt: not retried, straight to the fallback (here the same client class, which
     * refuses it too: nothing reaches the server, no wait is slept).
     */
    @Test
    void anUnsupportedFeatureIsNotRetriedItGoesStraightToTheFallback() {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(PROMPT)).topK(5).build();

        Throwable caught = catchThrowable(() -> resilient().chat(request));

        assertThat(caught).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("'topK' parameter is not supported");
        assertThat(server.requests("gpt-4")).isZero();
        assertThat(server.requests("gpt-3.5-turbo")).isZero();
        assertThat(rec.attemptFailures()).as("one attempt on gpt-4, one on gpt-3.5-turbo").hasSize(2)
                .allMatch(f -> f instanceof UnsupportedFeatureException);
        assertThat(rec.exhaustedReasons()).containsExactly("not-retryable", "not-retryable");
        assertThat(rec.clock.sleeps()).isEmpty();
    }

    @Test
    void everyModelDownTheCallerGetsThePrimarysLastFailureWithTheRestSuppressed() {
        server.always("gpt-4", Fault.unavailable());
        server.always("gpt-3.5-turbo", Fault.serverError());

        Throwable thrown = catchThrowable(() -> resilient().chat(PROMPT));

        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        var failures = rec.attemptFailures();
        assertThat(failures).hasSize(4);
        assertThat(thrown).isInstanceOf(InternalServerException.class).isSameAs(failures.get(2));
        assertThat(thrown.getSuppressed()).containsExactly(failures.get(0), failures.get(1), failures.get(3));
    }

    @Test
    void withoutAPolicyTheRequestCountIsExactlyTheAttempts() {
        server.always("gpt-4", Fault.unavailable());
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(policy().attempts(4).build()).settings(rec.settings()).build();

        assertThatThrownBy(() -> model.chat(PROMPT)).isInstanceOf(InternalServerException.class);

        assertThat(server.requests("gpt-4")).isEqualTo(4);
        assertThat(rec.clock.sleeps()).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void theHintTravelsOnTheFailureAndNothingIsLeftOnTheThread() {
        ChatModel gpt4 = openAi(server, "gpt-4");
        server.script("gpt-4", Fault.rateLimited(Duration.ofMillis(1234)));

        Throwable t = catchThrowable(() -> gpt4.chat(PROMPT));

        assertThat(t).isInstanceOf(RateLimitException.class);
        assertThat(dev.rebound.runtime.internal.ServerVerdict.find(t).waitNanos())
                .isEqualTo(Duration.ofMillis(1234).toNanos());
        assertThat(RetryAfter.takeNanos()).isZero();
    }
}

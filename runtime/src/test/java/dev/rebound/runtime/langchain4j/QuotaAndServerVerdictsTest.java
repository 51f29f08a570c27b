package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 2, end to end over real HTTP: what each provider verdict does to a call with 3
 * attempts on gpt-4 (100 ms doubling, no jitter, maxDelay 10 s) and gpt-3.5-turbo as fallback.
 */
class QuotaAndServerVerdictsTest {

    private static final String PROMPT = "Summarise the incident";
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    private ChatModel resilient() {
        // docs:llm-quota-chain
        ChatModel gpt4 = OpenAiChatModel.builder()
                .baseUrl(server.baseUrl()).apiKey("test-key").modelName("gpt-4")
                .maxRetries(0)                                              // Rebound retries
                .httpClientBuilder(RetryAfterHttpClientBuilder.create())    // reads headers and error bodies
                .build();
        ChatModel resilient = Rebound.wrap(ChatModel.class, gpt4)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100))
                        .maxDelay(Duration.ofSeconds(10)).jitter(false).build())
                .withFallbacks(openAi(server, "gpt-3.5-turbo"))
                .settings(rec.settings())
                .build();
        // /docs:llm-quota-chain
        return resilient;
    }

    private void assertStraightToTheFallbackWith(String reason) {
        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", PROMPT));
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(rec.exhaustedReasons()).containsExactly(reason);
        assertThat(rec.clock.sleeps()).isEmpty();
    }

    @Test
    void openAiQuota429IsNotRetriedAndGoesToTheFallback() {
        server.always("gpt-4", Fault.quotaExhausted());
        assertStraightToTheFallbackWith("quota-exhausted");
    }

    @Test
    void azureQuota429IsNotRetried() {
        server.always("gpt-4", Fault.azureQuotaExhausted());
        assertStraightToTheFallbackWith("quota-exhausted");
    }

    @Test
    void anthropicBillingErrorIsNotRetried() {
        server.always("gpt-4", Fault.anthropicBillingError());
        assertStraightToTheFallbackWith("quota-exhausted");
    }

    @Test
    void geminiDailyQuotaIsNotRetried() {
        server.always("gpt-4", Fault.geminiDailyQuotaExhausted());
        assertStraightToTheFallbackWith("quota-exhausted");
    }

    @Test
    void aQuotaFailureIsNotRetriedEvenWhenRetryOnListsItsType() {
        server.always("gpt-4", Fault.quotaExhausted());
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).retryOn(RateLimitException.class).build())
                .settings(rec.settings()).build();

        assertThat(catchThrowable(() -> model.chat(PROMPT))).isInstanceOf(RateLimitException.class);
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(rec.exhaustedReasons()).containsExactly("quota-exhausted");
    }

    @Test
    void xShouldRetryFalseEndsTheRetries() {
        server.always("gpt-4", Fault.unavailable().withHeader("x-should-retry", "false"));
        assertStraightToTheFallbackWith("server-declined-retry");
    }

    @Test
    void xShouldRetryTrueRetriesWhatTheClassifierWouldNot() {
        server.script("gpt-4", Fault.status(400).withHeader("x-should-retry", "true"));

        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-4", PROMPT));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.retryReasons()).containsExactly("backoff");
    }

    @Test
    void withoutTheHeaderA400IsNotRetried() {
        server.script("gpt-4", Fault.status(400));

        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", PROMPT));
        assertThat(rec.attemptFailures()).first().isInstanceOf(InvalidRequestException.class);
        assertThat(rec.exhaustedReasons()).containsExactly("not-retryable");
    }

    @Test
    void anthropicResetHeaderIsTheNextWait() {
        // the reset is an instant on the wall clock: 2 s from now, within a second of the request
        server.script("gpt-4", Fault.anthropicRateLimited(Instant.now().plusSeconds(2)));

        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-4", PROMPT));
        assertThat(rec.retryReasons()).containsExactly("retry-after");
        assertThat(rec.clock.sleeps().get(0)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
    }

    @Test
    void geminiRetryInfoInTheBodyIsTheNextWait() {
        server.script("gpt-4", Fault.geminiRateLimited(Duration.ofMillis(1500)));

        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-4", PROMPT));
        assertThat(rec.retryReasons()).containsExactly("retry-after");
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(1500));
    }

    @Test
    void ietfRateLimitFieldIsTheNextWait() {
        server.script("gpt-4", Fault.ietfRateLimited(Duration.ofSeconds(2)));

        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-4", PROMPT));
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void aHintBeyondMaxDelayStillEndsTheRetries() {
        server.always("gpt-4", Fault.geminiRateLimited(Duration.ofSeconds(30)));

        assertStraightToTheFallbackWith("retry-after-exceeds-max-delay");
        assertThat(rec.attemptFailures()).first().isInstanceOf(RateLimitException.class);
    }

    @Test
    void aPlainServerErrorIsStillRetriedWithBackoff() {
        server.script("gpt-4", Fault.serverError());

        assertThat(resilient().chat(PROMPT)).isEqualTo(ModelServer.answerFor("gpt-4", PROMPT));
        assertThat(rec.attemptFailures()).first().isInstanceOf(InternalServerException.class);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.attemptFailures()).hasSize(1);
    }
}

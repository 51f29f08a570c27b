package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.internal.ServerVerdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 2: each provider's way of saying "out of quota", "wait this long" or "do (not)
 * retry", served by the model server and read by {@link RetryAfterHttpClientBuilder} under
 * langchain4j's real OpenAI client; the verdict travels on the failure itself.
 */
class ProviderVerdictsOverHttpTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    private static Throwable failureOf(Fault fault) {
        server.reset();
        server.script("gpt-4", fault);
        dev.langchain4j.model.openai.OpenAiChatModel model = dev.langchain4j.model.openai.OpenAiChatModel.builder()
                .baseUrl(server.baseUrl()).apiKey("k").modelName("gpt-4").maxRetries(0)
                .timeout(Duration.ofSeconds(5))
                .httpClientBuilder(RetryAfterHttpClientBuilder.wrap(new dev.langchain4j.http.client.jdk.JdkHttpClientBuilder(),
                        Clock.fixed(NOW, ZoneOffset.UTC)))
                .build();
        Throwable t = catchThrowable(() -> model.chat("hi"));
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        return t;
    }

    @Test
    void openAiInsufficientQuotaIsAQuotaFailure() {
        Throwable t = failureOf(Fault.quotaExhausted());

        assertThat(t).isInstanceOf(RateLimitException.class).hasCauseInstanceOf(HttpException.class);
        assertThat(((HttpException) t.getCause()).statusCode()).isEqualTo(429);
        assertThat(t.getCause().getMessage()).contains("insufficient_quota");
        ServerVerdict v = ServerVerdict.find(t);
        assertThat(v.quota()).isEqualTo("insufficient_quota");
        assertThat(v.waitNanos()).isZero();
    }

    @Test
    void azureInsufficientQuotaIsAQuotaFailure() {
        assertThat(ServerVerdict.find(failureOf(Fault.azureQuotaExhausted())).quota()).isEqualTo("InsufficientQuota");
    }

    @Test
    void anthropicBillingErrorIsAQuotaFailure() {
        assertThat(ServerVerdict.find(failureOf(Fault.anthropicBillingError())).quota()).isEqualTo("billing_error");
    }

    @Test
    void geminiDailyQuotaIsAQuotaFailure() {
        assertThat(ServerVerdict.find(failureOf(Fault.geminiDailyQuotaExhausted())).quota())
                .isEqualTo("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
    }

    @Test
    void geminiPerMinuteLimitIsARateLimitWithTheBodysRetryDelay() {
        ServerVerdict v = ServerVerdict.find(failureOf(Fault.geminiRateLimited(Duration.ofMillis(1500))));

        assertThat(v.quota()).isNull();
        assertThat(v.waitNanos()).isEqualTo(Duration.ofMillis(1500).toNanos());
    }

    @Test
    void anthropicResetHeaderIsTheWait() {
        ServerVerdict v = ServerVerdict.find(failureOf(Fault.anthropicRateLimited(NOW.plusSeconds(12))));

        assertThat(v.quota()).isNull();
        assertThat(v.waitNanos()).isEqualTo(Duration.ofSeconds(12).toNanos());
    }

    @Test
    void ietfRateLimitFieldIsTheWait() {
        ServerVerdict v = ServerVerdict.find(failureOf(Fault.ietfRateLimited(Duration.ofSeconds(7))));

        assertThat(v.waitNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
    }

    @Test
    void xShouldRetryIsRead() {
        assertThat(ServerVerdict.find(failureOf(Fault.status(409).withHeader("x-should-retry", "true")))
                .shouldRetry()).isTrue();
        assertThat(ServerVerdict.find(failureOf(Fault.unavailable().withHeader("x-should-retry", "false")))
                .shouldRetry()).isFalse();
    }

    @Test
    void aPlainRateLimitCarriesItsRetryAfter() {
        ServerVerdict v = ServerVerdict.find(failureOf(Fault.rateLimited(Duration.ofMillis(800))));

        assertThat(v.quota()).isNull();
        assertThat(v.shouldRetry()).isNull();
        assertThat(v.waitNanos()).isEqualTo(Duration.ofMillis(800).toNanos());
    }

    @Test
    void aFailureThatSaysNothingCarriesNoVerdict() {
        Throwable t = failureOf(Fault.serverError());

        assertThat(ServerVerdict.find(t)).isNull();
        assertThat(t.getCause()).isExactlyInstanceOf(HttpException.class);
    }

    @Test
    void theDefaultBuilderIsWhatTheReadmeRecommends() {
        server.script("gpt-4", Fault.quotaExhausted());
        Throwable t = catchThrowable(() -> openAi(server, "gpt-4").chat("hi"));

        assertThat(ServerVerdict.find(t).quota()).isEqualTo("insufficient_quota");
    }
}

package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Classifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 1: a list of failure types matches a failure whose cause is listed. langchain4j's
 * JDK client reports a refused connection as a bare RuntimeException caused by the ConnectException;
 * each test makes real requests to a closed loopback port.
 */
class CauseAwareFiltersTest {

    private static String closedBaseUrl;
    private LoopbackModels.Recording rec;

    @BeforeAll
    static void findClosedPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        closedBaseUrl = "http://127.0.0.1:" + port + "/v1";
    }

    @BeforeEach
    void recording() {
        rec = new LoopbackModels.Recording();
    }

    private static ChatModel unreachable(String model) {
        return OpenAiChatModel.builder().baseUrl(closedBaseUrl).apiKey("k").modelName(model)
                .timeout(Duration.ofSeconds(5)).maxRetries(0)
                .httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();
    }

    private static RetryPolicy.Builder threeAttempts() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false);
    }

    private long failedAttempts() {
        return rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).count();
    }

    @Test
    void langchain4jRefusedConnectionIsWrappedSoTheCauseIsWhatMatches() {
        Throwable refused = catchThrowable(() -> unreachable("gpt-4").chat("hi"));

        assertThat(refused).isExactlyInstanceOf(RuntimeException.class).hasCauseInstanceOf(ConnectException.class);
    }

    @Test
    void retryOnConnectExceptionRetriesALangchain4jConnectionFailure() {
        // docs:llm-cause-filter
        ChatModel model = Rebound.wrap(ChatModel.class, unreachable("gpt-4"))   // refused: RuntimeException(ConnectException)
                .withRetry(threeAttempts().retryOn(ConnectException.class).build()) // matches the cause
                .settings(rec.settings()).build();
        // /docs:llm-cause-filter

        Throwable thrown = catchThrowable(() -> model.chat("hi"));

        assertThat(thrown).hasCauseInstanceOf(ConnectException.class);
        assertThat(failedAttempts()).isEqualTo(3);
        assertThat(rec.retryReasons()).containsExactly("backoff", "backoff");
        assertThat(rec.exhaustedReasons()).containsExactly("attempts");
    }

    @Test
    void fallbackOnConnectExceptionCatchesALangchain4jConnectionFailure() {
        ChatModel backup = unreachable("backup");
        ChatModel model = Rebound.wrap(ChatModel.class, unreachable("gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks(backup).fallbackOn(ConnectException.class)
                .settings(rec.settings()).build();

        catchThrowable(() -> model.chat("hi"));

        assertThat(rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).count()).isEqualTo(1);
    }

    @Test
    void abortOnACauseWinsOverRetryOnTheThrownType() {
        ChatModel model = Rebound.wrap(ChatModel.class, unreachable("gpt-4"))
                .withRetry(threeAttempts().retryOn(RuntimeException.class).abortOn(ConnectException.class).build())
                .settings(rec.settings()).build();

        catchThrowable(() -> model.chat("hi"));

        assertThat(failedAttempts()).isEqualTo(1);
        assertThat(rec.exhaustedReasons()).containsExactly("not-retryable");
    }

    @Test
    void breakerFailOnACauseRecordsALangchain4jConnectionFailure() {
        ChatModel model = Rebound.wrap(ChatModel.class, unreachable("gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).failOn(ConnectException.class).build())
                .settings(rec.settings()).build();

        catchThrowable(() -> model.chat("one"));
        catchThrowable(() -> model.chat("two"));

        assertThat(rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED).count())
                .isEqualTo(1);
    }

    @Test
    void retryOnIOExceptionRetriesAnUncheckedIOException() {
        Supplier<String> failing = () -> {
            throw new UncheckedIOException(new IOException("reset"));
        };
        @SuppressWarnings("unchecked")
        Supplier<String> model = Rebound.wrap(Supplier.class, failing)
                .withRetry(threeAttempts().retryOn(IOException.class).build()).settings(rec.settings()).build();

        catchThrowable(model::get);

        assertThat(failedAttempts()).isEqualTo(3);
    }

    @Test
    void causeWalkIsBoundedAndEndsOnACycle() {
        Cyclic a = new Cyclic();
        Cyclic b = new Cyclic();
        a.cause = b;
        b.cause = a;
        assertThat(Classifier.matchesAny(a, new Class<?>[] {IOException.class})).isFalse();

        Throwable deep = new IOException("root");
        for (int i = 0; i < Classifier.MAX_CAUSE_DEPTH; i++) {
            deep = new RuntimeException(deep);
        }
        assertThat(Classifier.matchesAny(deep, new Class<?>[] {IOException.class})).isTrue();
        assertThat(Classifier.matchesAny(new RuntimeException(deep), new Class<?>[] {IOException.class})).isFalse();
    }

    /** A failure whose cause chain loops back (getCause is overridable; initCause refuses cycles). */
    private static final class Cyclic extends RuntimeException {
        Throwable cause;

        @Override
        public synchronized Throwable getCause() {
            return cause;
        }
    }
}

package dev.rebound.runtime.observation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the trace of a call through {@code Rebound.wrap} shows of the special ends of an attempt and of
 * a fallback handler: each as the observability guide's table says.
 */
class TracedOutcomesTest {

    public interface Chat {
        String chat(String prompt);
    }

    final OtelTracing tracing = new OtelTracing();
    final VirtualTimeSource clock = new VirtualTimeSource();
    final ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
            .tracer(new ObservationTracer(tracing.registry())).build();

    @AfterEach
    void close() {
        tracing.close();
    }

    static final Chat DOWN = prompt -> {
        throw new IllegalStateException("down");
    };

    static final class CannedHandler implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "canned";
        }
    }

    enum WalkingHandler implements FallbackHandler {
        INSTANCE;

        @Override
        public Object handle(FallbackContext call) throws Throwable {
            return call.next(call.arguments());
        }
    }

    public static final class Backup1 implements Chat {
        @Override
        public String chat(String prompt) {
            throw new IllegalStateException("b1 down");
        }
    }

    public static final class Backup2 implements Chat {
        @Override
        public String chat(String prompt) {
            return "b2";
        }
    }

    @Test
    void aFallbackHandlersFallbackIsAFallbackSwitchInTheTrace() {
        Chat chat = Rebound.wrap(Chat.class, DOWN).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).jitter(false).build())
                .withFallbackHandler(new CannedHandler()).settings(settings).build();

        assertThat(chat.chat("q")).isEqualTo("canned");

        assertThat(tracing.tree()).isEqualTo("""
                Chat.chat rebound.method=Chat.chat(String) rebound.outcome=fallback status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=java.lang.IllegalStateException rebound.outcome=failure \
                rebound.target=gpt-4 rebound.wait.ms=10 rebound.wait.reason=backoff status=ERROR
                  attempt gpt-4 rebound.attempt=2 rebound.failure=java.lang.IllegalStateException rebound.outcome=failure \
                rebound.retry.stopped=attempts rebound.target=gpt-4 status=ERROR
                  fallback CannedHandler rebound.from=gpt-4 rebound.to=CannedHandler status=OK
                """);
    }

    @Test
    void aFallbackHandlerWalkingTheAlternativesShowsEachSwitchWithTheAttemptsUnderIt() {
        Chat chat = Rebound.wrap(Chat.class, DOWN).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks(new Backup1(), new Backup2())
                .withFallbackHandler(WalkingHandler.INSTANCE).settings(settings).build();

        assertThat(chat.chat("q")).isEqualTo("b2");

        assertThat(tracing.tree()).isEqualTo("""
                Chat.chat rebound.method=Chat.chat(String) rebound.outcome=fallback status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=java.lang.IllegalStateException rebound.outcome=failure \
                rebound.retry.stopped=attempts rebound.target=gpt-4 status=ERROR
                  fallback WalkingHandler rebound.from=gpt-4 rebound.to=WalkingHandler status=OK
                  fallback Backup1 rebound.from=WalkingHandler rebound.to=Backup1 status=OK
                    attempt Backup1 rebound.attempt=1 rebound.failure=java.lang.IllegalStateException \
                rebound.outcome=failure rebound.retry.stopped=attempts rebound.target=Backup1 status=ERROR
                  fallback Backup2 rebound.from=Backup1 rebound.to=Backup2 status=OK
                    attempt Backup2 rebound.attempt=1 rebound.outcome=success rebound.target=Backup2 status=OK
                """);
    }

    @Test
    void aRejectedAnswerIsAnAttemptWithOutcomeRejectedAndAnError() {
        AtomicInteger n = new AtomicInteger();
        Chat primary = prompt -> n.incrementAndGet() == 1 ? "" : "fine";
        Chat chat = Rebound.wrap(Chat.class, primary).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).jitter(false)
                        .retryOnResult((String s) -> s.isBlank()).build())
                .settings(settings).build();

        assertThat(chat.chat("q")).isEqualTo("fine");

        assertThat(tracing.tree()).isEqualTo("""
                Chat.chat rebound.method=Chat.chat(String) rebound.outcome=success_after_retry status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=dev.rebound.runtime.RejectedResultException \
                rebound.outcome=rejected rebound.target=gpt-4 rebound.wait.ms=10 rebound.wait.reason=backoff status=ERROR
                  attempt gpt-4 rebound.attempt=2 rebound.outcome=success rebound.target=gpt-4 status=OK
                """);
    }

    /** Nothing was sent: the attempt is refused, as a breaker's refusal, and the span is no error. */
    @Test
    void aRateLimitRefusalIsARefusedAttemptWithoutAnError() {
        Chat chat = Rebound.wrap(Chat.class, prompt -> "answer").named("gpt-4")
                .withRateLimit(RateLimitPolicy.builder().key("traced-outcomes-refusal").requestsPerMinute(1)
                        .maxDelay(Duration.ofSeconds(1)).build())
                .withFallbacks(new Backup2()).settings(settings).build();

        assertThat(chat.chat("a")).isEqualTo("answer");
        tracing.reset();
        assertThat(chat.chat("b")).isEqualTo("b2"); // the limit's next permit is a minute away

        assertThat(tracing.tree()).isEqualTo("""
                Chat.chat rebound.method=Chat.chat(String) rebound.outcome=fallback status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=dev.rebound.runtime.RateLimitRefusedException \
                rebound.outcome=refused rebound.retry.stopped=rate-limited rebound.target=gpt-4 status=OK
                  fallback Backup2 rebound.from=gpt-4 rebound.to=Backup2 status=OK
                    attempt Backup2 rebound.attempt=1 rebound.outcome=success rebound.target=Backup2 status=OK
                """);
    }

    @Test
    void aCircuitBreakerRefusalIsARefusedAttemptWithoutAnError() {
        Chat chat = Rebound.wrap(Chat.class, DOWN).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).build())
                .withFallbacks(new Backup2()).settings(settings).build();

        assertThat(chat.chat("a")).isEqualTo("b2"); // fails: the breaker opens
        tracing.reset();
        assertThat(chat.chat("b")).isEqualTo("b2");

        assertThat(tracing.tree()).isEqualTo("""
                Chat.chat rebound.method=Chat.chat(String) rebound.outcome=fallback status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=dev.rebound.runtime.CircuitBreakerOpenException \
                rebound.outcome=refused rebound.retry.stopped=circuit-open rebound.target=gpt-4 status=OK
                  fallback Backup2 rebound.from=gpt-4 rebound.to=Backup2 status=OK
                    attempt Backup2 rebound.attempt=1 rebound.outcome=success rebound.target=Backup2 status=OK
                """);
    }

    /**
     * The same exception thrown by a resilient call the target made (an inner client's open breaker) is
     * a failure of an attempt that ran: traced as one, with its error, and not retried by default.
     */
    @Test
    void anInnerBreakersRefusalIsAFailedAttemptOfTheOuterCall() {
        Chat inner = Rebound.wrap(Chat.class, DOWN).named("inner")
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
        try {
            inner.chat("opens it");
        } catch (IllegalStateException expected) {
            // the breaker is open now
        }
        Chat outer = Rebound.wrap(Chat.class, (Chat) inner::chat).named("outer")
                .withRetry(RetryPolicy.builder().attempts(3).build())
                .withFallbacks(new Backup2()).settings(settings).build();

        assertThat(outer.chat("q")).isEqualTo("b2");

        assertThat(tracing.tree()).isEqualTo("""
                Chat.chat rebound.method=Chat.chat(String) rebound.outcome=fallback status=OK
                  attempt outer rebound.attempt=1 rebound.failure=dev.rebound.runtime.CircuitBreakerOpenException \
                rebound.outcome=failure rebound.retry.stopped=not-retryable rebound.target=outer \
                status=ERROR
                  fallback Backup2 rebound.from=outer rebound.to=Backup2 status=OK
                    attempt Backup2 rebound.attempt=1 rebound.outcome=success rebound.target=Backup2 status=OK
                """);
    }
}

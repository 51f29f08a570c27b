package dev.rebound.runtime.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A tracer that throws never changes a call's outcome: like a throwing listener, it is ignored. */
class ThrowingTracerTest {

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    public interface AsyncChat {
        CompletableFuture<String> chat(String prompt);
    }

    /** Counts what it was told, and throws at every step. */
    static final class Throwing implements CallTrace {
        final AtomicInteger told = new AtomicInteger();

        private void fail() {
            told.incrementAndGet();
            throw new IllegalStateException("tracer broke");
        }

        @Override
        public void attemptStarted(String target, int attempt) {
            fail();
        }

        /** Asked of an asynchronous call only: its scope throws when closed. */
        @Override
        public Scope attemptCurrent() {
            return this::fail;
        }

        @Override
        public void attemptSucceeded() {
            fail();
        }

        @Override
        public void attemptFailed(Throwable failure) {
            fail();
        }

        @Override
        public void retryScheduled(long waitNanos, String reason) {
            fail();
        }

        @Override
        public void retriesStopped(String reason) {
            fail();
        }

        @Override
        public void fallback(String from, String to) {
            fail();
        }

        @Override
        public void ended(String outcome, Throwable failure) {
            fail();
        }
    }

    private static Chat chat(CallTracer tracer, Chat primary) {
        return Rebound.wrap(Chat.class, primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .withFallbacks(prompt -> "backup")
                .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource())
                        .tracer(tracer).build())
                .build();
    }

    @Test
    void aTraceThatThrowsAtEveryStepIsToldEverythingAndChangesNothing() throws IOException {
        Throwing trace = new Throwing();
        IOException down = new IOException();

        String answer = chat(method -> trace, prompt -> {
            throw down;
        }).chat("hi");

        assertThat(answer).isEqualTo("backup");
        // 2 attempts started + failed, 1 retry, 1 stop, 1 fallback, 1 attempt on the backup + success, 1 end
        assertThat(trace.told).hasValue(2 + 2 + 1 + 1 + 1 + 2 + 1);
    }

    @Test
    void aTraceThatThrowsAtEveryStepOfAnAsyncCallScopesIncludedIsToldEverythingAndChangesNothing() {
        Throwing trace = new Throwing();
        VirtualTimeSource clock = new VirtualTimeSource();
        AsyncChat chat = Rebound.wrap(AsyncChat.class, (AsyncChat) prompt -> CompletableFuture.failedFuture(
                new IOException())).withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .withFallbacks(prompt -> CompletableFuture.completedFuture("backup"))
                .settings(ReboundSettings.builder().logging(false).timeSource(clock).tracer(method -> trace).build())
                .build();

        CompletableFuture<String> answer = chat.chat("hi");
        clock.runScheduled();

        assertThat(answer).isCompletedWithValue("backup");
        // 3 attempts started, their 3 scopes closed; 2 failed, 1 retry, 1 stop, 1 fallback, 1 success, 1 end
        assertThat(trace.told).hasValue(3 + 3 + 2 + 1 + 1 + 1 + 1 + 1);
    }

    @Test
    void aTracerThatCannotStartATraceLeavesTheCallUntraced() {
        IOException down = new IOException();
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
            throw down;
        }).withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource())
                        .tracer(method -> {
                            throw new IllegalStateException("no tracer today");
                        }).build())
                .build();

        assertThatThrownBy(() -> chat.chat("hi")).isSameAs(down);
    }

    /** An observation handler (a meter handler's, an exporter's) that throws when an attempt stops. */
    static final class ThrowsWhenAnAttemptStops implements ObservationHandler<Observation.Context> {
        volatile boolean broken = true;

        @Override
        public void onStop(Observation.Context context) {
            if (ObservationTracer.ATTEMPT.equals(context.getName()) && broken) {
                throw new IllegalStateException("handler broke");
            }
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    /**
     * A handler that throws as an attempt stops must not leave the call current on the caller's thread:
     * the call still ends, and the next, unrelated call on the thread is a trace of its own.
     */
    @Test
    void aHandlerThatThrowsWhenAnAttemptStopsStillEndsTheCallAndLeavesNothingCurrent() throws IOException {
        try (OtelTracing tracing = new OtelTracing()) {
            ThrowsWhenAnAttemptStops handler = new ThrowsWhenAnAttemptStops();
            tracing.registry().observationConfig().observationHandler(handler);
            Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> "answer").named("gpt-4")
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                    .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource())
                            .tracer(new ObservationTracer(tracing.registry())).build())
                    .build();

            try {
                assertThat(chat.chat("first")).isEqualTo("answer");
                assertThat(tracing.registry().getCurrentObservation()).as("current after the first call").isNull();
                handler.broken = false;
                assertThat(chat.chat("second")).isEqualTo("answer");

                List<SpanData> calls = tracing.spans().stream().filter(s -> s.getName().equals("Chat.chat")).toList();
                assertThat(calls).as("call spans ended").hasSize(2);
                assertThat(calls).extracting(s -> s.getParentSpanContext().isValid()).containsExactly(false, false);
                assertThat(calls.get(1).getTraceId()).isNotEqualTo(calls.get(0).getTraceId());
            } finally {
                for (int i = 0; i < 10 && tracing.registry().getCurrentObservationScope() != null; i++) {
                    tracing.registry().getCurrentObservationScope().close(); // leak nothing into other tests
                }
            }
        }
    }
}

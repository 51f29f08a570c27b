package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.runtime.Parallel;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.runtime.observation.OtelTracing;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traces of streamed calls, with in-memory streaming models on the virtual clock: one trace per call,
 * an attempt per stream opened (it ends at the first token, or at the failure before it), and nothing
 * left current on the caller's thread.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamTracingTest {

    final OtelTracing tracing = new OtelTracing();
    final VirtualTimeSource clock = new VirtualTimeSource();

    @AfterEach
    void close() {
        tracing.close();
    }

    private StreamingChatModel traced(ScriptedStream primary) {
        return Rebound.wrap(StreamingChatModel.class, primary).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false)
                        .tracer(new ObservationTracer(tracing.registry())).build())
                .build();
    }

    private void assertNothingCurrent(String when) {
        assertThat(tracing.registry().getCurrentObservation()).as("observation current %s", when).isNull();
        assertThat(Span.current().getSpanContext().isValid()).as("OpenTelemetry span current %s", when).isFalse();
    }

    @Test
    void aStreamFailedBeforeItsFirstTokenThenRetriedIsOneTraceWithAnAttemptPerStream() {
        ScriptedStream primary = new ScriptedStream().then(h -> h.onError(new InternalServerException("503")));
        RecordingStreamHandler handler = new RecordingStreamHandler();

        traced(primary).chat("q", handler);
        assertNothingCurrent("after chat(...) returned");
        clock.runScheduled();

        assertThat(handler.tokens).containsExactly("ok");
        assertNothingCurrent("after the stream ended");
        assertThat(tracing.tree()).isEqualTo("""
                StreamingChatModel.chat rebound.method=StreamingChatModel.chat(String, StreamingChatResponseHandler) \
                rebound.outcome=success_after_retry status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=dev.langchain4j.exception.InternalServerException \
                rebound.outcome=failure rebound.target=gpt-4 rebound.wait.ms=100 rebound.wait.reason=backoff status=ERROR
                  attempt gpt-4 rebound.attempt=2 rebound.outcome=success rebound.target=gpt-4 status=OK
                """);
    }

    @Test
    void aTracedStreamedCallLeavesNoObservationCurrentOnItsCallersThread() {
        ScriptedStream primary = new ScriptedStream().then(h -> { /* answers later */ });
        RecordingStreamHandler handler = new RecordingStreamHandler();

        traced(primary).chat("q", handler);
        assertNothingCurrent("after chat(...) returned, its stream open");

        primary.handlers.get(0).onPartialResponse("late"); // the model's thread, here this one
        primary.handlers.get(0).onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("late")).build());

        assertThat(handler.tokens).containsExactly("late");
        assertNothingCurrent("after the stream ended");
        assertThat(tracing.tree()).contains("attempt gpt-4 rebound.attempt=1 rebound.outcome=success");
    }

    /**
     * A stream cancelled with its Parallel branch while it waits to retry: its handler gets a
     * CancellationException, and the call's trace names that, not the attempt's failure.
     */
    @Test
    void aStreamCancelledWithItsBranchTellsTheCancellationItsHandlerGetsInItsTrace() {
        StreamingChatModel model = traced(new ScriptedStream()
                .then(h -> h.onError(new IOException("connection reset before the first token"))));
        RecordingStreamHandler handler = new RecordingStreamHandler();
        Callable<String> streaming = () -> {
            model.chat("q", handler);
            handler.ended.get(); // interrupted when the other branch fails
            return handler.text();
        };
        IllegalStateException other = new IllegalStateException("the other branch failed for good");
        Callable<String> failing = () -> {
            assertThat(clock.awaitPendingTasks(1, Duration.ofSeconds(10))).isTrue(); // the stream waits to retry
            throw other;
        };

        assertThat(catchThrowable(() -> Parallel.invokeAll(List.of(streaming, failing)))).isSameAs(other);
        clock.advance(Duration.ofHours(1));

        assertThat(handler.errors).singleElement().isInstanceOf(CancellationException.class);
        assertThat(tracing.tree()).isEqualTo("""
                StreamingChatModel.chat rebound.failure=java.util.concurrent.CancellationException \
                rebound.method=StreamingChatModel.chat(String, StreamingChatResponseHandler) rebound.outcome=failure \
                status=ERROR
                  attempt gpt-4 rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.target=gpt-4 rebound.wait.ms=100 rebound.wait.reason=backoff status=ERROR
                """);
        assertThat(tracing.spans().get(0).getStatus().getDescription())
                .isEqualTo("java.util.concurrent.CancellationException");
    }
}

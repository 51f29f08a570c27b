package dev.rebound.runtime.observation;

import static org.assertj.core.api.Assertions.assertThat;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.StrictCurrentTraceContext;
import brave.propagation.TraceContext;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The same observations through Micrometer Tracing's Brave (Zipkin) bridge. */
class BraveBridgeTest {

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    final List<MutableSpan> ended = new CopyOnWriteArrayList<>();
    final StrictCurrentTraceContext current = StrictCurrentTraceContext.create();
    final Tracing tracing = Tracing.newBuilder().currentTraceContext(current).addSpanHandler(new SpanHandler() {
        @Override
        public boolean end(TraceContext context, MutableSpan span, Cause cause) {
            ended.add(span);
            return true;
        }
    }).build();

    @AfterEach
    void close() {
        tracing.close();
        current.close();
    }

    @Test
    void aRetriedThenFallenBackCallIsOneBraveTraceWithAttemptsUnderTheCallAndTheFallbackSwitch() throws IOException {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(new BraveTracer(
                tracing.tracer(), new BraveCurrentTraceContext(tracing.currentTraceContext()),
                new BraveBaggageManager())));
        String secret = "sk-SECRET-brave";
        Chat primary = prompt -> {
            throw new IOException("quota exceeded for " + prompt);
        };
        Chat backup = prompt -> "answer";
        Chat chat = Rebound.wrap(Chat.class, primary).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(Rebound.wrap(Chat.class, backup).named("gpt-3.5-turbo").build())
                .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource())
                        .tracer(new ObservationTracer(registry)).build())
                .build();

        assertThat(chat.chat(secret)).isEqualTo("answer");

        List<String> tree = new ArrayList<>();
        for (MutableSpan s : ended) {
            MutableSpan parent = ended.stream().filter(p -> p.id().equals(s.parentId())).findFirst().orElse(null);
            Map<String, String> tags = new java.util.TreeMap<>(s.tags());
            tree.add(s.name() + " < " + (parent == null ? "-" : parent.name()) + " " + tags
                    + (s.error() == null ? "" : " error=" + s.error().getMessage()));
        }
        // Brave's "error" tag is the error's message: the failure's class name, never its own message
        assertThat(tree).containsExactly(
                "attempt gpt-4 < Chat.chat {error=java.io.IOException, rebound.attempt=1, "
                        + "rebound.failure=java.io.IOException, rebound.outcome=failure, rebound.target=gpt-4, "
                        + "rebound.wait.ms=100, rebound.wait.reason=backoff} error=java.io.IOException",
                "attempt gpt-4 < Chat.chat {error=java.io.IOException, rebound.attempt=2, "
                        + "rebound.failure=java.io.IOException, rebound.outcome=failure, "
                        + "rebound.retry.stopped=attempts, rebound.target=gpt-4} error=java.io.IOException",
                "attempt gpt-3.5-turbo < fallback gpt-3.5-turbo {rebound.attempt=1, rebound.outcome=success, "
                        + "rebound.target=gpt-3.5-turbo}",
                "fallback gpt-3.5-turbo < Chat.chat {rebound.from=gpt-4, rebound.to=gpt-3.5-turbo}",
                "Chat.chat < - {rebound.method=Chat.chat(String), rebound.outcome=fallback}");
        assertThat(ended).extracting(MutableSpan::traceId).containsOnly(ended.get(0).traceId());
        assertThat(tree).noneMatch(line -> line.contains("SECRET") || line.contains("quota"));
    }
}

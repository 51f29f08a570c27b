package dev.rebound.runtime.observation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.CircuitBreakerOpenException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ObservationTracer} told a call's story directly, in the order the engine tells it. */
class ObservationTracerTest {

    final OtelTracing tracing = new OtelTracing();
    final ObservationTracer tracer = new ObservationTracer(tracing.registry());

    @AfterEach
    void close() {
        tracing.close();
    }

    @Test
    void aRetriedThenFallenBackCallIsOneTraceWithAChildPerAttemptAndPerFallbackSwitch() {
        CallTrace call = tracer.start("ChatModel.chat(String)");
        call.attemptStarted("gpt-4", 1);
        call.attemptFailed(new IOException());
        call.retryScheduled(TimeUnit.MILLISECONDS.toNanos(100), "backoff");
        call.attemptStarted("gpt-4", 2);
        call.attemptFailed(new IOException());
        call.retryScheduled(TimeUnit.MILLISECONDS.toNanos(1500), "retry-after");
        call.attemptStarted("gpt-4", 3);
        call.attemptFailed(new IOException());
        call.retriesStopped("attempts");
        call.fallback("gpt-4", "gpt-3.5-turbo");
        call.attemptStarted("gpt-3.5-turbo", 1);
        call.attemptSucceeded();
        call.ended("fallback", null);

        assertThat(tracing.tree()).isEqualTo("""
                ChatModel.chat rebound.method=ChatModel.chat(String) rebound.outcome=fallback status=OK
                  attempt gpt-4 rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.target=gpt-4 rebound.wait.ms=100 rebound.wait.reason=backoff status=ERROR
                  attempt gpt-4 rebound.attempt=2 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.target=gpt-4 rebound.wait.ms=1500 rebound.wait.reason=retry-after status=ERROR
                  attempt gpt-4 rebound.attempt=3 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.retry.stopped=attempts rebound.target=gpt-4 status=ERROR
                  fallback gpt-3.5-turbo rebound.from=gpt-4 rebound.to=gpt-3.5-turbo status=OK
                    attempt gpt-3.5-turbo rebound.attempt=1 rebound.outcome=success rebound.target=gpt-3.5-turbo status=OK
                """);
        List<SpanData> spans = tracing.spans();
        assertThat(spans).hasSize(6).extracting(SpanData::getTraceId).containsOnly(spans.get(0).getTraceId());
        assertThat(spans.get(1).getStatus().getDescription()).isEqualTo("java.io.IOException");
        // the error the bridge records: the failure's class name, no message of its own, no stack
        assertThat(spans.get(1).getEvents()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("exception");
            assertThat(e.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("exception.type")))
                    .isEqualTo(RecordedFailure.class.getName());
            assertThat(e.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("exception.message")))
                    .isEqualTo("java.io.IOException");
            assertThat(e.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                    "exception.stacktrace"))).isEqualTo(RecordedFailure.class.getName() + ": java.io.IOException\n");
        });
    }

    @Test
    void theAttemptIsTheCurrentObservationAndOpenTelemetrySpanWhileItRunsAndOnlyThen() {
        Observation outer = Observation.start("caller", tracing.registry());
        try (Observation.Scope ignored = outer.openScope()) {
            CallTrace call = tracer.start("ChatModel.chat(String)");
            call.attemptStarted("gpt-4", 1);
            Observation during = tracing.registry().getCurrentObservation();
            // what OpenTelemetry's HTTP client instrumentation does: a span from the current context
            tracing.otel().spanBuilder("POST").startSpan().end();
            Span current = Span.current();
            call.attemptFailed(new IOException());
            Observation after = tracing.registry().getCurrentObservation();
            call.retriesStopped("not-retryable");
            call.ended("failure", new IOException());

            assertThat(during.getContext().getContextualName()).isEqualTo("attempt gpt-4");
            assertThat(current.getSpanContext().isValid()).isTrue();
            assertThat(after.getContext().getContextualName()).isEqualTo("ChatModel.chat");
            assertThat(tracing.registry().getCurrentObservation()).isSameAs(outer);
        }
        outer.stop();

        assertThat(tracing.tree()).isEqualTo("""
                caller status=OK
                  ChatModel.chat rebound.failure=java.io.IOException rebound.method=ChatModel.chat(String) \
                rebound.outcome=failure status=ERROR
                    attempt gpt-4 rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.retry.stopped=not-retryable rebound.target=gpt-4 status=ERROR
                      POST
                """);
        assertThat(tracing.registry().getCurrentObservation()).isNull();
    }

    @Test
    void breakerAndBudgetRefusalsAreRecordedOnTheAttemptTheyConcern() {
        CallTrace call = tracer.start("ChatModel.chat(String)");
        call.attemptStarted("gpt-4", 1);
        call.attemptFailed(new IOException());
        call.retriesStopped("budget");
        call.fallback("gpt-4", "gpt-3.5-turbo");
        call.attemptStarted("gpt-3.5-turbo", 1);
        call.attemptRefused(new CircuitBreakerOpenException("ChatModel.chat(String)", "gpt-3.5-turbo"));
        call.retriesStopped("circuit-open");
        call.ended("failure", new IOException());

        assertThat(tracing.tree()).contains(
                "attempt gpt-4 rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure "
                        + "rebound.retry.stopped=budget",
                "attempt gpt-3.5-turbo rebound.attempt=1 "
                        + "rebound.failure=dev.rebound.runtime.CircuitBreakerOpenException rebound.outcome=refused "
                        + "rebound.retry.stopped=circuit-open");
    }

    @Test
    void endingTheCallEndsWhatIsStillOpenAndRestoresTheCallersScope() {
        CallTrace call = tracer.start("ChatModel.chat(String)");
        call.fallback("gpt-4", "gpt-3.5-turbo");
        call.attemptStarted("gpt-3.5-turbo", 1);
        call.ended("failure", new InterruptedException());

        assertThat(tracing.spans()).hasSize(3);
        assertThat(tracing.registry().getCurrentObservation()).isNull();
        assertThat(Span.current().getSpanContext().isValid()).isFalse();
    }

    @Test
    void aNoopRegistryBuildsNothing() {
        assertThat(new ObservationTracer(ObservationRegistry.NOOP).start("ChatModel.chat(String)"))
                .isSameAs(CallTrace.NOOP);
    }

    @Test
    void noMessageArgumentOrKeyReachesANameAttributeEventOrStatus() {
        String secret = "sk-SECRET-prompt-answer";
        CallTrace call = tracer.start("ChatModel.chat(String)");
        call.attemptStarted("gpt-4", 1);
        call.attemptFailed(new IOException(secret, new IllegalStateException(secret)));
        call.retriesStopped("not-retryable");
        call.ended("failure", new IOException(secret));

        assertThat(tracing.spans()).isNotEmpty().allSatisfy(s ->
                assertThat(OtelTracing.everyString(s)).noneMatch(v -> v != null && v.contains("SECRET")));
    }
}

package dev.rebound.runtime.observation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traces of asynchronous (CompletionStage) calls through the OpenTelemetry SDK: one trace per call, as
 * for a synchronous one, whose steps go on on other threads; nothing of it is ever left current on a
 * thread, and each observation has its own parent whatever is current where it starts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AsyncTracingTest {

    public interface Quotes {
        CompletableFuture<String> quote(String symbol);
    }

    public interface SyncQuotes {
        String quote(String symbol);
    }

    /** Answers with the scripted futures in order, then with "name:symbol". */
    static final class Scripted implements Quotes {
        final String name;
        final Deque<Supplier<CompletableFuture<String>>> script = new ArrayDeque<>();

        Scripted(String name) {
            this.name = name;
        }

        Scripted then(Supplier<CompletableFuture<String>> next) {
            script.add(next);
            return this;
        }

        Scripted failing(Throwable t) {
            return then(() -> CompletableFuture.failedFuture(t));
        }

        @Override
        public synchronized CompletableFuture<String> quote(String symbol) {
            Supplier<CompletableFuture<String>> next = script.poll();
            return next != null ? next.get() : CompletableFuture.completedFuture(name + ":" + symbol);
        }
    }

    final OtelTracing tracing = new OtelTracing();
    final VirtualTimeSource clock = new VirtualTimeSource();
    final ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
            .tracer(new ObservationTracer(tracing.registry())).build();

    @AfterEach
    void close() {
        tracing.close();
    }

    private static RetryPolicy.Builder retry(int attempts) {
        return RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(100)).jitter(false);
    }

    private Quotes quotes(Quotes primary, RetryPolicy retry, Quotes... fallbacks) {
        return Rebound.wrap(Quotes.class, primary).named("primary").withRetry(retry).withFallbacks(fallbacks)
                .settings(settings).build();
    }

    private void assertNothingCurrent(String when) {
        Observation current = tracing.registry().getCurrentObservation();
        assertThat(current).as("observation current on this thread %s: %s", when,
                current == null ? null : current.getContext().getContextualName()).isNull();
        assertThat(Span.current().getSpanContext().isValid()).as("OpenTelemetry span current %s", when).isFalse();
    }

    @Test
    void anAsyncRetriedThenFallenBackCallIsOneTraceWithAChildPerAttemptAndPerFallbackSwitch() {
        Scripted primary = new Scripted("primary").failing(new IOException("503")).failing(new IOException("503"));
        Quotes quotes = quotes(primary, retry(2).build(), new Scripted("backup"));

        CompletableFuture<String> result = quotes.quote("ACME");
        assertNothingCurrent("after the call returned");
        clock.runScheduled();

        assertThat(result).isCompletedWithValue("backup:ACME");
        assertNothingCurrent("after the call ended");
        assertThat(tracing.tree()).isEqualTo("""
                Quotes.quote rebound.method=Quotes.quote(String) rebound.outcome=fallback status=OK
                  attempt primary rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.target=primary rebound.wait.ms=100 rebound.wait.reason=backoff status=ERROR
                  attempt primary rebound.attempt=2 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.retry.stopped=attempts rebound.target=primary status=ERROR
                  fallback Scripted rebound.from=primary rebound.to=Scripted status=OK
                    attempt Scripted rebound.attempt=1 rebound.outcome=success rebound.target=Scripted status=OK
                """);
    }

    @Test
    void anAsyncCallCompletedOnAnotherThreadLeavesNothingCurrentOnItsCallersThread() throws Exception {
        CompletableFuture<String> pending = new CompletableFuture<>();
        Quotes quotes = quotes(symbol -> pending, retry(1).build());

        CompletableFuture<String> result = quotes.quote("ACME");
        assertNothingCurrent("after the call returned, its attempt in flight");
        Thread client = new Thread(() -> pending.completeExceptionally(new IOException("down")), "http-client");
        client.start();
        client.join();
        assertThat(result).failsWithin(5, TimeUnit.SECONDS);

        assertNothingCurrent("after the call ended on another thread");
        // the caller's next request is a root, not a child of the call that ended
        tracing.otel().spanBuilder("caller's next request").startSpan().end();
        SpanData next = tracing.spans().stream().filter(s -> s.getName().equals("caller's next request"))
                .findFirst().orElseThrow();
        assertThat(next.getParentSpanContext().isValid()).as(tracing.tree()).isFalse();
        assertThat(tracing.tree()).startsWith("Quotes.quote rebound.failure=java.io.IOException ");
    }

    @Test
    void theNextCallOnTheThreadIsNotParentedUnderAnEarlierAsyncCallStillInFlight() {
        Quotes async = quotes(new Scripted("primary").then(CompletableFuture::new), retry(1).build());
        SyncQuotes sync = Rebound.wrap(SyncQuotes.class, (SyncQuotes) symbol -> "sync:" + symbol).named("sync")
                .withRetry(retry(2).build()).settings(settings).build();

        async.quote("A"); // in flight for the rest of the test
        assertThat(sync.quote("B")).isEqualTo("sync:B");

        SpanData syncCall = tracing.spans().stream().filter(s -> s.getName().equals("SyncQuotes.quote"))
                .findFirst().orElseThrow(() -> new AssertionError(tracing.tree()));
        assertThat(syncCall.getParentSpanContext().isValid()).as("the next call is a trace of its own").isFalse();
        assertThat(tracing.tree()).isEqualTo("""
                SyncQuotes.quote rebound.method=SyncQuotes.quote(String) rebound.outcome=success status=OK
                  attempt sync rebound.attempt=1 rebound.outcome=success rebound.target=sync status=OK
                """);
    }

    /**
     * The caller's observation is the call's parent; the primary's failure comes on a thread where
     * something else is current (an HTTP client's own span): the fallback and the alternative's attempt
     * still nest under the call, and that thread's own observation is current again afterwards.
     */
    @Test
    void eachObservationOfAnAsyncCallHasItsOwnParentWhateverIsCurrentOnTheThreadItStartsOn() {
        CompletableFuture<String> pending = new CompletableFuture<>();
        Quotes quotes = quotes(new Scripted("primary").then(() -> pending), retry(1).build(),
                new Scripted("backup"));

        Observation request = Observation.start("caller's request", tracing.registry());
        CompletableFuture<String> result;
        try (Observation.Scope ignored = request.openScope()) {
            result = quotes.quote("ACME");
            assertThat(tracing.registry().getCurrentObservation()).isSameAs(request);
        }
        request.stop();

        Observation elsewhere = Observation.start("client's own work", tracing.registry());
        try (Observation.Scope ignored = elsewhere.openScope()) {
            pending.completeExceptionally(new IOException("503")); // the fallback starts here, on this thread
            assertThat(tracing.registry().getCurrentObservation()).isSameAs(elsewhere);
        }
        elsewhere.stop();

        assertThat(result).isCompletedWithValue("backup:ACME");
        assertNothingCurrent("after the call ended");
        assertThat(tracing.tree()).isEqualTo("""
                caller's request status=OK
                  Quotes.quote rebound.method=Quotes.quote(String) rebound.outcome=fallback status=OK
                    attempt primary rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.retry.stopped=attempts rebound.target=primary status=ERROR
                    fallback Scripted rebound.from=primary rebound.to=Scripted status=OK
                      attempt Scripted rebound.attempt=1 rebound.outcome=success rebound.target=Scripted status=OK
                client's own work status=OK
                """);
    }

    /**
     * What an instrumented asynchronous HTTP client does: it reads the current context when called and
     * makes its span from it. The attempt is current while its target is called, so the client's span
     * nests under it; the attempt's scope ends there, on the calling thread, even when the attempt has
     * already ended on another thread (here: completed and retried before the target returned).
     */
    @Test
    void theTargetIsCalledWithItsAttemptCurrentSoItsClientsSpansNestUnderTheAttempt() {
        Quotes primary = new Quotes() {
            int calls;

            @Override
            public CompletableFuture<String> quote(String symbol) {
                tracing.otel().spanBuilder("POST").startSpan().end(); // from the current context
                if (++calls > 1) {
                    return CompletableFuture.completedFuture("primary:" + symbol);
                }
                CompletableFuture<String> response = new CompletableFuture<>();
                Thread io = new Thread(() -> response.completeExceptionally(new IOException("503")), "http-io");
                io.start();
                try {
                    io.join(); // the attempt fails and its retry is scheduled before this call returns
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return response;
            }
        };
        Quotes quotes = quotes(primary, retry(2).build());

        CompletableFuture<String> result = quotes.quote("ACME");
        assertNothingCurrent("after the first attempt's call returned");
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100));
        clock.runScheduled();

        assertThat(result).isCompletedWithValue("primary:ACME");
        assertNothingCurrent("after the call ended");
        assertThat(tracing.tree()).isEqualTo("""
                Quotes.quote rebound.method=Quotes.quote(String) rebound.outcome=success_after_retry status=OK
                  attempt primary rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.target=primary rebound.wait.ms=100 rebound.wait.reason=backoff status=ERROR
                    POST
                  attempt primary rebound.attempt=2 rebound.outcome=success rebound.target=primary status=OK
                    POST
                """);
    }
    /** A tracer whose trace lets the caller cancel just as an attempt answers (as another thread may then). */
    static final class CancelAtAnswer implements CallTracer {
        final CallTracer delegate;
        volatile CompletableFuture<?> callersFuture;

        CancelAtAnswer(CallTracer delegate) {
            this.delegate = delegate;
        }

        @Override
        public CallTrace start(String method) {
            return delegate.start(method);
        }

        @Override
        public CallTrace startAsync(String method) {
            CallTrace t = delegate.startAsync(method);
            return new CallTrace() {
                @Override
                public void attemptStarted(String target, int attempt) {
                    t.attemptStarted(target, attempt);
                }

                @Override
                public CallTrace.Scope attemptCurrent() {
                    return t.attemptCurrent();
                }

                @Override
                public void attemptSucceeded() {
                    callersFuture.cancel(true);
                    t.attemptSucceeded();
                }

                @Override
                public void attemptFailed(Throwable failure) {
                    t.attemptFailed(failure);
                }

                @Override
                public void attemptRefused(Throwable refusal) {
                    t.attemptRefused(refusal);
                }

                @Override
                public void retryScheduled(long waitNanos, String reason) {
                    t.retryScheduled(waitNanos, reason);
                }

                @Override
                public void retriesStopped(String reason) {
                    t.retriesStopped(reason);
                }

                @Override
                public void fallback(String from, String to) {
                    t.fallback(from, to);
                }

                @Override
                public void ended(String outcome, Throwable failure) {
                    t.ended(outcome, failure);
                }
            };
        }
    }

    /**
     * The caller cancels just as the attempt answers: the answer came after the call was ended, so the
     * call ended cancelled, and the trace, the events and the meters say so alike (one outcome, decided
     * once): a failed call in the trace, one FAILED with reason cancelled, rebound.calls{outcome=failure}.
     */
    @Test
    void aCallCancelledAsItsAnswerArrivesIsAFailureInTheTraceAsInTheEventsAndMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        CancelAtAnswer tracer = new CancelAtAnswer(new ObservationTracer(tracing.registry()));
        CompletableFuture<String> answer = new CompletableFuture<>();
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) symbol -> answer).named("primary")
                .withRetry(retry(2).build())
                .settings(settings.toBuilder().tracer(tracer).listener(new MicrometerListener(registry))
                        .listener(events::add).build())
                .build();

        CompletableFuture<String> result = quotes.quote("ACME");
        tracer.callersFuture = result;
        answer.complete("primary:ACME");

        assertThat(result).isCancelled();
        assertThat(events).extracting(e -> e.kind() + " " + e.reason()).containsExactly("FAILED cancelled");
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "failure").counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "success").counter().count()).isZero();
        assertThat(tracing.tree()).isEqualTo("""
                Quotes.quote rebound.failure=java.util.concurrent.CancellationException \
                rebound.method=Quotes.quote(String) rebound.outcome=failure status=ERROR
                  attempt primary rebound.attempt=1 rebound.outcome=success rebound.target=primary status=OK
                """);
    }

    /**
     * rebound.failure on a failed call is the class name of the exception the caller gets: a caller that
     * cancels its future while the call waits to retry gets a CancellationException, not the failure met.
     */
    @Test
    void anAsyncCallCancelledWhileWaitingToRetryTellsTheCancellationInItsTrace() {
        Quotes quotes = quotes(new Scripted("primary").failing(new IOException("503")), retry(3).build());

        CompletableFuture<String> result = quotes.quote("ACME");
        assertThat(clock.pendingTasks()).isEqualTo(1); // the wait before attempt 2
        result.cancel(true);
        clock.runScheduled();

        assertThat(result).isCancelled();
        assertNothingCurrent("after the call ended");
        assertThat(tracing.tree()).isEqualTo("""
                Quotes.quote rebound.failure=java.util.concurrent.CancellationException \
                rebound.method=Quotes.quote(String) rebound.outcome=failure status=ERROR
                  attempt primary rebound.attempt=1 rebound.failure=java.io.IOException rebound.outcome=failure \
                rebound.target=primary rebound.wait.ms=100 rebound.wait.reason=backoff status=ERROR
                """);
        assertThat(tracing.spans().get(0).getStatus().getDescription())
                .isEqualTo("java.util.concurrent.CancellationException");
    }
}

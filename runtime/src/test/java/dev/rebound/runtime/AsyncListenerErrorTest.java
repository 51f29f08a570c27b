package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.AsyncCallsTest.Quotes;
import dev.rebound.runtime.AsyncCallsTest.Scripted;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws an Error ends an asynchronous call as it ends a synchronous one
 * ({@code FinalEventsTest.aListenerThrowingAnErrorOnSuccessNeverReRunsTheCall}): the caller's future
 * fails with that Error, whichever event it came from, and nothing is run again (a streamed call's
 * handler gets it as its one ending: {@code StreamListenerErrorTest}). A listener's RuntimeException
 * stays ignored.
 */
class AsyncListenerErrorTest {

    private final VirtualTimeSource clock = new VirtualTimeSource();
    /** Sees every event, the one a listener then throws on included (it is asked first). */
    private final Events events = new Events();
    private final AssertionError bug = new AssertionError("listener bug");

    private static RetryPolicy.Builder policy() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false);
    }

    /** A listener that throws {@link #bug} on every event of {@code kind}. */
    private ReboundListener throwingOn(Kind kind) {
        return e -> {
            if (e.kind() == kind) {
                throw bug;
            }
        };
    }

    private ReboundSettings settings(ReboundListener listener) {
        return ReboundSettings.builder().timeSource(clock).logging(false).listener(events).listener(listener).build();
    }

    private Quotes wrap(Scripted primary, RetryPolicy retry, ReboundListener listener, Quotes... fallbacks) {
        return Rebound.wrap(Quotes.class, primary).named("primary").withRetry(retry).withFallbacks(fallbacks)
                .settings(settings(listener)).build();
    }

    /** The failure {@code result} completed with: the instance itself, never wrapped. */
    private static Throwable failureOf(CompletableFuture<?> result) {
        Throwable t = catchThrowable(() -> result.get(0, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        return t.getCause();
    }

    @Test
    void anErrorOnSucceededFailsTheFutureWithItAndTheCallIsNotRunAgain() {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));

        CompletableFuture<String> result = wrap(primary, policy().build(), throwingOn(Kind.SUCCEEDED)).quote("A");
        clock.runScheduled();

        assertThat(failureOf(result)).isSameAs(bug);
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(clock.pendingTasks()).isZero();
        assertThat(events.all()).extracting(ReboundEvent::kind)
                .containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
    }

    /**
     * On RETRY_SCHEDULED: the caller gets the Error with the attempt's failure suppressed on it and one
     * FAILED, no wait is scheduled, and the same script synchronously throws the same.
     */
    @Test
    void anErrorOnRetryScheduledEndsTheCallWithItAsASynchronousCallEnds() throws Exception {
        interface SyncQuotes {
            String quote(String symbol) throws Exception;
        }
        IOException syncFailure = new IOException("sync x");
        Events syncEvents = new Events();
        AssertionError syncBug = new AssertionError("sync listener bug");
        SyncQuotes sync = Rebound.wrap(SyncQuotes.class, (SyncQuotes) s -> {
            throw syncFailure;
        }).named("primary").withRetry(policy().build()).settings(ReboundSettings.builder().timeSource(clock)
                .logging(false).listener(syncEvents).listener(e -> {
                    if (e.kind() == Kind.RETRY_SCHEDULED) {
                        throw syncBug;
                    }
                }).build()).build();
        assertThatThrownBy(() -> sync.quote("A")).isSameAs(syncBug);
        assertThat(syncBug.getSuppressed()).containsExactly(syncFailure);

        IOException failure = new IOException("x");
        Scripted primary = new Scripted("primary").failing(failure);
        CompletableFuture<String> result = wrap(primary, policy().build(), throwingOn(Kind.RETRY_SCHEDULED))
                .quote("A");
        clock.runScheduled();

        assertThat(failureOf(result)).isSameAs(bug);
        assertThat(bug.getSuppressed()).containsExactly(failure);
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(clock.scheduled()).as("no wait").isEmpty();
        assertThat(events.of(Kind.FAILED)).singleElement().satisfies(e -> assertThat(e.failure()).isSameAs(bug));
        assertThat(events.all()).extracting(ReboundEvent::kind)
                .containsExactlyElementsOf(syncEvents.all().stream().map(ReboundEvent::kind).toList());
    }

    /** On a later attempt's RETRY_SCHEDULED (a failed future of the chain's, not the door's). */
    @Test
    void anErrorOnALaterRetryScheduledEndsTheCallWithIt() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");
        Scripted primary = new Scripted("primary").failing(a).failing(b);
        ReboundListener onTheSecond = new ReboundListener() {
            int scheduled;

            @Override
            public void onEvent(ReboundEvent e) {
                if (e.kind() == Kind.RETRY_SCHEDULED && ++scheduled == 2) {
                    throw bug;
                }
            }
        };

        CompletableFuture<String> result = wrap(primary, policy().build(), onTheSecond).quote("A");
        clock.runScheduled();

        assertThat(failureOf(result)).isSameAs(bug);
        assertThat(bug.getSuppressed()).containsExactly(a, b);
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void anErrorOnFallbackEndsTheCallWithItAndNoAlternativeIsCalled() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");
        Scripted primary = new Scripted("primary").failing(a).failing(b);
        Scripted backup = new Scripted("backup");

        CompletableFuture<String> result = wrap(primary, policy().attempts(2).build(), throwingOn(Kind.FALLBACK),
                backup).quote("A");
        clock.runScheduled();

        assertThat(failureOf(result)).isSameAs(bug);
        assertThat(bug.getSuppressed()).containsExactly(a, b);
        assertThat(backup.attempts()).isZero();
        assertThat(events.all()).extracting(ReboundEvent::kind).containsExactly(Kind.ATTEMPT_FAILED,
                Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FALLBACK, Kind.FAILED);
    }

    @Test
    void anErrorOnFailedIsWhatTheCallerGetsInsteadOfTheTargetsFailure() {
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));

        CompletableFuture<String> result = wrap(primary, policy().attempts(2).build(), throwingOn(Kind.FAILED))
                .quote("A");
        clock.runScheduled();

        assertThat(failureOf(result)).isSameAs(bug);
        assertThat(primary.attempts()).isEqualTo(2);
    }

    /** On a breaker's transition, which the chain's attempt makes: that attempt's failure is the Error. */
    @Test
    void anErrorOnACircuitTransitionEndsTheCallWithIt() {
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary").withRetry(policy().build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).build())
                .settings(settings(throwingOn(Kind.CIRCUIT_OPENED))).build();

        CompletableFuture<String> result = quotes.quote("A");
        clock.runScheduled();

        assertThat(failureOf(result)).isSameAs(bug);
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(clock.pendingTasks()).isZero();
        assertThat(events.of(Kind.FAILED)).singleElement().satisfies(e -> assertThat(e.failure()).isSameAs(bug));
    }

    /**
     * A listener that times calls and throws in {@code onFirstAttemptSuccess}: the future the call returns
     * fails with the Error, whether the first attempt had answered already or answers later.
     */
    @Test
    void anErrorOnAFirstAttemptsSuccessFailsTheReturnedFuture() {
        ReboundListener timing = new ReboundListener() {
            @Override
            public void onEvent(ReboundEvent event) {
            }

            @Override
            public boolean wantsFirstAttemptSuccess() {
                return true;
            }

            @Override
            public void onFirstAttemptSuccess(String method, String target, long nanos) {
                throw bug;
            }
        };
        CompletableFuture<String> later = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> CompletableFuture.completedFuture("now"))
                .then(() -> later);
        Quotes quotes = wrap(primary, policy().build(), timing);

        assertThat(failureOf(quotes.quote("A"))).as("answered already").isSameAs(bug);
        CompletableFuture<String> pending = quotes.quote("B");
        later.complete("later");
        assertThat(failureOf(pending)).as("answered later").isSameAs(bug);
        assertThat(primary.attempts()).isEqualTo(2);
    }

    /**
     * On the FAILED of a call its caller cancelled: the caller's future stays cancelled (it had its
     * outcome), nothing runs again, and the Error, which has nobody to go to, is logged, not lost.
     */
    @Test
    void anErrorOnACancelledCallsFailedLeavesItCancelledAndIsLogged() {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        Quotes quotes = wrap(primary, policy().build(), throwingOn(Kind.FAILED));
        CompletableFuture<String> result = quotes.quote("A");

        String log = StdErr.during(() -> {
            assertThat(result.cancel(true)).isTrue();
            clock.advance(Duration.ofHours(1));
        });

        assertThat(result).isCancelled();
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(events.of(Kind.FAILED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("cancelled"));
        assertThat(log).contains("a Rebound listener threw java.lang.AssertionError after the caller had the"
                + " call's outcome; not delivered").doesNotContain("listener bug");
    }

    @Test
    void aListenersRuntimeExceptionIsStillIgnored() throws Exception {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        CompletableFuture<String> result = wrap(primary, policy().build(), e -> {
            throw new IllegalStateException("ignored");
        }).quote("A");
        clock.runScheduled();

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:A");
    }
}

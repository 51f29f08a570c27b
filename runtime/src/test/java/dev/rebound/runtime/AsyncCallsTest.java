package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.RateLimiter;
import dev.rebound.runtime.ratelimit.SharedCircuitState;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.MethodDiagnostics.CircuitState;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Methods returning a CompletionStage through {@code Rebound.wrap}, with scripted futures on the
 * virtual clock: retries and fallbacks on failed futures, waits scheduled (never slept), the history
 * on the caller's exception, cancellation, and the same events as the synchronous path.
 */
class AsyncCallsTest {

    /** An asynchronous client, as async HTTP clients and LLM SDKs shape them. */
    interface Quotes {
        CompletableFuture<String> quote(String symbol);

        CompletionStage<String> stage(String symbol);
    }

    /** Answers with the scripted futures in order, then with "name:symbol"; logs every attempt. */
    static final class Scripted implements Quotes {
        final String name;
        final Deque<Supplier<CompletableFuture<String>>> script = new ArrayDeque<>();
        final List<CompletableFuture<String>> returned = new ArrayList<>();

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
            CompletableFuture<String> f = next != null ? next.get() : CompletableFuture.completedFuture(name + ":" + symbol);
            returned.add(f);
            return f;
        }

        @Override
        public CompletionStage<String> stage(String symbol) {
            return quote(symbol);
        }

        synchronized int attempts() {
            return returned.size();
        }
    }

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final Events events = new Events();

    private static RetryPolicy.Builder policy() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).multiplier(2.0).jitter(false);
    }

    private Quotes wrap(Quotes primary, RetryPolicy retry, Quotes... fallbacks) {
        return Rebound.wrap(Quotes.class, primary).named("primary").withRetry(retry).withFallbacks(fallbacks)
                .settings(events.settings(clock)).build();
    }

    @Test
    void aFailedFutureIsRetriedWithWaitsScheduledOnTheClockNeverSlept() throws Exception {
        IOException first = new IOException("first");
        IOException second = new IOException("second");
        Scripted primary = new Scripted("primary").failing(first).failing(second);

        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");

        assertThat(result).isNotDone();
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100));
        clock.advance(Duration.ofMillis(100));
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        clock.advance(Duration.ofMillis(199));
        assertThat(result).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(primary.attempts()).isEqualTo(3);
        assertThat(clock.sleeps()).as("nothing slept").isEmpty();
        assertThat(events.all()).extracting(ReboundEvent::kind).containsExactly(Kind.ATTEMPT_FAILED,
                Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
        assertThat(events.of(Kind.SUCCEEDED).get(0).reason()).isEqualTo("retry");
        assertThat(events.of(Kind.ATTEMPT_FAILED)).extracting(ReboundEvent::failure).containsExactly(first, second);
    }

    @Test
    void aFirstAttemptThatHasSucceededReturnsTheTargetsOwnFuture() {
        Scripted primary = new Scripted("primary");
        Quotes quotes = wrap(primary, policy().build());

        CompletableFuture<String> result = quotes.quote("ACME");

        assertThat(result).isSameAs(primary.returned.get(0)).isCompletedWithValue("primary:ACME");
        assertThat(events.all()).isEmpty();
    }

    /**
     * A client that hands out read-only stages ({@link CompletableFuture#minimalCompletionStage()}, the JDK's
     * way to give out a stage its callers cannot complete): a {@code CompletableFuture} subclass whose
     * {@code isDone}, {@code cancel} and {@code get} throw {@link UnsupportedOperationException}.
     */
    static final class ReadOnlyStages implements Quotes {
        final Scripted backing;

        ReadOnlyStages(Scripted backing) {
            this.backing = backing;
        }

        @Override
        public CompletableFuture<String> quote(String symbol) {
            throw new AssertionError("not called");
        }

        @Override
        public CompletionStage<String> stage(String symbol) {
            return backing.quote(symbol).minimalCompletionStage();
        }
    }

    @Test
    void aReadOnlyStageThatSucceededAnswers() throws Exception {
        Scripted backing = new Scripted("primary");

        CompletionStage<String> result = wrap(new ReadOnlyStages(backing), policy().build()).stage("ACME");

        assertThat(result.toCompletableFuture().get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(backing.attempts()).isEqualTo(1);
        assertThat(events.all()).isEmpty();
    }

    @Test
    void aReadOnlyStageThatFailedIsRetriedAndTheCallerGetsItsLastFailureWithTheHistory() {
        IOException first = new IOException("first");
        IOException second = new IOException("second");
        IOException third = new IOException("third");
        Scripted backing = new Scripted("primary").failing(first).failing(second).failing(third);

        CompletionStage<String> result = wrap(new ReadOnlyStages(backing), policy().build()).stage("ACME");
        clock.runScheduled();
        clock.runScheduled();

        Throwable thrown = catchThrowable(() -> result.toCompletableFuture().get(0, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isSameAs(third);
        assertThat(third.getSuppressed()).containsExactly(first, second);
        assertThat(backing.attempts()).isEqualTo(3);
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aReadOnlyStagePastItsAttemptTimeoutIsGivenUpOnAndTheNextAttemptAnswers() throws Exception {
        CompletableFuture<String> hanging = new CompletableFuture<>();
        Scripted backing = new Scripted("primary").then(() -> hanging);
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) new ReadOnlyStages(backing)).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletionStage<String> result = quotes.stage("ACME");
        clock.advance(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(100));

        assertThat(result.toCompletableFuture().get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(backing.attempts()).isEqualTo(2);
        assertThat(events.of(Kind.ATTEMPT_FAILED)).extracting(ReboundEvent::reason).containsExactly("timeout");
        assertThat(hanging).as("a read-only stage cannot be cancelled: it is no longer followed").isNotDone();
    }

    @Test
    void cancellingACallWhoseReadOnlyStageIsInFlightEndsItCancelled() {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        Scripted backing = new Scripted("primary").then(() -> inFlight);
        CompletionStage<String> result = wrap(new ReadOnlyStages(backing), policy().build()).stage("ACME");

        assertThat(result.toCompletableFuture().cancel(true)).isTrue();

        inFlight.complete("late");
        clock.runScheduled();
        assertThat(backing.attempts()).isEqualTo(1);
        assertThat(events.of(Kind.FAILED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("cancelled"));
    }

    @Test
    void aPendingFirstAttemptThatFailsLaterIsRetried() throws Exception {
        CompletableFuture<String> slow = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> slow);

        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        assertThat(result).isNotSameAs(slow).isNotDone();
        slow.completeExceptionally(new IOException("late"));
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100));
        clock.runScheduled();

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(primary.attempts()).isEqualTo(2);
    }

    @Test
    void aCompletionStageResultWorksToo() throws Exception {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));

        CompletionStage<String> result = wrap(primary, policy().build()).stage("ACME");
        clock.runScheduled();

        assertThat(result.toCompletableFuture().get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
    }

    @Test
    void afterThePrimarysRetriesTheFallbacksAnswer() throws Exception {
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));
        Scripted backup = new Scripted("backup");

        CompletableFuture<String> result = wrap(primary, policy().attempts(2).build(), backup).quote("ACME");
        clock.runScheduled();

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("backup:ACME");
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(events.all()).extracting(ReboundEvent::kind).containsExactly(Kind.ATTEMPT_FAILED,
                Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FALLBACK, Kind.SUCCEEDED);
        assertThat(events.of(Kind.SUCCEEDED).get(0).reason()).isEqualTo("fallback");
        assertThat(events.of(Kind.SUCCEEDED).get(0).target()).isEqualTo("Scripted");
    }

    @Test
    void whenEverythingFailsTheFutureFailsWithThePrimarysLastFailureAndTheOthersSuppressed() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");
        IllegalStateException c = new IllegalStateException("c");
        Scripted primary = new Scripted("primary").failing(a).failing(b);
        Scripted backup = new Scripted("backup").failing(c);

        CompletableFuture<String> result = wrap(primary, policy().attempts(2).build(), backup).quote("ACME");
        clock.runScheduled();

        assertThatThrownBy(() -> result.get(0, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isSameAs(b);
        assertThat(b.getSuppressed()).containsExactly(a, c);
        assertThat(events.of(Kind.FAILED)).singleElement().satisfies(e -> {
            assertThat(e.failure()).isSameAs(b);
            assertThat(e.target()).isEqualTo("primary");
        });
    }

    @Test
    void aNonRetryableFailureFallsBackAtOnce() throws Exception {
        Scripted primary = new Scripted("primary").failing(new IllegalArgumentException("bad"));
        Scripted backup = new Scripted("backup");

        CompletableFuture<String> result = wrap(primary, policy().build(), backup).quote("ACME");

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("backup:ACME");
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(clock.scheduled()).isEmpty();
        assertThat(events.of(Kind.RETRIES_EXHAUSTED).get(0).reason()).isEqualTo("not-retryable");
    }

    @Test
    void maxDurationStopsTheRetriesOnTheVirtualClock() {
        IOException f = new IOException("down");
        Scripted primary = new Scripted("primary").failing(f).failing(f).failing(f);

        CompletableFuture<String> result = wrap(primary, policy().attempts(5).maxDuration(Duration.ofMillis(250))
                .build()).quote("ACME");
        clock.runScheduled();

        assertThat(result).isCompletedExceptionally();
        assertThat(primary.attempts()).isEqualTo(2); // 100 ms waited; 200 more would pass 250 ms
        assertThat(events.of(Kind.RETRIES_EXHAUSTED).get(0).reason()).isEqualTo("deadline");
    }

    @Test
    void aThrowingTargetIsAFailedAttemptToo() throws Exception {
        Quotes throwing = new Quotes() {
            int calls;

            @Override
            public CompletableFuture<String> quote(String symbol) {
                if (calls++ == 0) {
                    throw new IllegalStateException("thrown before any future");
                }
                return CompletableFuture.completedFuture("ok");
            }

            @Override
            public CompletionStage<String> stage(String symbol) {
                return quote(symbol);
            }
        };

        CompletableFuture<String> result = wrap(throwing, policy().build()).quote("ACME");
        clock.runScheduled();

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void cancellingDuringABackoffCancelsTheWaitAndMakesNoFurtherAttempt() {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        assertThat(clock.pendingTasks()).isEqualTo(1);

        assertThat(result.cancel(true)).isTrue();

        assertThat(clock.pendingTasks()).as("the wait is cancelled").isZero();
        clock.advance(Duration.ofHours(1));
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(result).isCancelled();
        assertEndedCancelledOnce(events, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED);
        assertThat(events.of(Kind.RETRY_SCHEDULED).get(0).waitTime()).isEqualTo(Duration.ofMillis(100));
        assertThat(events.of(Kind.FAILED).get(0).failure()).isInstanceOf(IOException.class).hasMessage("x");
    }

    /** The call's events are {@code before}, then one FAILED with reason cancelled, and nothing after. */
    private static void assertEndedCancelledOnce(Events events, Kind... before) {
        List<Kind> kinds = new ArrayList<>(List.of(before));
        kinds.add(Kind.FAILED);
        assertThat(events.all()).extracting(ReboundEvent::kind).containsExactlyElementsOf(kinds);
        assertThat(events.of(Kind.FAILED).get(0).reason()).isEqualTo("cancelled");
        assertThat(events.of(Kind.FAILED).get(0).method()).isEqualTo(events.all().get(0).method());
    }

    @Test
    void cancellingDuringABackoffBehindABreakerEndsTheCallCancelledCountedOnceAsAFailure() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary").withRetry(policy().build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).listener(events)
                        .listener(new MicrometerListener(registry)).build())
                .build();
        CompletableFuture<String> result = quotes.quote("ACME");
        assertThat(clock.pendingTasks()).isEqualTo(1);

        assertThat(result.cancel(true)).isTrue();
        result.cancel(true); // a second cancel adds nothing (asserted below)
        clock.advance(Duration.ofHours(1));

        assertThat(primary.attempts()).isEqualTo(1);
        assertEndedCancelledOnce(events, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED);
        assertThat(registry.find(MicrometerListener.CALLS).tag("outcome", "failure").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find(MicrometerListener.CALLS).counters())
                .as("counted once, under no other outcome").extracting(c -> c.count()).containsOnly(0.0, 1.0)
                .filteredOn(n -> n == 1.0).hasSize(1);
    }

    @Test
    void aCancelledCallIsLoggedAsFailedForGoodOnceSayingTheCallerCancelledIt() {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary").withRetry(policy().build())
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();

        String log = StdErr.during(() -> {
            quotes.quote("ACME").cancel(true);
            clock.advance(Duration.ofHours(1));
        });

        assertThat(log.lines().filter(l -> l.contains("Quotes.quote(String): failed for good on primary, cancelled "
                + "by the caller (last java.io.IOException)")).count()).isEqualTo(1);
        assertThat(log).doesNotContain("ACME").doesNotContain("throwing");
    }

    @Test
    void cancellingAFirstAttemptInFlightBehindAClosedBreakerEndsTheCallCancelledAndRecordsNothing() throws Exception {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> inFlight);
        Quotes quotes = guarded(primary, 3);

        quotes.quote("A").cancel(true);
        clock.advance(Duration.ofHours(1));

        assertThat(inFlight).isCancelled();
        assertThat(primary.attempts()).isEqualTo(1);
        assertEndedCancelledOnce(events);
        assertThat(diagnostics(quotes).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void cancellingAFallbackInFlightEndsTheCallCancelledOnce() {
        CompletableFuture<String> backupInFlight = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));
        Scripted backup = new Scripted("backup").then(() -> backupInFlight);
        CompletableFuture<String> result = wrap(primary, policy().attempts(2).build(), backup).quote("ACME");
        clock.runScheduled();
        assertThat(backup.attempts()).isEqualTo(1);

        result.cancel(true);
        clock.advance(Duration.ofHours(1));

        assertThat(backupInFlight).isCancelled();
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(backup.attempts()).isEqualTo(1);
        assertEndedCancelledOnce(events, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED,
                Kind.RETRIES_EXHAUSTED, Kind.FALLBACK);
    }

    /**
     * A cancel racing the attempt in flight's outcome (an answer, or a failure that ends the retries),
     * on two threads released together, many times: whichever wins, the call ends with exactly one
     * SUCCEEDED or FAILED. Asserts every interleaving's outcome, never a timing.
     */
    @Test
    void aCancelRacingTheCallsEndNeverEndsItTwice() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 400; i++) {
                Events raced = new Events();
                CompletableFuture<String> inFlight = new CompletableFuture<>();
                Scripted primary = new Scripted("primary").failing(new IOException("a")).then(() -> inFlight);
                VirtualTimeSource time = new VirtualTimeSource();
                CompletableFuture<String> result = Rebound.wrap(Quotes.class, (Quotes) primary).named("primary")
                        .withRetry(policy().attempts(2).build()).settings(raced.settings(time)).build().quote("A");
                time.runScheduled();
                boolean answers = i % 2 == 0;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> ending = other.submit(() -> {
                    start.await();
                    return answers ? inFlight.complete("late") : inFlight.completeExceptionally(new IOException("b"));
                });
                start.await();
                result.cancel(true);
                ending.get();

                assertThat(raced.all()).as("iteration %d", i).filteredOn(e -> e.kind() == Kind.SUCCEEDED
                        || e.kind() == Kind.FAILED).hasSize(1);
                if (inFlight.isCancelled()) { // the cancel came first: the call ended without an answer
                    assertThat(raced.of(Kind.FAILED)).as("iteration %d", i).singleElement()
                            .satisfies(e -> assertThat(e.reason()).isEqualTo("cancelled"));
                }
            }
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aCancelAfterTheCallEndedAddsNoEvent() {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        clock.runScheduled();
        assertThat(result).isCompletedWithValue("primary:ACME");

        assertThat(result.cancel(true)).isFalse();

        assertThat(events.all()).extracting(ReboundEvent::kind)
                .containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
    }

    @Test
    void cancellingDuringAnAttemptCancelsTheAttemptInFlightAndMakesNoFurtherAttempt() {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        IOException first = new IOException("x");
        Scripted primary = new Scripted("primary").failing(first).then(() -> inFlight);
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        clock.runScheduled();
        assertThat(primary.attempts()).isEqualTo(2);

        result.cancel(true);

        assertThat(inFlight).isCancelled();
        clock.runScheduled();
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(clock.pendingTasks()).isZero();
        assertThat(events.of(Kind.FAILED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("cancelled"));
        // the target's own future keeps its own exception: the call's history is not attached to it (a
        // target that keeps its futures would keep every failure of the call)
        Throwable targets = catchThrowable(inFlight::join);
        assertThat(targets).isInstanceOf(CancellationException.class)
                .satisfies(c -> assertThat(c.getSuppressed()).isEmpty());
        // the history is on the call's own cancellation, the one the FAILED event carries
        assertThat(events.of(Kind.FAILED).get(0).failure()).isInstanceOf(CancellationException.class)
                .isNotSameAs(targets).hasMessage("the call was cancelled")
                .satisfies(c -> assertThat(c.getSuppressed()).containsExactly(first, targets));
        assertEndedCancelledOnce(events, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED);
    }

    @Test
    void cancellingAPendingFirstAttemptCancelsIt() {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> inFlight);
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");

        result.cancel(true);

        assertThat(inFlight).isCancelled();
        assertThat(clock.pendingTasks()).isZero();
        assertThat(primary.attempts()).isEqualTo(1);
        assertThatThrownBy(result::join).isInstanceOf(CancellationException.class);
        // the call ended without an answer: one FAILED, reason cancelled, though no attempt failed first
        assertEndedCancelledOnce(events);
        // the call's own cancellation, not the one inside the target's future (which the target may keep)
        assertThat(events.of(Kind.FAILED).get(0).failure()).isInstanceOf(CancellationException.class)
                .isNotSameAs(catchThrowable(inFlight::join)).hasMessage("the call was cancelled");
    }

    @Test
    void theSameScriptGivesTheSameEventsSynchronously() throws Exception {
        interface SyncQuotes {
            String quote(String symbol) throws Exception;
        }
        IOException a = new IOException("a");
        IOException b = new IOException("b");
        Deque<Exception> script = new ArrayDeque<>(List.of(a, b));
        Events syncEvents = new Events();
        SyncQuotes sync = Rebound.wrap(SyncQuotes.class, (SyncQuotes) s -> {
            Exception e = script.poll();
            if (e != null) {
                throw e;
            }
            return "ok";
        }).named("primary").withRetry(policy().build()).settings(syncEvents.settings(new VirtualTimeSource())).build();
        sync.quote("ACME");

        Scripted primary = new Scripted("primary").failing(a).failing(b);
        wrap(primary, policy().build()).quote("ACME");
        clock.runScheduled();

        assertThat(events.all()).extracting(e -> e.kind() + " " + e.target() + " #" + e.attempt() + " "
                + e.waitTime().toMillis() + " " + e.reason())
                .containsExactlyElementsOf(syncEvents.all().stream().map(e -> e.kind() + " " + e.target() + " #"
                        + e.attempt() + " " + e.waitTime().toMillis() + " " + e.reason()).toList());
    }

    @Test
    void theBreakerRecordsTheFuturesOutcomesAndAnOpenBreakerSendsTheNextCallStraightToTheFallback() {
        IOException down = new IOException("down");
        Scripted primary = new Scripted("primary").failing(down).failing(down);
        Scripted backup = new Scripted("backup");
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attempts(2).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).build())
                .withFallbacks(backup).settings(events.settings(clock)).build();

        CompletableFuture<String> first = quotes.quote("A");
        clock.runScheduled();
        assertThat(first.join()).isEqualTo("backup:A");
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED);

        CompletableFuture<String> second = quotes.quote("B");
        assertThat(second.join()).isEqualTo("backup:B");
        assertThat(primary.attempts()).as("the open breaker refused the call").isEqualTo(2);
        assertThat(events.of(Kind.FALLBACK).get(1).failure()).isInstanceOf(CircuitBreakerOpenException.class);
    }

    private Quotes guarded(Scripted primary, int attempts) {
        return Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attempts(attempts).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).halfOpenProbes(1).build())
                .settings(events.settings(clock)).build();
    }

    private static MethodDiagnostics diagnostics(Quotes proxy) throws Exception {
        return ResilientProxy.policyOf(proxy, Quotes.class.getMethod("quote", String.class))
                .diagnostics();
    }

    @Test
    void anAttemptTheCallerCancelsIsNotRecordedAsTheTargetsFailure() throws Exception {
        IOException down = new IOException("down");
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").failing(down).then(() -> inFlight);
        Quotes quotes = guarded(primary, 2);

        CompletableFuture<String> result = quotes.quote("A");
        clock.runScheduled(); // attempt 1 failed (recorded), attempt 2 is in flight, through the breaker
        assertThat(primary.attempts()).isEqualTo(2);
        result.cancel(true);

        assertThat(inFlight).isCancelled();
        // a window of 2 with a failure ratio of 1.0: one more recorded failure would have opened it
        assertThat(diagnostics(quotes).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).isEmpty();

        // the window still counts real failures: the next one (the second recorded) opens it
        primary.failing(down);
        CompletableFuture<String> next = quotes.quote("B");
        clock.runScheduled();
        assertThat(next).isCompletedExceptionally();
        assertThat(primary.attempts()).as("the retry stops at the breaker it opened").isEqualTo(3);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED);
    }

    @Test
    void aHalfOpenProbeTheCallerCancelsGivesItsSlotBack() throws Exception {
        IOException down = new IOException("down");
        CompletableFuture<String> probe = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").failing(down).failing(down).then(() -> probe);
        Quotes quotes = guarded(primary, 2);
        CompletableFuture<String> opening = quotes.quote("A");
        clock.runScheduled();
        assertThat(opening).isCompletedExceptionally();
        assertThat(diagnostics(quotes).circuitState()).isEqualTo(CircuitState.OPEN);

        clock.advance(Duration.ofSeconds(30));
        CompletableFuture<String> probing = quotes.quote("B"); // the only probe slot
        assertThat(primary.attempts()).isEqualTo(3);
        probing.cancel(true);
        assertThat(probe).isCancelled();
        assertThat(diagnostics(quotes).circuitState())
                .isEqualTo(CircuitState.HALF_OPEN);

        // the slot is free again: the next call is a probe, not refused; its success closes the breaker
        CompletableFuture<String> next = quotes.quote("C");
        assertThat(next.join()).isEqualTo("primary:C");
        assertThat(primary.attempts()).isEqualTo(4);
        assertThat(diagnostics(quotes).circuitState())
                .isEqualTo(CircuitState.CLOSED);
    }

    /**
     * policies.md and annotations.md: a half-open probe that never completes keeps its slot, so the breaker
     * refuses every call, however long after; an attemptTimeout ends the probe, which then counts as failed.
     */
    @Test
    void aHalfOpenProbeThatNeverCompletesHoldsItsSlotUntilAnAttemptTimeoutEndsIt() throws Exception {
        IOException down = new IOException("down");
        Scripted primary = new Scripted("primary").failing(down).failing(down).then(CompletableFuture::new);
        Quotes quotes = guarded(primary, 2);
        CompletableFuture<String> opening = quotes.quote("A");
        clock.runScheduled();
        assertThat(opening).isCompletedExceptionally();

        clock.advance(Duration.ofSeconds(30));
        CompletableFuture<String> probing = quotes.quote("B"); // the only probe slot, never given back
        clock.advance(Duration.ofHours(1));
        CompletableFuture<String> refused = quotes.quote("C");
        clock.runScheduled();

        assertThat(probing).isNotDone();
        assertThat(catchThrowable(refused::join)).hasCauseInstanceOf(CircuitBreakerOpenException.class);
        assertThat(primary.attempts()).isEqualTo(3);
        assertThat(diagnostics(quotes).circuitState()).isEqualTo(CircuitState.HALF_OPEN);

        // the same with an attemptTimeout: the probe times out, fails, and the breaker opens again
        Scripted timed = new Scripted("timed").failing(down).failing(down).then(CompletableFuture::new);
        Quotes withTimeout = Rebound.wrap(Quotes.class, timed).named("timed")
                .withRetry(policy().attempts(2).attemptTimeout(Duration.ofSeconds(5)).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).halfOpenProbes(1).build())
                .settings(events.settings(clock)).build();
        withTimeout.quote("A");
        clock.runScheduled();
        clock.advance(Duration.ofSeconds(30));
        CompletableFuture<String> timedProbe = withTimeout.quote("B");
        clock.advance(Duration.ofSeconds(5));
        clock.runScheduled();

        assertThat(catchThrowable(timedProbe::join)).hasCauseInstanceOf(AttemptTimeoutException.class);
        assertThat(diagnostics(withTimeout).circuitState()).isEqualTo(CircuitState.OPEN);
        clock.advance(Duration.ofSeconds(30));
        assertThat(withTimeout.quote("C").join()).as("the next probe").isEqualTo("timed:C");
        assertThat(timed.attempts()).isEqualTo(4);
        assertThat(diagnostics(withTimeout).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void anEmptyRetryBudgetStopsTheAsyncRetries() {
        IOException down = new IOException("down");
        Scripted primary = new Scripted("primary").failing(down).failing(down).failing(down);
        Quotes quotes = wrap(primary, policy().budgetRatio(0.5).budgetMinPerSecond(0).build());

        CompletableFuture<String> result = quotes.quote("A");
        clock.runScheduled();

        assertThat(result).isCompletedExceptionally();
        assertThat(primary.attempts()).as("a budget of half a call allows no retry of the first").isEqualTo(1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED).get(0).reason()).isEqualTo("budget");
    }

    @Test
    void aTracedAsyncCallReportsEachAttemptTheRetryAndTheFallbackToItsTrace() {
        List<String> trace = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.rebound.runtime.observation.CallTracer tracer = method -> new dev.rebound.runtime.observation.CallTrace() {
            @Override
            public void attemptStarted(String target, int attempt) {
                trace.add("attempt " + target + " #" + attempt);
            }

            @Override
            public void attemptFailed(Throwable failure) {
                trace.add("failed " + failure.getMessage());
            }

            @Override
            public void attemptSucceeded() {
                trace.add("succeeded");
            }

            @Override
            public void fallback(String from, String to) {
                trace.add("fallback " + from + " -> " + to);
            }

            @Override
            public void ended(String outcome, Throwable failure) {
                trace.add("ended " + outcome);
            }
        };
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));
        Scripted backup = new Scripted("backup");
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary").withRetry(policy().attempts(2).build())
                .withFallbacks(backup)
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).tracer(tracer).build()).build();

        CompletableFuture<String> result = quotes.quote("A");
        clock.runScheduled();

        assertThat(result.join()).isEqualTo("backup:A");
        assertThat(trace).containsExactly("attempt primary #1", "failed a", "attempt primary #2", "failed b",
                "fallback primary -> Scripted", "attempt Scripted #1", "succeeded", "ended fallback");
    }

    /** A shared store whose fleet answers each question about a breaker's open state from a script (then its last). */
    static final class Fleet implements RateLimitStore, SharedCircuitState {
        private final Deque<Long> answers;
        final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

        Fleet(Duration... remaining) {
            answers = new ArrayDeque<>();
            for (Duration d : remaining) {
                answers.add(d.toNanos());
            }
        }

        @Override
        public RateLimiter limiter(String key, long requestsPerMinute, long tokensPerMinute, TimeSource clock) {
            return RateLimitStore.inProcess().limiter(key, requestsPerMinute, tokensPerMinute, clock);
        }

        @Override
        public void close() {
        }

        @Override
        public void opened(String breaker, long openNanos) {
        }

        @Override
        public synchronized long openRemainingNanos(String breaker) {
            asked.add(breaker);
            return answers.size() > 1 ? answers.poll() : answers.peek();
        }
    }

    /**
     * rate-limits.md: a closed breaker asks the fleet after each failure it counts and opens for the time
     * left (CIRCUIT_OPENED, reason fleet). Here the fleet says "not open" after the first attempt (the
     * door's) and "open for 30 s" after the second (the chain's): the asynchronous method asks both times
     * and reports what the synchronous one reports, event for event.
     */
    @Test
    void anAsyncBreakerAsksTheFleetAfterEachFailureItCountsAndOpensForTheTimeLeftAsASynchronousOneDoes()
            throws Exception {
        interface SyncQuotes {
            String quote(String symbol) throws Exception;
        }
        CircuitBreakerPolicy breaker = CircuitBreakerPolicy.builder().requestVolumeThreshold(10).build();
        Fleet syncFleet = new Fleet(Duration.ZERO, Duration.ofSeconds(30));
        Events syncEvents = new Events();
        SyncQuotes sync = Rebound.wrap(SyncQuotes.class, (SyncQuotes) s -> {
            throw new IOException("down");
        }).named("primary").withRetry(policy().build()).withCircuitBreaker(breaker)
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                        .listener(syncEvents).rateLimitStore(syncFleet).build())
                .build();
        assertThatThrownBy(() -> sync.quote("A")).isInstanceOf(IOException.class);

        Fleet fleet = new Fleet(Duration.ZERO, Duration.ofSeconds(30));
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary").withRetry(policy().build())
                .withCircuitBreaker(breaker)
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).listener(events)
                        .rateLimitStore(fleet).build())
                .build();
        CompletableFuture<String> result = quotes.quote("A");
        clock.runScheduled();

        assertThat(result).isCompletedExceptionally();
        assertThat(primary.attempts()).as("the breaker the fleet opened stops the retries").isEqualTo(2);
        assertThat(fleet.asked).as("asked after each counted failure").hasSize(2)
                .allSatisfy(name -> assertThat(name).endsWith("$Quotes.quote(java.lang.String)/primary"));
        assertThat(syncFleet.asked).hasSize(2);
        assertThat(events.of(Kind.CIRCUIT_OPENED)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("fleet");
            assertThat(e.waitTime()).isEqualTo(Duration.ofSeconds(30));
        });
        assertThat(diagnostics(quotes).circuitState()).isEqualTo(CircuitState.OPEN);
        assertThat(events.all()).extracting(e -> e.kind() + " #" + e.attempt() + " " + e.waitTime().toMillis() + " "
                + e.reason())
                .containsExactlyElementsOf(syncEvents.all().stream().map(e -> e.kind() + " #" + e.attempt() + " "
                        + e.waitTime().toMillis() + " " + e.reason()).toList());
    }

    /**
     * RetryAfter's promise, "a call takes only what was suggested during its own attempts", on the
     * asynchronous path: call A's caller cancels it, then A's client reports A's 429 as RetryAfter
     * documents (a hint on its thread, then the failure, which the JDK drops: A's future is cancelled).
     * Call B's second attempt then runs on that thread and fails with no hint of its own: it waits its
     * own 200 ms backoff, and is not stopped by A's 20 s hint (more than its 5 s maxDelay).
     */
    @Test
    void aHintACancelledCallsClientLeftOnAThreadNeverShapesAnotherCallsRetry() throws Exception {
        RetryPolicy retry = policy().maxDelay(Duration.ofSeconds(5)).build();
        Scripted b = new Scripted("b").failing(new IOException("b1")).failing(new IOException("b2"));
        CompletableFuture<String> bResult = wrap(b, retry).quote("B");
        CompletableFuture<String> aResponse = new CompletableFuture<>();
        CompletableFuture<String> aResult = wrap(new Scripted("a").then(() -> aResponse), retry).quote("A");

        aResult.cancel(true);
        try {
            RetryAfter.suggest(Duration.ofSeconds(20)); // A's client, on this thread
            assertThat(aResponse.completeExceptionally(new IOException("429 for A"))).isFalse();
            clock.runScheduled(); // B's attempts 2 and 3 run on this thread

            assertThat(bResult.get(0, TimeUnit.SECONDS)).isEqualTo("b:B");
            assertThat(b.attempts()).isEqualTo(3);
            assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
            assertThat(events.of(Kind.RETRY_SCHEDULED)).extracting(ReboundEvent::reason)
                    .containsExactly("backoff", "backoff");
        } finally {
            RetryAfter.clear();
        }
    }

    /** A hint suggested on a thread outside any call is never taken by an asynchronous retry that runs there. */
    @Test
    void aHintSuggestedOutsideAnyCallIsNeverTakenByAnAsyncRetryRunningOnThatThread() throws Exception {
        Scripted primary = new Scripted("primary").failing(new IOException("a")).failing(new IOException("b"));
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100));

        try {
            RetryAfter.suggest(Duration.ofSeconds(3)); // an unwrapped client's 429, caught by its caller
            clock.runScheduled();

            assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
            assertThat(clock.scheduled()).as("its own backoff, not the stray 3 s")
                    .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        } finally {
            RetryAfter.clear();
        }
    }

    /**
     * An asynchronous attempt's future fails on its client's pool thread, where an unrelated, unwrapped
     * client had left a 30 s hint before the attempt began: the door's first attempt and an attempt the
     * chain runs each wait their own backoff. A hint the attempt's client suggests there right before
     * failing it (after the attempt began) is still the wait.
     */
    @Test
    void aHintLeftOnAPoolThreadBeforeAnAttemptBeganIsNotTakenWhenTheAttemptFailsThere() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Runnable unrelated429 = () -> RetryAfter.suggest(Duration.ofSeconds(30)); // caught by its own caller
            CompletableFuture<String> first = new CompletableFuture<>();
            CompletableFuture<String> second = new CompletableFuture<>();
            CompletableFuture<String> third = new CompletableFuture<>();
            Scripted primary = new Scripted("primary").then(() -> first).then(() -> second).then(() -> third);
            pool.submit(unrelated429).get();
            CompletableFuture<String> result = wrap(primary, policy().attempts(4).maxDelay(Duration.ofSeconds(60))
                    .build()).quote("ACME");

            pool.submit(() -> first.completeExceptionally(new IOException("503"))).get(); // the door's attempt
            pool.submit(unrelated429).get();
            clock.runScheduled(); // attempt 2, the chain's
            pool.submit(() -> second.completeExceptionally(new IOException("503"))).get();
            clock.runScheduled(); // attempt 3
            pool.submit(() -> {
                RetryAfter.suggest(Duration.ofSeconds(2)); // attempt 3's client, right before it fails it
                third.completeExceptionally(new IOException("429"));
            }).get();
            clock.runScheduled();

            assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
            assertThat(primary.attempts()).isEqualTo(4);
            assertThat(clock.scheduled()).as("their own backoffs, then the hint of attempt 3's client")
                    .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(2));
            assertThat(events.of(Kind.RETRY_SCHEDULED)).extracting(ReboundEvent::reason)
                    .containsExactly("backoff", "backoff", "retry-after");
        } finally {
            pool.submit(RetryAfter::clear).get();
            pool.shutdownNow();
        }
    }

    /**
     * A client whose pool fails the attempt's future before the engine registers on it (a fast pool: here
     * it waits for it): the future is done when the client's method returns, whatever thread completed it.
     */
    private static Supplier<CompletableFuture<String>> failedOnAFastPool(ExecutorService pool, Runnable before,
            Throwable failure) {
        return () -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            try {
                pool.submit(() -> {
                    before.run();
                    f.completeExceptionally(failure);
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return f;
        };
    }

    /**
     * Documented (RetryAfter, async-and-streaming.md): a hint is taken on the thread the engine handles the
     * attempt's failure on. The client suggests it on its pool's thread right before it fails the future,
     * but the pool was faster than the engine: the future had failed when the engine registered on it, so
     * the engine handles the failure on the thread that registered, where there is no hint. The door's
     * first attempt and an attempt the chain runs each wait their backoff.
     */
    @Test
    void aHintSuggestedOnAPoolThatFailedTheFutureBeforeTheEngineRegisteredOnItIsNotTaken() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Runnable serverSaid3s = () -> RetryAfter.suggest(Duration.ofSeconds(3));
            Scripted primary = new Scripted("primary")
                    .then(failedOnAFastPool(pool, serverSaid3s, new IOException("429")))
                    .then(failedOnAFastPool(pool, serverSaid3s, new IOException("429")));
            CompletableFuture<String> result = wrap(primary, policy().maxDelay(Duration.ofSeconds(10)).build())
                    .quote("ACME");
            clock.runScheduled(); // attempt 2, the chain's
            clock.runScheduled(); // attempt 3 answers

            assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
            assertThat(clock.scheduled()).as("their backoffs, not the server's 3 s")
                    .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
            assertThat(events.of(Kind.RETRY_SCHEDULED)).extracting(ReboundEvent::reason)
                    .containsExactly("backoff", "backoff");
        } finally {
            pool.submit(RetryAfter::clear).get();
            pool.shutdownNow();
        }
    }

    /** A 429 that carries the server's wait ({@link RetryAfter.Carrier}), as a client of your own attaches it. */
    static final class WaitCarrying extends IOException implements RetryAfter.Carrier {
        private static final long serialVersionUID = 1L;
        private final Duration wait;

        WaitCarrying(Duration wait) {
            super("429");
            this.wait = wait;
        }

        @Override
        public Duration retryAfter() {
            return wait;
        }
    }

    /**
     * Documented (RetryAfter, async-and-streaming.md): a wait the failure carries is the attempt's wherever
     * the engine handles it, the thread that registered on a future a fast pool had failed included.
     */
    @Test
    void aWaitTheFailureCarriesIsTakenWhenThePoolFailedTheFutureBeforeTheEngineRegisteredOnIt() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Runnable nothing = () -> { };
            Scripted primary = new Scripted("primary")
                    .then(failedOnAFastPool(pool, nothing, new WaitCarrying(Duration.ofSeconds(3))))
                    .then(failedOnAFastPool(pool, nothing, new WaitCarrying(Duration.ofSeconds(4))));
            CompletableFuture<String> result = wrap(primary, policy().maxDelay(Duration.ofSeconds(10)).build())
                    .quote("ACME");
            clock.runScheduled(); // attempt 2, the chain's
            clock.runScheduled(); // attempt 3 answers

            assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
            assertThat(clock.scheduled()).as("the server's waits")
                    .containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(4));
            assertThat(events.of(Kind.RETRY_SCHEDULED)).extracting(ReboundEvent::reason)
                    .containsExactly("retry-after", "retry-after");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The JDK's own bound, {@code orTimeout}, fails the caller's future with a TimeoutException (here as
     * it does, by {@code completeExceptionally}): the call has ended for its caller, so it stops as a
     * cancel stops it. The first attempt in flight is cancelled, its late failure changes nothing, no
     * retry is made, and the call ends with one FAILED, reason cancelled.
     */
    @Test
    void aCallersFutureFailedByOrTimeoutStopsTheCallAsACancelDoes() throws Exception {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> inFlight);
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        TimeoutException timedOut = new TimeoutException();

        assertThat(result.completeExceptionally(timedOut)).isTrue();

        assertThat(inFlight).isCancelled();
        assertThat(inFlight.completeExceptionally(new IOException("503"))).isFalse();
        clock.runScheduled();
        assertThat(primary.attempts()).isEqualTo(1);
        assertThatThrownBy(() -> result.get(0, TimeUnit.SECONDS)).cause().isSameAs(timedOut);
        assertEndedCancelledOnce(events);
    }

    /**
     * Every other way the JDK gives to end the caller's future, during the first attempt: each stops the
     * call as a cancel does (the attempt in flight cancelled, nothing retried, one FAILED, cancelled), and
     * the caller keeps what it put there.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"complete", "completeAsync", "obtrudeValue", "obtrudeException"})
    void everyOtherWayOfEndingTheCallersFutureStopsTheCallAsACancelDoes(String how) throws Exception {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> inFlight);
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        IllegalStateException mine = new IllegalStateException("the caller's");

        switch (how) {
            case "complete" -> result.complete("mine");
            case "completeAsync" -> result.completeAsync(() -> "mine", Runnable::run);
            case "obtrudeValue" -> result.obtrudeValue("mine");
            default -> result.obtrudeException(mine);
        }

        assertThat(inFlight).isCancelled();
        clock.runScheduled();
        assertThat(primary.attempts()).isEqualTo(1);
        if (how.equals("obtrudeException")) {
            assertThatThrownBy(() -> result.get(0, TimeUnit.SECONDS)).cause().isSameAs(mine);
        } else {
            assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("mine");
        }
        assertEndedCancelledOnce(events);
    }

    /**
     * {@code completeOnTimeout} (or the caller's own {@code complete}) during a backoff: the wait is
     * cancelled, no further attempt starts, and the caller keeps the value it chose.
     */
    @Test
    void aCallersFutureCompletedDuringABackoffEndsTheWaitAndMakesNoFurtherAttempt() throws Exception {
        Scripted primary = new Scripted("primary").failing(new IOException("x"));
        CompletableFuture<String> result = wrap(primary, policy().build()).quote("ACME");
        assertThat(clock.pendingTasks()).isEqualTo(1);

        assertThat(result.complete("default")).isTrue();

        assertThat(clock.pendingTasks()).as("the wait is cancelled").isZero();
        clock.advance(Duration.ofHours(1));
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("default");
        assertEndedCancelledOnce(events, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED);
    }

    /**
     * A later attempt's answer that comes after the caller ended its future (here the target ignores the
     * cancel of its future) is no answer: no fallback is tried, and the call is reported cancelled, never
     * SUCCEEDED.
     */
    @Test
    void anAnswerThatComesAfterTheCallerEndedItsFutureIsReportedCancelledNeverSucceeded() throws Exception {
        CompletableFuture<String> deaf = ignoringCancel();
        Scripted primary = new Scripted("primary").failing(new IOException("a")).then(() -> deaf);
        Scripted backup = new Scripted("backup");
        CompletableFuture<String> result = wrap(primary, policy().build(), backup).quote("ACME");
        clock.runScheduled();
        assertThat(primary.attempts()).isEqualTo(2);

        result.completeExceptionally(new TimeoutException());
        deaf.complete("late");

        clock.runScheduled();
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(backup.attempts()).isZero();
        assertThat(result).isCompletedExceptionally();
        assertEndedCancelledOnce(events, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED);
    }

    /** A target's future that cannot be cancelled: it completes when its target says, whatever the caller did. */
    private static CompletableFuture<String> ignoringCancel() {
        return new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return false;
            }
        };
    }

    /** {@code f} as a CompletionStage that is not a CompletableFuture (a client's own stage type). */
    @SuppressWarnings("unchecked")
    private static CompletionStage<String> notACompletableFuture(CompletableFuture<String> f) {
        return (CompletionStage<String>) java.lang.reflect.Proxy.newProxyInstance(
                CompletionStage.class.getClassLoader(), new Class<?>[] {CompletionStage.class},
                (proxy, method, args) -> method.invoke(f, args));
    }

    /**
     * The late failure of an attempt whose call the caller stopped is nobody's, and so is the hint its
     * client suggested right before it: forgotten on that thread wherever Rebound sees that failure (the
     * door's first attempt or a later one, their targets ignoring the cancel; a target's stage that is not
     * a CompletableFuture). A cancelled CompletableFuture drops a late failure unseen: see RetryAfter.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"first attempt", "later attempt", "own stage"})
    void theLateFailureOfAnAttemptTheCallerStoppedLeavesNoHintOnItsThread(String where) {
        CompletableFuture<String> response = where.equals("own stage") ? new CompletableFuture<>() : ignoringCancel();
        CompletionStage<String> result;
        if (where.equals("own stage")) {
            Quotes staged = new Quotes() {
                @Override
                public CompletableFuture<String> quote(String symbol) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public CompletionStage<String> stage(String symbol) {
                    return notACompletableFuture(response);
                }
            };
            result = wrap(staged, policy().build()).stage("A");
        } else {
            Scripted primary = where.equals("first attempt") ? new Scripted("primary").then(() -> response)
                    : new Scripted("primary").failing(new IOException("a")).then(() -> response);
            result = wrap(primary, policy().build()).quote("A");
            clock.runScheduled();
            assertThat(primary.attempts()).isEqualTo(where.equals("first attempt") ? 1 : 2);
        }

        result.toCompletableFuture().cancel(true);
        try {
            RetryAfter.suggest(Duration.ofSeconds(20)); // the client, on this thread, right before it fails the attempt
            response.completeExceptionally(new IOException("429"));

            assertThat(RetryAfter.takeNanos()).as("the hint is forgotten").isZero();
        } finally {
            RetryAfter.clear();
        }
        assertThat(events.of(Kind.FAILED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("cancelled"));
    }
}

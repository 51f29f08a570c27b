package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.MethodDiagnostics.CircuitState;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final VirtualTimeSource time = new VirtualTimeSource();
    private final Events events = new Events();
    private final Model.Fake primary = new Model.Fake("primary");
    private final Model.Fake backup = new Model.Fake("backup");

    /** Window 4, opens at 2 failures of 4, open 10 s, one probe, one success closes. */
    private static CircuitBreakerPolicy.Builder breaker() {
        return CircuitBreakerPolicy.builder().requestVolumeThreshold(4).failureRatio(0.5)
                .delay(Duration.ofSeconds(10));
    }

    private Model wrap(CircuitBreakerPolicy policy, Model... fallbacks) {
        return Rebound.wrap(Model.class, (Model) primary).withCircuitBreaker(policy).withFallbacks(fallbacks)
                .settings(events.settings(time)).build();
    }

    /** {@code times} calls that each fail with the target's transient failure (the circuit lets them through). */
    private static void failTransiently(Model model, int times) {
        for (int i = 0; i < times; i++) {
            assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(UncheckedIOException.class);
        }
    }

    private static MethodDiagnostics breakerOf(Model proxy) throws NoSuchMethodException {
        return ResilientProxy.policyOf(proxy, Model.class.getMethod("chat", String.class)).diagnostics();
    }

    @Test
    void opensOnceTheWindowHoldsEnoughFailuresThenStopsCallingTheTarget() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 4);
        assertThat(primary.calls).hasValue(4);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.OPEN);

        CircuitBreakerOpenException refused = catchThrowableOfType(() -> model.chat("hi"),
                CircuitBreakerOpenException.class);

        assertThat(primary.calls).hasValue(4);
        assertThat(refused.getStackTrace()).isEmpty();
        assertThat(refused.method()).isEqualTo("Model.chat(String)");
        assertThat(refused.target()).isEqualTo("Fake");
        assertThat(refused.getMessage()).isEqualTo("circuit breaker open: Model.chat(String) not called on Fake");
        ReboundEvent opened = events.of(Kind.CIRCUIT_OPENED).get(0);
        assertThat(opened.reason()).isEqualTo("failure-ratio");
        assertThat(opened.waitTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(opened.target()).isEqualTo("Fake");
        assertThat(opened.failure()).isInstanceOf(UncheckedIOException.class);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).last()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("circuit-open"));
    }

    /** A breaker that opens at the second failure of a window of 2, and 2 attempts. */
    private Model retriedUnderABreakerThatOpensAtTheSecondFailure(RetryPolicy.Builder retry) {
        return Rebound.wrap(Model.class, (Model) primary).withRetry(retry.attempts(2).delay(Duration.ZERO).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0).build())
                .settings(events.settings(time)).build();
    }

    /**
     * The last attempt's failure opens the breaker: the retries ended because both attempts were spent, not
     * for the breaker, which refused nothing (RETRIES_EXHAUSTED's reason, rebound.retries.stopped's tag).
     */
    @Test
    void theLastAttemptsFailureThatOpensTheBreakerEndsTheRetriesForTheAttemptsNotTheBreaker() throws Exception {
        Model model = retriedUnderABreakerThatOpensAtTheSecondFailure(RetryPolicy.builder());
        primary.down();

        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(UncheckedIOException.class);

        assertThat(primary.calls).hasValue(2);
        assertThat(events.of(Kind.ATTEMPT_FAILED)).hasSize(2);
        assertThat(events.of(Kind.CIRCUIT_OPENED)).hasSize(1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason).containsExactly("attempts");
    }

    /** The same for a failure not to be retried that opens the breaker: not-retryable, whatever the breaker did. */
    @Test
    void aFailureNotToBeRetriedThatOpensTheBreakerEndsTheRetriesAsNotRetryable() throws Exception {
        Model model = retriedUnderABreakerThatOpensAtTheSecondFailure(RetryPolicy.builder()
                .abortOn(UncheckedIOException.class));
        primary.down();

        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(UncheckedIOException.class); // 1 attempt: aborted
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(UncheckedIOException.class); // it opens the breaker

        assertThat(primary.calls).hasValue(2);
        assertThat(events.of(Kind.CIRCUIT_OPENED)).hasSize(1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason)
                .containsExactly("not-retryable", "not-retryable");
        // a failure that opens the breaker with a retry still allowed is stopped by the breaker, as before
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).last()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("circuit-open"));
    }

    @Test
    void doesNotOpenBeforeTheWindowIsFull() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 3);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).isEmpty();
    }

    /** As the docs say: judged at each recorded failure, so a window that fills on a success opens at the next failure. */
    @Test
    void aWindowThatFillsOnASuccessOpensAtTheNextFailureNotOnTheSuccess() throws Exception {
        Model model = wrap(breaker().build());
        primary.up().thenFail(Model::outage, Model::outage);
        failTransiently(model, 2);
        assertThat(model.chat("hi")).isEqualTo("primary:hi");
        assertThat(model.chat("hi")).isEqualTo("primary:hi");   // the window is full: 2 failures of 4
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);

        primary.thenFail(Model::outage);
        failTransiently(model, 1);                                // 2 of the last 4 (the oldest gone)

        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.OPEN);
        assertThat(primary.calls).hasValue(5);
    }

    @Test
    void staysClosedBelowTheFailureRatio() throws Exception {
        Model model = wrap(breaker().build());
        for (int i = 0; i < 40; i++) {
            primary.thenFail(Model::outage);          // 1 failure ...
            assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(UncheckedIOException.class);
            for (int ok = 0; ok < 3; ok++) {          // ... then 3 successes: 25% < 50%
                assertThat(model.chat("hi")).isEqualTo("primary:hi");
            }
        }
        assertThat(primary.calls).hasValue(160);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void anOpenCircuitGoesStraightToTheFallbacksWithTheRefusalAsCause() {
        Model model = wrap(breaker().requestVolumeThreshold(2).build(), backup);
        primary.down();
        model.chat("a");
        model.chat("b");
        int reached = primary.calls.get();

        assertThat(model.chat("c")).isEqualTo("backup:c");

        assertThat(primary.calls).hasValue(reached);
        ReboundEvent fallback = events.of(Kind.FALLBACK).get(2);
        assertThat(fallback.failure()).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(fallback.alternative()).as("of the target's class: told apart by its position")
                .isEqualTo("Fake#1");
        assertThat(time.sleeps()).isEmpty();
    }

    @Test
    void aRefusedCallFallsBackEvenWhenTheFallbackNamesOtherFailuresButNotWhenItSkipsRefusals() {
        Model model = Rebound.wrap(Model.class, (Model) primary)
                .withCircuitBreaker(breaker().requestVolumeThreshold(1).failureRatio(1.0).build())
                .withFallbacks(backup).fallbackOn(IllegalStateException.class)
                .settings(events.settings(time)).build();
        primary.down();
        assertThatThrownBy(() -> model.chat("a")).isInstanceOf(UncheckedIOException.class); // not named: no fallback

        assertThat(model.chat("b")).isEqualTo("backup:b"); // refused: the target was not called

        FallbackRule skipping = new FallbackRule(List.of(), List.of(CircuitBreakerOpenException.class));
        assertThat(skipping.fallsBackOn(new CircuitBreakerOpenException("m", "t"), true)).isFalse();
    }

    @Test
    void aRefusedCallWithFailingFallbacksThrowsTheRefusalWithTheirFailuresSuppressed() {
        backup.down();
        Model model = wrap(breaker().requestVolumeThreshold(1).failureRatio(1.0).build(), backup);
        primary.down();
        assertThatThrownBy(() -> model.chat("a")).isInstanceOf(UncheckedIOException.class);

        Throwable thrown = catchThrowableOfType(() -> model.chat("b"), CircuitBreakerOpenException.class);

        assertThat(thrown.getSuppressed()).hasSize(1);
        assertThat(thrown.getSuppressed()[0]).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void afterTheDelayOneProbeSucceedsAndClosesTheCircuit() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 4);
        time.advance(Duration.ofSeconds(9));
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(CircuitBreakerOpenException.class);
        primary.up();
        time.advance(Duration.ofSeconds(1));

        assertThat(model.chat("probe")).isEqualTo("primary:probe");

        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_CLOSED);
        assertThat(primary.calls).hasValue(5);
    }

    @Test
    void aFailedProbeOpensTheCircuitForAnotherDelay() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 4);
        time.advance(Duration.ofSeconds(10));

        assertThatThrownBy(() -> model.chat("probe")).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(CircuitBreakerOpenException.class);

        assertThat(primary.calls).hasValue(5);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_OPENED);
        assertThat(events.of(Kind.CIRCUIT_OPENED).get(1).reason()).isEqualTo("probe-failed");
        time.advance(Duration.ofSeconds(10));
        primary.up();
        assertThat(model.chat("hi")).isEqualTo("primary:hi");
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void halfOpenNeedsSuccessThresholdSuccessesToClose() throws Exception {
        Model model = wrap(breaker().successThreshold(3).build());
        primary.down();
        failTransiently(model, 4);
        time.advance(Duration.ofSeconds(10));
        primary.up();

        model.chat("1");
        model.chat("2");
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.HALF_OPEN);
        model.chat("3");

        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_CLOSED);
    }

    @Test
    void aClosedCircuitStartsWithAnEmptyWindow() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 4);
        time.advance(Duration.ofSeconds(10));
        primary.up();
        model.chat("probe");
        primary.down();

        failTransiently(model, 3);

        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void deterministicFailuresDoNotCountAgainstHealth() throws Exception {
        Model model = wrap(breaker().build());
        primary.failingWith(() -> new IllegalArgumentException("bad prompt"));

        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(IllegalArgumentException.class);
        }

        assertThat(primary.calls).hasValue(50);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void aDeterministicFailureOfAProbeFreesItsSlot() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 4);
        time.advance(Duration.ofSeconds(10));
        primary.up().thenFail(() -> new IllegalArgumentException("bad prompt"));

        assertThatThrownBy(() -> model.chat("bad")).isInstanceOf(IllegalArgumentException.class);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(model.chat("good")).isEqualTo("primary:good");

        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
    }

    /** policies.md: without an attemptTimeout, a probe that does not return keeps the only slot, however long. */
    @Test
    void aHalfOpenProbeThatDoesNotReturnKeepsItsSlotAndEveryOtherCallIsRefused() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 4);
        time.advance(Duration.ofSeconds(10));
        CountDownLatch inProbe = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        primary.failingWith(() -> {
            inProbe.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new IllegalStateException("answered at last");
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> probe = pool.submit(() -> catchThrowable(() -> model.chat("probe")));
            assertThat(inProbe.await(10, TimeUnit.SECONDS)).isTrue();
            time.advance(Duration.ofHours(1));

            assertThat(catchThrowable(() -> model.chat("hi"))).isInstanceOf(CircuitBreakerOpenException.class);
            assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.HALF_OPEN);
            assertThat(primary.calls).hasValue(5);
            release.countDown();
            probe.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void failOnAndSkipOnDecideWhatIsRecorded() throws Exception {
        Model onlyIllegalState = wrap(breaker().requestVolumeThreshold(2).failOn(IllegalStateException.class)
                .skipOn(UnsupportedOperationException.class).build());
        primary.failingWith(Model::outage);
        assertThatThrownBy(() -> onlyIllegalState.chat("a")).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> onlyIllegalState.chat("a")).isInstanceOf(UncheckedIOException.class);
        assertThat(breakerOf(onlyIllegalState).circuitState()).isEqualTo(CircuitState.CLOSED);

        primary.failingWith(() -> new IllegalStateException("down"));
        assertThatThrownBy(() -> onlyIllegalState.chat("a")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> onlyIllegalState.chat("a")).isInstanceOf(IllegalStateException.class);
        assertThat(breakerOf(onlyIllegalState).circuitState()).isEqualTo(CircuitState.OPEN);
    }

    /** An {@code on} the user gives is what counts, as {@code @Retry.on} is what retries: programming errors included. */
    @Test
    void anOnThatNamesASupertypeRecordsTheProgrammingErrorsItCovers() throws Exception {
        Model model = wrap(breaker().requestVolumeThreshold(2).failureRatio(1.0).failOn(RuntimeException.class).build());
        NullPointerException bug = new NullPointerException("bug");
        primary.failingWith(() -> bug);

        assertThat(catchThrowable(() -> model.chat("a"))).isSameAs(bug);
        assertThat(catchThrowable(() -> model.chat("a"))).isSameAs(bug);

        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.OPEN);
        assertThat(catchThrowable(() -> model.chat("a"))).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(primary.calls).hasValue(2);
    }

    @Test
    void eachMethodAndEachWrapperHasItsOwnBreaker() throws Exception {
        Model first = wrap(breaker().requestVolumeThreshold(1).failureRatio(1.0).build());
        Model second = wrap(breaker().requestVolumeThreshold(1).failureRatio(1.0).build());
        primary.down();

        assertThatThrownBy(() -> first.chat("a")).isInstanceOf(UncheckedIOException.class);

        assertThat(breakerOf(first).circuitState()).isEqualTo(CircuitState.OPEN);
        assertThat(breakerOf(second).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThatThrownBy(() -> second.chat("a")).isInstanceOf(UncheckedIOException.class);
        assertThat(primary.calls).hasValue(2);
    }

    @Test
    void theDefaultLogWarnsWhenOpeningAndSaysWhenClosingWithClassNamesOnly() {
        String out = StdErr.during(() -> {
            Model model = Rebound.wrap(Model.class, (Model) primary)
                    .withCircuitBreaker(breaker().requestVolumeThreshold(1).failureRatio(1.0).build())
                    .withFallbacks(backup).settings(ReboundSettings.builder().timeSource(time).build()).build();
            primary.failingWith(() -> new IllegalStateException("sk-live-SECRET"));
            model.chat("my card is 4111");
            model.chat("my card is 4111"); // refused: its fallback is logged at DEBUG only
            time.advance(Duration.ofSeconds(10));
            primary.up();
            model.chat("my card is 4111");
        });

        assertThat(out).contains("WARN dev.rebound - Model.chat(String) on Fake: circuit opened for 10000 ms"
                + " (failure-ratio) after java.lang.IllegalStateException")
                .contains("INFO dev.rebound - Model.chat(String) on Fake: circuit closed")
                .doesNotContain("circuit open, falling back").doesNotContain("half-open")
                .doesNotContain("SECRET").doesNotContain("4111");
        assertThat(out.split("falling back from", -1)).hasSize(2); // only the first call's fallback warns
    }

    /**
     * At INFO (these tests' level), a call the open circuit refused and a fallback answered prints nothing:
     * the opening told it at WARN; its fallback and its success are DEBUG lines (LogbackLevelsTest).
     */
    @Test
    void callsAnOpenCircuitRefusedAndAFallbackAnsweredPrintNoLineAtInfo() {
        Model model = Rebound.wrap(Model.class, (Model) primary)
                .withCircuitBreaker(breaker().requestVolumeThreshold(1).failureRatio(1.0).build())
                .withFallbacks(backup).settings(ReboundSettings.builder().timeSource(time).build()).build();
        primary.down();
        String opening = StdErr.during(() -> assertThat(model.chat("q")).isEqualTo("backup:q"));

        String refused = StdErr.during(() -> {
            for (int i = 0; i < 100; i++) {
                assertThat(model.chat("q")).isEqualTo("backup:q");
            }
        });

        assertThat(primary.calls).hasValue(1);
        assertThat(backup.calls).hasValue(101);
        assertThat(opening).contains("WARN dev.rebound - Model.chat(String) on Fake: circuit opened for 10000 ms")
                .contains("WARN dev.rebound - Model.chat(String): falling back from Fake to Fake#1 after "
                        + "java.io.UncheckedIOException")
                .contains("INFO dev.rebound - Model.chat(String): succeeded on Fake#1 at attempt 1");
        assertThat(refused).isEmpty();
    }

    @Test
    void aRefusedCallWithoutFallbacksIsNotWarnedAboutAgain() {
        String out = StdErr.during(() -> {
            Model model = Rebound.wrap(Model.class, (Model) primary)
                    .withCircuitBreaker(breaker().requestVolumeThreshold(1).failureRatio(1.0).build())
                    .settings(ReboundSettings.builder().timeSource(time).build()).build();
            primary.down();
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> model.chat("q")).isInstanceOf(RuntimeException.class);
            }
        });

        assertThat(out.split("WARN", -1)).hasSize(3); // the first call's failure, and the opening
        assertThat(out).contains("failed for good on Fake, throwing java.io.UncheckedIOException")
                .contains("circuit opened").doesNotContain("CircuitBreakerOpenException");
    }

    @Test
    void transitionEventsCarryNoMessages() {
        Model model = wrap(breaker().requestVolumeThreshold(1).failureRatio(1.0).build());
        primary.failingWith(() -> new IllegalStateException("secret prompt text"));

        assertThatThrownBy(() -> model.chat("a")).isInstanceOf(IllegalStateException.class);

        List<ReboundEvent> opened = events.of(Kind.CIRCUIT_OPENED);
        assertThat(opened).hasSize(1);
        assertThat(opened.get(0).toString()).isEqualTo(
                "CIRCUIT_OPENED Model.chat(String) target=Fake wait=10000ms reason=failure-ratio"
                        + " failure=java.lang.IllegalStateException");
    }

    /**
     * The usual LLM outage: a request hangs, the breaker opens on the fast failures, the provider
     * recovers and a probe closes the breaker; then the hung request fails. Its failure belongs to the
     * phase that admitted it, long gone: it does not reopen the breaker (it did when the door's inline
     * first attempt recorded into whatever closed phase was current).
     */
    @Test
    void theLateFailureOfAnAttemptAdmittedBeforeTheBreakerOpenedDoesNotReopenItAfterItsRecovery() throws Exception {
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Model target = prompt -> {
            calls.incrementAndGet();
            if (prompt.equals("hangs")) {
                hanging.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new UncheckedIOException(new IOException("read timed out"));
            }
            if (prompt.equals("fails")) {
                throw new UncheckedIOException(new IOException("503"));
            }
            return "ok:" + prompt;
        };
        Model model = Rebound.wrap(Model.class, target).withCircuitBreaker(CircuitBreakerPolicy.builder()
                .requestVolumeThreshold(2).failureRatio(0.5).delay(Duration.ofSeconds(10)).build())
                .settings(events.settings(time)).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Throwable> hung = pool.submit(() -> catchThrowable(() -> model.chat("hangs")));
            assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(model.chat("a")).isEqualTo("ok:a");
            assertThatThrownBy(() -> model.chat("fails")).isInstanceOf(UncheckedIOException.class);
            assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.OPEN);
            time.advance(Duration.ofSeconds(10));
            assertThat(model.chat("probe")).isEqualTo("ok:probe");
            assertThat(model.chat("b")).isEqualTo("ok:b");
            assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);

            release.countDown();

            assertThat(hung.get(10, TimeUnit.SECONDS)).isInstanceOf(UncheckedIOException.class)
                    .hasRootCauseMessage("read timed out");
        } finally {
            pool.shutdownNow();
        }
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_CLOSED);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
        // the closed phase after the recovery counts its own calls: one more failure fills the window
        assertThatThrownBy(() -> model.chat("fails")).isInstanceOf(UncheckedIOException.class);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.OPEN);
        assertThat(calls).hasValue(6);
    }

    /** A method returning a future, its first attempt's future pending as an HTTP client's is. */
    interface AsyncModel {
        CompletableFuture<String> chat(String prompt);
    }

    /** As the synchronous case: an asynchronous first attempt keeps the closed phase it ran under. */
    @Test
    void theLateFailureOfAnAsyncFirstAttemptAdmittedBeforeTheBreakerOpenedDoesNotReopenIt() throws Exception {
        CompletableFuture<String> hung = new CompletableFuture<>();
        AsyncModel target = prompt -> prompt.equals("hangs") ? hung
                : prompt.equals("fails") ? CompletableFuture.failedFuture(new IOException("503"))
                : CompletableFuture.completedFuture("ok:" + prompt);
        AsyncModel model = Rebound.wrap(AsyncModel.class, target).withCircuitBreaker(CircuitBreakerPolicy.builder()
                .requestVolumeThreshold(2).failureRatio(0.5).delay(Duration.ofSeconds(10)).build())
                .settings(events.settings(time)).build();

        CompletableFuture<String> call = model.chat("hangs");
        assertThat(model.chat("a").join()).isEqualTo("ok:a");
        assertThat(model.chat("fails")).isCompletedExceptionally();
        time.advance(Duration.ofSeconds(10));
        assertThat(model.chat("probe").join()).isEqualTo("ok:probe");
        assertThat(model.chat("b").join()).isEqualTo("ok:b");

        IOException late = new IOException("read timed out");
        hung.completeExceptionally(late);

        assertThat(catchThrowable(call::join)).hasCauseReference(late);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_CLOSED);
        // the phase after the recovery counts its own calls, the inline first attempts included
        assertThat(model.chat("fails")).isCompletedExceptionally();
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_CLOSED, Kind.CIRCUIT_OPENED);
    }

    /**
     * A client interrupted mid-request keeps the flag and throws its own I/O failure: the retry stops
     * there (reason interrupted) and the breaker records nothing, on the door's first attempt and on an
     * attempt the chain runs (once the breaker has opened, every attempt takes a permit there).
     */
    @Test
    void aFailureOfAnAttemptWhoseThreadIsInterruptedIsNotRecorded() {
        AtomicInteger calls = new AtomicInteger();
        Model target = prompt -> {
            calls.incrementAndGet();
            if (prompt.equals("interrupted")) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted"));
            }
            if (prompt.equals("fails")) {
                throw new UncheckedIOException(new IOException("503"));
            }
            return "ok:" + prompt;
        };
        Model model = Rebound.wrap(Model.class, target)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofSeconds(10)).build())
                .settings(events.settings(time)).build();

        for (boolean afterAnOpening : new boolean[] {false, true}) {
            if (afterAnOpening) {
                assertThatThrownBy(() -> model.chat("fails")).isInstanceOf(UncheckedIOException.class);
                time.advance(Duration.ofSeconds(10));
                assertThat(model.chat("probe")).isEqualTo("ok:probe");
                events.clear();
            }
            int before = calls.get();

            Throwable thrown = catchThrowable(() -> model.chat("interrupted"));

            assertThat(Thread.interrupted()).as("the flag is kept").isTrue();
            assertThat(thrown).isInstanceOf(UncheckedIOException.class);
            assertThat(calls.get() - before).as("the retry stopped at the interrupt").isOne();
            assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason)
                    .containsExactly("interrupted");
            assertThat(events.transitions()).as("after an opening: " + afterAnOpening).isEmpty();
            assertThat(model.chat("c")).isEqualTo("ok:c");
        }
    }

    /**
     * A door reads its attempt's start before it asks to be admitted (the protocol's order): an attempt
     * admitted by one closed phase whose outcome comes after the breaker opened and a probe closed it
     * again is not counted in the new phase, even when the door was held between its two questions.
     */
    @Test
    void aDoorsAttemptAdmittedByAnEarlierClosedPhaseIsNotCountedInALaterOne() throws Throwable {
        Model model = Rebound.wrap(Model.class, (Model) primary)
                .withCircuitBreaker(breaker().requestVolumeThreshold(1).failureRatio(1.0).build())
                .settings(events.settings(time)).build();
        dev.rebound.runtime.spi.ResilientMethod policy =
                ResilientProxy.policyOf(model, Model.class.getMethod("chat", String.class));
        primary.down();
        failTransiently(model, 1); // the first closed phase opens
        time.advance(Duration.ofSeconds(10));
        primary.up();
        assertThat(model.chat("probe")).isEqualTo("primary:probe"); // a second closed phase

        // a door, in the protocol's order: the start, then admitted by the second closed phase
        long start = policy.start();
        assertThat(policy.admitFirstAttempt()).isTrue();
        // meanwhile the second phase opens and a probe closes a third
        primary.down();
        failTransiently(model, 1);
        time.advance(Duration.ofSeconds(10));
        primary.up();
        assertThat(model.chat("probe")).isEqualTo("primary:probe");
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);

        UncheckedIOException late = new UncheckedIOException(new java.io.IOException("late"));
        assertThatThrownBy(() -> policy.failed(late, start, primary, new Object[] {"late"},
                (c, args) -> ((Model) c).chat((String) args[0]))).isSameAs(late);

        assertThat(breakerOf(model).circuitState()).as("the third phase let nothing through yet")
                .isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_CLOSED, Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN, Kind.CIRCUIT_CLOSED);
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 5, on the virtual clock: an attempt that runs past attemptTimeout is interrupted,
 * counted as a transient failure with reason "timeout", and followed by the next attempt, which gets
 * min(attemptTimeout, what is left of maxDuration).
 */
class AttemptTimeoutTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new ArrayList<>();
    final ReboundSettings settings = ReboundSettings.builder().timeSource(time).logging(false)
            .listener(events::add).build();

    public interface Model {
        String answer(String q) throws Exception;
    }

    /** Hangs (on the virtual clock) for the given durations, one per attempt, then answers at once. */
    final class Hanging implements Model {
        final List<Duration> hangs;
        final List<Long> startedAt = new ArrayList<>();
        int calls;

        Hanging(Duration... hangs) {
            this.hangs = List.of(hangs);
        }

        @Override
        public String answer(String q) throws Exception {
            startedAt.add(time.nanoTime());
            int n = calls++;
            if (n < hangs.size()) {
                time.sleep(hangs.get(n).toNanos()); // a hung request: ends early only if interrupted
            }
            return "answer " + (n + 1);
        }
    }

    private List<String> attemptFailedReasons() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED)
                .map(ReboundEvent::reason).toList();
    }

    @Test
    void aHungAttemptIsCutAtItsTimeoutAndTheNextAttemptAnswers() throws Exception {
        Hanging model = new Hanging(Duration.ofSeconds(60));
        Model resilient = Rebound.wrap(Model.class, (Model) model)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(2)).build())
                .settings(settings).build();

        assertThat(resilient.answer("q")).isEqualTo("answer 2");

        assertThat(model.calls).isEqualTo(2);
        assertThat(model.startedAt.get(1) - model.startedAt.get(0))
                .isEqualTo(Duration.ofSeconds(2).plusMillis(100).toNanos());
        assertThat(attemptFailedReasons()).containsExactly("timeout");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).findFirst().get()
                .failure()).isInstanceOf(AttemptTimeoutException.class).hasCauseInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(time.pendingTasks()).isZero();
    }

    /**
     * The clock records what the hung sleep lasted (cut at the 2 s timeout), not the 60 s it asked for:
     * {@code slept()} equals the time the clock moved, the hung 2 s then the 100 ms backoff.
     */
    @Test
    void aSleepCutShortByAnAttemptTimeoutIsRecordedAsTheTimeItLastedNotTheTimeItAskedFor() throws Exception {
        Hanging model = new Hanging(Duration.ofSeconds(60));
        Model resilient = Rebound.wrap(Model.class, (Model) model)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(2)).build())
                .settings(settings).build();
        long start = time.nanoTime();

        assertThat(resilient.answer("q")).isEqualTo("answer 2");

        Duration elapsed = Duration.ofNanos(time.nanoTime() - start);
        assertThat(elapsed).isEqualTo(Duration.ofMillis(2100));
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(100));
        assertThat(time.slept()).isEqualTo(elapsed);
    }

    /** Each attempt a read that ignores interrupts: 3 s on the virtual clock, then a failure. */
    Model deafReads(List<String> calls, boolean interruptedByItsCaller) {
        return q -> {
            calls.add(q);
            if (interruptedByItsCaller) {
                Thread.currentThread().interrupt(); // as Future.cancel(true) does to a thread mid-call
            }
            time.advance(Duration.ofSeconds(3));
            throw new IOException("read timed out");
        };
    }

    /**
     * A call (one attempt, timeout 1 s) whose target is another resilient call: 3 attempts of
     * {@link #deafReads}, each with timeout {@code innerTimeout}, recorded in {@code innerCalls}.
     */
    Model outerOverInner(List<String> innerCalls, Duration innerTimeout) {
        Model inner = Rebound.wrap(Model.class, deafReads(innerCalls, false))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).jitter(false)
                        .attemptTimeout(innerTimeout).build())
                .settings(settings).build();
        return Rebound.wrap(Model.class, (Model) inner::answer)
                .withRetry(RetryPolicy.builder().attempts(1).attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(settings).build();
    }

    @Test
    void anEnclosingCallsTimeoutStopsTheInnerCallsRetriesTheInnerTimerLeavesItsInterrupt() {
        List<String> innerCalls = new ArrayList<>();
        Model outer = outerOverInner(innerCalls, Duration.ofSeconds(2));
        long start = time.nanoTime();

        Throwable thrown = catchThrowable(() -> outer.answer("q"));

        // the outer timer interrupts at 1 s; the inner one, at 2 s, finds the thread interrupted and
        // leaves it so: the inner retry sees the interrupt and stops
        assertThat(innerCalls).as("the inner call's attempts").containsExactly("q");
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
        assertThat(((AttemptTimeoutException) thrown).timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Thread.interrupted()).as("the outer timer took back its own interrupt").isFalse();
    }

    /**
     * The mirror case: the inner call's timer (0.5 s) fires first; the outer one (1 s) finds the thread
     * interrupted by it and sends nothing. When the inner attempt ends, its timer takes its interrupt back
     * and sets it again as the outer timer's: the inner retry stops there, and the outer timer takes it back.
     */
    @Test
    void anInnerCallsTimeoutThatFiresFirstDoesNotSwallowTheEnclosingAttemptsTimeout() {
        List<String> innerCalls = new ArrayList<>();
        Model outer = outerOverInner(innerCalls, Duration.ofMillis(500));
        long start = time.nanoTime();

        Throwable thrown = catchThrowable(() -> outer.answer("q"));

        assertThat(innerCalls).as("the inner call's attempts: the outer timeout came during the first")
                .containsExactly("q");
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
        assertThat(((AttemptTimeoutException) thrown).timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(thrown.getCause()).isInstanceOf(AttemptTimeoutException.class);
        assertThat(((AttemptTimeoutException) thrown.getCause()).timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(Thread.interrupted()).as("the outer timer took back the interrupt it was owed").isFalse();
        assertThat(time.pendingTasks()).isZero();
    }

    /**
     * As above, but the target then reaches an interruptible point and hears the one flag (the inner timer's
     * and the outer's, which found it set and sent nothing): the inner timer has nothing to take back, yet
     * the enclosing attempt has timed out: the flag is set again for it, the inner retries stop, and the
     * outer timer takes it back.
     */
    @Test
    void anEnclosingTimeoutThatCameWhileTheInnerInterruptWasPendingStopsTheInnerRetriesEvenWhenTheFlagIsHeard() {
        List<String> innerCalls = new ArrayList<>();
        Model busyThenInterruptible = q -> {
            innerCalls.add(q);
            time.advance(Duration.ofSeconds(3)); // busy, deaf: both timers fire meanwhile
            time.sleep(1L); // the first interruptible point: throws at once, the flag heard
            return "never";
        };
        Model inner = Rebound.wrap(Model.class, busyThenInterruptible)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).jitter(false)
                        .attemptTimeout(Duration.ofMillis(500)).build())
                .settings(settings).build();
        Model outer = Rebound.wrap(Model.class, (Model) inner::answer)
                .withRetry(RetryPolicy.builder().attempts(1).attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(settings).build();
        long start = time.nanoTime();

        Throwable thrown = catchThrowable(() -> outer.answer("q"));

        boolean leftInterrupted = Thread.interrupted();
        assertThat(innerCalls).as("the inner call's attempts once the enclosing attempt had timed out")
                .containsExactly("q");
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
        assertThat(((AttemptTimeoutException) thrown).timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(leftInterrupted).as("the outer timer took back the interrupt it was owed").isFalse();
    }

    @Test
    void aCallersInterruptDuringAnAttemptThatAlsoTimesOutIsKeptAndStopsTheRetries() {
        List<String> calls = new ArrayList<>();
        Model resilient = Rebound.wrap(Model.class, deafReads(calls, true))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(2)).build())
                .settings(settings).build();

        Throwable thrown = catchThrowable(() -> resilient.answer("q"));

        boolean interrupted = Thread.interrupted();
        assertThat(calls).containsExactly("q");
        assertThat(interrupted).as("the caller's interrupt flag after the call").isTrue();
        assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("interrupted"));
    }

    @Test
    void aCallersInterruptTheAttemptConsumedBeforeItsTimeCameIsNotTurnedIntoARetriedTimeout() {
        List<String> calls = new ArrayList<>();
        Model cancelledMidRead = q -> {
            calls.add(q);
            Thread.currentThread().interrupt(); // as Future.cancel(true) does to a thread mid-call
            try {
                time.sleep(Duration.ofSeconds(10).toNanos()); // the read: throws at once, the flag cleared
                return "never";
            } catch (InterruptedException e) {
                time.advance(Duration.ofSeconds(3)); // closing the connection while the attempt's time comes
                throw e;
            }
        };
        Model resilient = Rebound.wrap(Model.class, cancelledMidRead)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(2)).build())
                .settings(settings).build();

        Throwable thrown = catchThrowable(() -> resilient.answer("q"));

        Thread.interrupted();
        assertThat(calls).as("the caller cancelled: no second attempt").containsExactly("q");
        assertThat(thrown).as("the caller gets the interrupt, as without a timeout")
                .isInstanceOf(InterruptedException.class);
        assertThat(attemptFailedReasons()).doesNotContain("timeout");
    }

    @Test
    void theNextAttemptGetsOnlyWhatIsLeftOfMaxDuration() throws Exception {
        Hanging model = new Hanging(Duration.ofSeconds(60), Duration.ofSeconds(60));
        Model resilient = Rebound.wrap(Model.class, (Model) model)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(500)).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(3)).maxDuration(Duration.ofSeconds(5)).build())
                .settings(settings).build();
        long start = time.nanoTime();

        Throwable thrown = catchThrowable(() -> resilient.answer("q"));

        // attempt 1: 3 s (its timeout); wait 0.5 s; attempt 2: the 1.5 s left of the 5 s
        assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
        assertThat(((AttemptTimeoutException) thrown).timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(model.calls).isEqualTo(2);
        assertThat(attemptFailedReasons()).containsExactly("timeout", "timeout");
    }

    @Test
    void aTimeoutIsRetriedEvenWhenRetryOnNamesOtherFailures() throws Exception {
        Hanging model = new Hanging(Duration.ofSeconds(60));
        Model resilient = Rebound.wrap(Model.class, (Model) model)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).retryOn(IOException.class)
                        .attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(settings).build();

        assertThat(resilient.answer("q")).isEqualTo("answer 2");
    }

    @Test
    void abortOnAttemptTimeoutExceptionStopsAfterTheFirstTimeout() {
        Hanging model = new Hanging(Duration.ofSeconds(60));
        Model resilient = Rebound.wrap(Model.class, (Model) model)
                .withRetry(RetryPolicy.builder().attempts(3).abortOn(AttemptTimeoutException.class)
                        .attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(settings).build();

        assertThat(catchThrowable(() -> resilient.answer("q"))).isInstanceOf(AttemptTimeoutException.class);
        assertThat(model.calls).isEqualTo(1);
    }

    /**
     * A busy attempt past its timeout (the timer's interrupt unheard) that then fails with an Error: the
     * Error is no timeout's doing. It reaches the caller as itself, never retried, never a fallback's (it
     * was the cause of a retried {@code AttemptTimeoutException}, and a fallback answered for it).
     */
    @Test
    void anErrorThrownAfterTheTimeoutFiredPassesAsItselfNeitherRetriedNorFallenBackOn() {
        List<String> calls = new ArrayList<>();
        AssertionError bug = new AssertionError("invariant broken");
        Model busyThenBroken = q -> {
            calls.add(q);
            time.advance(Duration.ofSeconds(3));
            throw bug;
        };
        Model resilient = Rebound.wrap(Model.class, busyThenBroken)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO)
                        .attemptTimeout(Duration.ofSeconds(1)).build())
                .withFallbacks((Model) q -> "canned")
                .settings(settings).build();

        assertThat(catchThrowable(() -> resilient.answer("q"))).isSameAs(bug);
        assertThat(calls).hasSize(1);
        assertThat(events).noneMatch(e -> e.kind() == ReboundEvent.Kind.FALLBACK);
        assertThat(Thread.interrupted()).as("the timer's unheard interrupt is not left behind").isFalse();
    }

    @Test
    void anAttemptWithinItsTimeoutIsUntouchedAndLeavesNoTimerBehind() throws Exception {
        Hanging model = new Hanging(Duration.ofMillis(900));
        Model resilient = Rebound.wrap(Model.class, (Model) model)
                .withRetry(RetryPolicy.builder().attempts(3).attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(settings).build();

        assertThat(resilient.answer("q")).isEqualTo("answer 1");
        assertThat(model.calls).isEqualTo(1);
        assertThat(time.pendingTasks()).isZero();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void theTimeoutMessageGivesTheTimeoutInItsLargestExactUnitEvenBelowAMillisecond() {
        assertThat(new AttemptTimeoutException("Chat.chat(String)", Duration.ofNanos(500_000), null))
                .hasMessage("Chat.chat(String): attempt timed out after 500 us");
        assertThat(new AttemptTimeoutException("Chat.chat(String)", Duration.ofMillis(1500), null))
                .hasMessage("Chat.chat(String): attempt timed out after 1500 ms");

        Model resilient = Rebound.wrap(Model.class, (Model) new Hanging(Duration.ofSeconds(60)))
                .withRetry(RetryPolicy.builder().attempts(1).attemptTimeout(Duration.ofSeconds(2)).build())
                .settings(settings).build();
        assertThat(catchThrowable(() -> resilient.answer("q"))).isInstanceOf(AttemptTimeoutException.class)
                .hasMessage("Model.answer(String): attempt timed out after 2 s");
    }

    @Test
    void theBuilderRejectsANegativeTimeoutNamingIt() {
        assertThat(catchThrowable(() -> RetryPolicy.builder().attemptTimeout(Duration.ofMillis(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptTimeout");
        assertThat(catchThrowable(() -> RetryPolicy.builder().attemptTimeout(null)))
                .isInstanceOf(NullPointerException.class).hasMessage("attemptTimeout");
    }

    /** Sends for real; the server's answer is slow: a timed-out request may already have gone out. */
    public interface SlowMailer {
        @NonIdempotent
        @Retry(attempts = 3, delay = 0, on = ConnectException.class, attemptTimeout = 1000)
        String send(String mail) throws Exception;
    }

    public interface PlainMailer {
        @NonIdempotent
        String send(String mail) throws Exception;
    }

    @Test
    void aNonIdempotentMethodIsRefusedARetryAfterATimeoutItsRetryDoesNotName() {
        Hanging smtp = new Hanging(Duration.ofSeconds(5));
        String repeats = " on a @NonIdempotent method would repeat a call that timed out, which may have had its"
                + " effect: list dev.rebound.runtime.AttemptTimeoutException in ";

        assertThat(catchThrowable(() -> Rebound.wrap(SlowMailer.class, smtp::answer).settings(settings).build()))
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("SlowMailer.send(String): @Retry.attemptTimeout" + repeats
                                + "@Retry.on if a timed-out call is safe to repeat, else in @Retry.abortOn"));
        assertThat(catchThrowable(() -> Rebound.wrap(PlainMailer.class, smtp::answer)
                .withRetry(RetryPolicy.builder().attempts(3).retryOn(ConnectException.class)
                        .attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(settings).build()))
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("PlainMailer.send(String): RetryPolicy.Builder.attemptTimeout" + repeats
                                + "RetryPolicy.Builder.retryOn if a timed-out call is safe to repeat, else in "
                                + "RetryPolicy.Builder.abortOn"));
        assertThat(smtp.calls).isZero();
    }

    /** The same mailer, the timeout named either way: ended at its first timeout, or safe to repeat. */
    public interface NamedTimeoutMailer {
        @NonIdempotent
        @Retry(attempts = 3, delay = 0, on = ConnectException.class, abortOn = AttemptTimeoutException.class,
                attemptTimeout = 1000)
        String send(String mail) throws Exception;

        /** Sent with an idempotency key: the server drops a second copy. */
        @NonIdempotent
        @Retry(attempts = 3, delay = 0, on = {ConnectException.class, AttemptTimeoutException.class},
                attemptTimeout = 1000)
        String sendWithKey(String mail) throws Exception;
    }

    @Test
    void aTimedOutNonIdempotentCallIsSentAgainOnlyWhenItsRetryOnNamesTheTimeout() throws Exception {
        Hanging once = new Hanging(Duration.ofSeconds(5));
        Hanging withKey = new Hanging(Duration.ofSeconds(5));
        NamedTimeoutMailer wrapped = Rebound.wrap(NamedTimeoutMailer.class, new NamedTimeoutMailer() {
            public String send(String mail) throws Exception {
                return once.answer(mail);
            }

            public String sendWithKey(String mail) throws Exception {
                return withKey.answer(mail);
            }
        }).settings(settings).build();

        assertThat(catchThrowable(() -> wrapped.send("m"))).isInstanceOf(AttemptTimeoutException.class);
        assertThat(once.calls).isEqualTo(1);
        assertThat(wrapped.sendWithKey("m")).isEqualTo("answer 2");
        assertThat(withKey.calls).isEqualTo(2);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void micrometerCountsTimeoutsApart() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Model resilient = Rebound.wrap(Model.class, (Model) new Hanging(Duration.ofSeconds(60)))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO)
                        .attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false)
                        .listener(new dev.rebound.runtime.metrics.MicrometerListener(registry)).build())
                .build();

        assertThat(resilient.answer("q")).isEqualTo("answer 2");
        assertThat(registry.find(dev.rebound.runtime.metrics.MicrometerListener.ATTEMPT_TIMEOUTS).counter().count())
                .isEqualTo(1.0);
    }
}

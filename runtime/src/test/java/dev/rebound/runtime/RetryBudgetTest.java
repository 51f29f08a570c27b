package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.internal.RetryBudget;
import dev.rebound.runtime.internal.RetryBudgets;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private final VirtualTimeSource time = new VirtualTimeSource();
    private final Events events = new Events();
    private final ReboundSettings settings = events.settings(time);
    private final Model.Fake primary = new Model.Fake("primary").down();
    private final Model.Fake backup = new Model.Fake("backup");

    /** Two attempts, no wait (the clock stays within one second), drawing on a budget. */
    private static RetryPolicy.Builder retry() {
        return RetryPolicy.builder().attempts(2).delay(Duration.ZERO).jitter(false);
    }

    private Model wrap(Model target, RetryPolicy retry, ReboundSettings s) {
        return Rebound.wrap(Model.class, target).withRetry(retry).withFallbacks(backup).settings(s).build();
    }

    private long exhaustedFor(String reason) {
        return events.of(Kind.RETRIES_EXHAUSTED).stream().filter(e -> reason.equals(e.reason())).count();
    }

    @Test
    void retriesStayWithinTheRatioOfCallsAndTheRestGoToTheFallbacks() {
        Model model = wrap(primary, retry().budgetRatio(0.5).budgetMinPerSecond(0).build(), settings);

        for (int i = 0; i < 11; i++) {
            assertThat(model.chat("q")).isEqualTo("backup:q");
        }

        // retry k is allowed once k <= 0.5 * (calls so far): calls 2, 4, 6, 8 and 10 retry
        assertThat(primary.calls).hasValue(11 + 5);
        assertThat(exhaustedFor("attempts")).isEqualTo(5);
        assertThat(exhaustedFor("budget")).isEqualTo(6);
        ReboundEvent refused = events.of(Kind.RETRIES_EXHAUSTED).get(0);
        assertThat(refused.reason()).isEqualTo("budget");
        assertThat(refused.attempt()).isEqualTo(1);
        assertThat(events.of(Kind.FALLBACK)).hasSize(11);
    }

    @Test
    void theCallsBeforeAFailurePayForItsRetry() {
        Model.Fake target = new Model.Fake("primary");
        Model model = wrap(target, retry().budgetRatio(0.5).budgetMinPerSecond(0).build(), settings);
        for (int i = 0; i < 100; i++) {
            assertThat(model.chat("ok")).isEqualTo("primary:ok");
        }

        target.thenFail(Model::outage);
        assertThat(model.chat("q")).isEqualTo("primary:q"); // 0.5 x 101 calls in the window pay for it

        assertThat(target.calls).hasValue(100 + 2);
        assertThat(events.of(Kind.RETRY_SCHEDULED)).hasSize(1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).isEmpty();
    }

    @Test
    void callsEarlierInTheWindowPayForARetryUntilTheyLeaveIt() {
        Model.Fake target = new Model.Fake("primary");
        Model model = wrap(target, retry().budgetRatio(0.2).budgetMinPerSecond(0).build(), settings);
        for (int second = 0; second < 9; second++) {
            for (int i = 0; i < 50; i++) {
                model.chat("ok");
            }
            time.advance(Duration.ofSeconds(1));
        }

        target.thenFail(Model::outage);
        assertThat(model.chat("q")).isEqualTo("primary:q"); // second 9: 0.2 x 451 calls in the window
        time.advance(Duration.ofSeconds(10));
        target.thenFail(Model::outage);
        assertThat(model.chat("q")).isEqualTo("backup:q");  // second 19: the window holds this call only

        assertThat(target.calls).hasValue(450 + 2 + 1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason).containsExactly("budget");
    }

    /**
     * budgetMinPerSecond is a reserve for the window, as Finagle's minRetriesPerSec: 10 x the minimum
     * within any 10 s whatever the traffic, which a burst may spend at once; each retry gives it back
     * when it leaves the window.
     */
    @Test
    void theMinimumPerSecondIsAReserveForTheWindowThatABurstMaySpendAtOnce() {
        Model model = wrap(primary, retry().budgetRatio(0.01).budgetMinPerSecond(2).build(), settings);

        for (int i = 0; i < 30; i++) {
            model.chat("q");
        }
        assertThat(primary.calls).hasValue(30 + 20); // 2 per second of a 10-second window, all in second 0

        time.advance(Duration.ofSeconds(9));
        model.chat("q");
        assertThat(primary.calls).hasValue(51 + 0); // the 20 retries are still in the window

        time.advance(Duration.ofSeconds(1));
        model.chat("q");
        assertThat(primary.calls).hasValue(52 + 0); // 10.0 s later: given back between 10.0 and 10.1 s

        time.advance(Duration.ofMillis(100));
        model.chat("q");
        assertThat(primary.calls).hasValue(53 + 1); // 10.1 s later: they left it
    }

    /**
     * The window is counted in ticks of 100 ms, not whole seconds from the budget's making: ten retries
     * made at +0.9 s are still within the last 10 s at +10.0 s, and leave it by +11.0 s.
     */
    @Test
    void aRetryIsGivenBackNoEarlierThanTenSecondsAfterItWasMade() {
        Model.Fake target = new Model.Fake("primary");
        Model model = wrap(target, retry().budgetRatio(0.001).budgetMinPerSecond(1).build(), settings);
        assertThat(model.chat("ok")).isEqualTo("primary:ok"); // the budget is made now, at +0 s
        target.down();

        time.advance(Duration.ofMillis(900));
        for (int i = 0; i < 11; i++) {
            model.chat("q");
        }
        assertThat(target.calls).hasValue(1 + 10 * 2 + 1); // the reserve of 10 spent at +0.9 s, the 11th refused

        time.advance(Duration.ofMillis(9100)); // +10.0 s: the ten retries were made 9.1 s ago
        model.chat("q");
        assertThat(target.calls).as("the call at +10.0 s is not retried").hasValue(23);

        time.advance(Duration.ofMillis(1000)); // +11.0 s: 10.1 s later
        model.chat("q");
        assertThat(target.calls).as("the call at +11.0 s is retried").hasValue(25);
    }

    /** A wrapper on a down target whose retries draw on the named budget "shared": a reserve of 10. */
    private Model drawingOnTheSharedReserve(Model.Fake target, ReboundSettings s) {
        return Rebound.wrap(Model.class, (Model) target).withRetry(retry().budget("shared").budgetRatio(0.001)
                .budgetMinPerSecond(1).build()).settings(s).build();
    }

    /** Fails 11 calls through {@code model}: the calls {@code target} saw (21 when the reserve of 10 is whole). */
    private static int targetCallsForElevenFailures(Model model, Model.Fake target) {
        for (int i = 0; i < 11; i++) {
            assertThatThrownBy(() -> model.chat("q")).isInstanceOf(RuntimeException.class);
        }
        return target.calls.get();
    }

    /**
     * A retry the rate limit then refuses sends nothing: its attempt was not made, and it is given back to
     * the budget, whose reserve of 10 stays whole for the next calls.
     */
    @Test
    void aRetryTheRateLimitRefusesIsGivenBackToTheBudget() {
        Model.Fake limited = new Model.Fake("limited").down();
        Model model = Rebound.wrap(Model.class, (Model) limited)
                .withRetry(retry().budget("shared").budgetRatio(0.001).budgetMinPerSecond(1).build())
                .withRateLimit(RateLimitPolicy.builder().key("one-a-minute").requestsPerMinute(1)
                        .maxDelay(Duration.ZERO).build())
                .settings(settings).build();
        assertThatThrownBy(() -> model.chat("q")).isInstanceOf(RateLimitRefusedException.class);
        assertThat(limited.calls).hasValue(1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason).containsExactly("rate-limited");

        assertThat(targetCallsForElevenFailures(drawingOnTheSharedReserve(primary, settings), primary))
                .isEqualTo(1 + 10 * 2);
    }

    /** A retry whose wait is interrupted is not made: it is given back to the budget. */
    @Test
    void aRetryWhoseWaitIsInterruptedIsGivenBackToTheBudget() {
        AtomicInteger scheduled = new AtomicInteger();
        ReboundSettings interrupting = ReboundSettings.builder().timeSource(time).logging(false).listener(e -> {
            if (e.kind() == Kind.RETRY_SCHEDULED && scheduled.incrementAndGet() == 1) {
                Thread.currentThread().interrupt(); // during the first retry's wait
            }
        }).build();
        Model.Fake interrupted = new Model.Fake("interrupted").down();
        Model model = drawingOnTheSharedReserve(interrupted, interrupting);
        try {
            assertThatThrownBy(() -> model.chat("q")).isInstanceOf(RuntimeException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(interrupted.calls).hasValue(1);

        assertThat(targetCallsForElevenFailures(model, interrupted)).isEqualTo(1 + 1 + 10 * 2);
    }

    /** An asynchronous client. */
    public interface AsyncModel {
        java.util.concurrent.CompletableFuture<String> chat(String prompt);
    }

    /** A retry whose call is cancelled during its wait is not made: it is given back to the budget. */
    @Test
    void aRetryWhoseCallIsCancelledDuringItsWaitIsGivenBackToTheBudget() {
        AtomicInteger attempts = new AtomicInteger();
        AsyncModel failing = prompt -> {
            attempts.incrementAndGet();
            return java.util.concurrent.CompletableFuture.failedFuture(Model.outage());
        };
        AsyncModel model = Rebound.wrap(AsyncModel.class, failing).withRetry(RetryPolicy.builder().attempts(2)
                .delay(Duration.ofSeconds(1)).jitter(false).budget("shared").budgetRatio(0.001).budgetMinPerSecond(1)
                .build()).settings(settings).build();
        java.util.concurrent.CompletableFuture<String> call = model.chat("q");
        assertThat(time.pendingTasks()).as("the retry's wait").isEqualTo(1);
        assertThat(call.cancel(true)).isTrue();
        assertThat(attempts).hasValue(1);

        assertThat(targetCallsForElevenFailures(drawingOnTheSharedReserve(primary, settings), primary))
                .isEqualTo(1 + 10 * 2);
    }

    /** {@link #time}, but its first sleep or first scheduled wait throws (a broken clock), as chosen. */
    private final class BrokenOnce implements TimeSource {
        final boolean sleepThrows;
        final IllegalStateException broken = new IllegalStateException("clock broken");
        final AtomicInteger thrown = new AtomicInteger();

        BrokenOnce(boolean sleepThrows) {
            this.sleepThrows = sleepThrows;
        }

        @Override
        public long nanoTime() {
            return time.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            if (sleepThrows && thrown.getAndIncrement() == 0) {
                throw broken;
            }
            time.sleep(nanos);
        }

        @Override
        public Future<?> schedule(long delayNanos, Runnable task) {
            if (!sleepThrows && thrown.getAndIncrement() == 0) {
                throw broken;
            }
            return time.schedule(delayNanos, task);
        }
    }

    /**
     * A retry whose wait's sleep throws is not made (the throw ends the target's attempts, TimeSource.sleep):
     * it is given back to the budget, whose reserve of 10 stays whole for the next calls.
     */
    @Test
    void aRetryWhoseSleepThrowsIsGivenBackToTheBudget() {
        BrokenOnce clock = new BrokenOnce(true);
        ReboundSettings s = ReboundSettings.builder().timeSource(clock).logging(false).build();
        Model.Fake broken = new Model.Fake("broken").down();
        Model waiting = Rebound.wrap(Model.class, (Model) broken).withRetry(retry().delay(Duration.ofMillis(1))
                .budget("shared").budgetRatio(0.001).budgetMinPerSecond(1).build()).settings(s).build();
        Throwable thrown = catchThrowable(() -> waiting.chat("q"));
        assertThat(thrown).isSameAs(clock.broken);
        assertThat(thrown.getSuppressed()).as("the outage before the wait").hasSize(1);
        assertThat(broken.calls).as("the retry was not made").hasValue(1);

        assertThat(targetCallsForElevenFailures(drawingOnTheSharedReserve(primary, s), primary)).isEqualTo(1 + 10 * 2);
    }

    /** An asynchronous call's retry whose wait cannot be scheduled (the clock throws) is given back too. */
    @Test
    void aRetryWhoseWaitCannotBeScheduledIsGivenBackToTheBudget() {
        BrokenOnce clock = new BrokenOnce(false);
        ReboundSettings s = ReboundSettings.builder().timeSource(clock).logging(false).build();
        AtomicInteger attempts = new AtomicInteger();
        AsyncModel failing = prompt -> {
            attempts.incrementAndGet();
            return java.util.concurrent.CompletableFuture.failedFuture(Model.outage());
        };
        AsyncModel model = Rebound.wrap(AsyncModel.class, failing).withRetry(retry().delay(Duration.ofSeconds(1))
                .budget("shared").budgetRatio(0.001).budgetMinPerSecond(1).build()).settings(s).build();
        Throwable thrown = catchThrowable(() -> model.chat("q").join());
        assertThat(thrown.getCause()).isSameAs(clock.broken);
        assertThat(clock.thrown).as("the one schedule, the retry's wait").hasValue(1);
        assertThat(attempts).as("the retry was not made").hasValue(1);

        assertThat(targetCallsForElevenFailures(drawingOnTheSharedReserve(primary, s), primary)).isEqualTo(1 + 10 * 2);
    }

    /** A retry a listener's Error ends after it was paid for (on RETRY_SCHEDULED) is given back too. */
    @Test
    void aRetryEndedByAListenersErrorIsGivenBackToTheBudget() {
        AssertionError bug = new AssertionError("listener bug");
        AtomicInteger scheduled = new AtomicInteger();
        ReboundSettings s = ReboundSettings.builder().timeSource(time).logging(false).listener(e -> {
            if (e.kind() == Kind.RETRY_SCHEDULED && scheduled.incrementAndGet() == 1) {
                throw bug;
            }
        }).build();
        Model.Fake ended = new Model.Fake("ended").down();
        Model model = drawingOnTheSharedReserve(ended, s);
        assertThat(catchThrowable(() -> model.chat("q"))).isSameAs(bug);
        assertThat(ended.calls).as("the retry was not made").hasValue(1);

        assertThat(targetCallsForElevenFailures(model, ended)).isEqualTo(1 + 10 * 2 + 1);
    }

    /** A target whose behaviour is the prompt: fail, or hold until released then fail, or hold then answer. */
    static final class Held implements Model {
        final java.util.Map<String, AtomicInteger> calls = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.CountDownLatch enteredFailing = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch releaseFailing = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch enteredProbe = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch releaseProbe = new java.util.concurrent.CountDownLatch(1);

        int calls(String prompt) {
            return calls.computeIfAbsent(prompt, k -> new AtomicInteger()).get();
        }

        @Override
        public String chat(String prompt) {
            calls.computeIfAbsent(prompt, k -> new AtomicInteger()).incrementAndGet();
            try {
                switch (prompt) {
                    case "fail":
                        throw Model.outage();
                    case "hold-then-fail":
                        enteredFailing.countDown();
                        releaseFailing.await(10, TimeUnit.SECONDS);
                        throw Model.outage();
                    case "probe":
                        enteredProbe.countDown();
                        releaseProbe.await(10, TimeUnit.SECONDS);
                        return "probe";
                    default:
                        return prompt;
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A retry that the half-open breaker refuses (its probe slot taken by another call) sends nothing: it
     * is given back, and a later real retry is paid for by the calls in the window.
     */
    @Test
    void aRetryTheHalfOpenBreakerRefusesIsGivenBackToTheBudget() throws Exception {
        Held target = new Held();
        Model model = Rebound.wrap(Model.class, (Model) target)
                .withRetry(retry().budgetRatio(0.5).budgetMinPerSecond(0).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(5)).build())
                .settings(settings).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            assertThat(model.chat("ok")).isEqualTo("ok");                                          // call 1
            Future<Throwable> held = pool.submit(() -> catchThrowable(() -> model.chat("hold-then-fail"))); // 2
            assertThat(target.enteredFailing.await(10, TimeUnit.SECONDS)).isTrue();
            catchThrowable(() -> model.chat("fail"));                      // call 3: retried once, opens the breaker
            assertThat(target.calls("fail")).isEqualTo(2);

            time.advance(Duration.ofSeconds(5));
            Future<String> probe = pool.submit(() -> model.chat("probe"));            // call 4: the probe, held
            assertThat(target.enteredProbe.await(10, TimeUnit.SECONDS)).isTrue();
            target.releaseFailing.countDown();                                     // call 2 fails: its retry is refused
            assertThat(held.get(10, TimeUnit.SECONDS)).isInstanceOf(CircuitBreakerOpenException.class);
            assertThat(target.calls("hold-then-fail")).as("call 2's retry sent nothing").isEqualTo(1);
            target.releaseProbe.countDown();
            assertThat(probe.get(10, TimeUnit.SECONDS)).isEqualTo("probe");
        } finally {
            pool.shutdownNow();
        }

        catchThrowable(() -> model.chat("fail")); // call 5: 5 calls in the window, 1 retry made: 2 <= 0.5 x 5
        // its second failure, its last attempt's, opens the breaker again: its attempts, not the budget, end it
        // (calls 3 and 5 say attempts, the reason of a last attempt's failure whatever the breaker did; call 2's
        // retry, which the breaker refused, circuit-open)
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason)
                .containsExactly("attempts", "circuit-open", "attempts");
        assertThat(target.calls("fail")).as("call 5 is retried").isEqualTo(4);
    }

    /**
     * Budgets are kept as the in-process rate limits are: settings made with toBuilder() on the same clock
     * share them, so replacing the global settings to add a listener leaves a spent budget spent.
     */
    @Test
    void replacingTheGlobalSettingsToAddAListenerLeavesASpentBudgetSpent() {
        ReboundSettings before = ReboundSettings.global();
        try {
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(time).logging(false).build());
            Model model = Rebound.wrap(Model.class, (Model) primary)
                    .withRetry(retry().budgetRatio(0.001).budgetMinPerSecond(1).build())
                    .build(); // no settings(...): reads the global ones live
            for (int i = 0; i < 11; i++) {
                assertThatThrownBy(() -> model.chat("q")).isInstanceOf(RuntimeException.class);
            }
            assertThat(primary.calls).hasValue(10 * 2 + 1); // the reserve of 10 spent, the 11th call refused

            ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(events).build());
            assertThatThrownBy(() -> model.chat("q")).isInstanceOf(RuntimeException.class);

            assertThat(primary.calls).as("a call 0 s after the reserve was spent is not retried").hasValue(22);
            assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason).containsExactly("budget");
        } finally {
            ReboundSettings.setGlobal(before);
        }
    }

    public interface GenerousQuotes {
        @Retry(attempts = 2, delay = 0, jitter = false, budget = "held-across-set-global", budgetRatio = 0.9,
                budgetMinPerSecond = 0)
        String quote(String symbol);
    }

    /**
     * A wrapper built without settings reads the global settings live, so it runs on those a later
     * {@code setGlobal} brings, even made with {@code builder()} (budgets of their own): its budget's
     * definition goes along, and a build on them defining the name otherwise, live or not, through a builder
     * or an annotation, is refused in the words of one settings, not left to run on the first one's values.
     */
    @Test
    void aBudgetAWrapperOnTheGlobalSettingsDefinesIsHeldToAfterSetGlobalBringsSettingsOfTheirOwn() {
        ReboundSettings before = ReboundSettings.global();
        try {
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(time).logging(false).build());
            Model strict = Rebound.wrap(Model.class, (Model) primary)
                    .withRetry(retry().budget("held-across-set-global").budgetRatio(0.001).budgetMinPerSecond(0)
                            .build())
                    .build(); // no settings(...): reads the global ones live
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(time).listener(events).build());
            RetryPolicy generous = retry().budget("held-across-set-global").budgetRatio(0.9).budgetMinPerSecond(0)
                    .build();
            String held = "retry budget \"held-across-set-global\" (budgetRatio 0.001, budgetMinPerSecond 0) with"
                    + " budgetRatio 0.9, budgetMinPerSecond 0; every method naming a budget must give it the same"
                    + " values";

            assertThatThrownBy(() -> Rebound.wrap(Model.class, (Model) backup).withRetry(generous).build())
                    .isInstanceOf(ReboundConfigurationException.class)
                    .hasMessage("Invalid Rebound configuration: Rebound.wrap(Model): budget names " + held);
            assertThatThrownBy(() -> wrap(new Model.Fake("generous"), generous, ReboundSettings.global()))
                    .hasMessage("Invalid Rebound configuration: Rebound.wrap(Model): budget names " + held);
            assertThatThrownBy(() -> Rebound.wrap(GenerousQuotes.class, s -> s).build())
                    .hasMessage("Invalid Rebound configuration: GenerousQuotes.quote(String): @Retry.budget names "
                            + held);

            assertThatThrownBy(() -> strict.chat("q")).isInstanceOf(RuntimeException.class);
            assertThat(primary.calls).as("its own budgetRatio 0.001 pays for no retry").hasValue(1);
            assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason).containsExactly("budget");
        } finally {
            ReboundSettings.setGlobal(before);
        }
    }

    /**
     * Settings given to a wrapper before {@code setGlobal} makes them global may define a budget otherwise
     * than the wrappers reading the global settings live: both were built, so {@code setGlobal} says it in a
     * WARN naming the budget and both values.
     */
    @Test
    void aBudgetDefinedOtherwiseOnSettingsThatSetGlobalThenBringsIsAWarnLine() {
        ReboundSettings before = ReboundSettings.global();
        try {
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(time).logging(false).build());
            Rebound.wrap(Model.class, (Model) primary)
                    .withRetry(retry().budget("warned-at-set-global").budgetRatio(0.001).budgetMinPerSecond(0).build())
                    .build(); // no settings(...): reads the global ones live
            ReboundSettings next = ReboundSettings.builder().timeSource(time).logging(false).build();
            wrap(new Model.Fake("generous"),
                    retry().budget("warned-at-set-global").budgetRatio(0.9).budgetMinPerSecond(0).build(), next);

            String log = StdErr.during(() -> ReboundSettings.setGlobal(next));

            assertThat(log.lines()).containsExactly("[main] WARN dev.rebound - ReboundSettings.setGlobal: retry budget"
                    + " \"warned-at-set-global\" is defined with budgetRatio 0.001, budgetMinPerSecond 0 by methods"
                    + " reading the global settings live, and with budgetRatio 0.9, budgetMinPerSecond 0 by methods"
                    + " built on settings sharing the new global settings' budgets: each draws on the budget's one"
                    + " window of calls and retries with its own values; every method naming a budget must give it"
                    + " the same values");
        } finally {
            ReboundSettings.setGlobal(before);
        }
    }

    /**
     * Settings made with toBuilder() on another clock get budgets of their own, that clock's: a window never
     * reads readings of two clocks.
     */
    @Test
    void settingsMadeWithToBuilderOnAnotherClockGetBudgetsOfTheirOwn() {
        RetryPolicy policy = retry().budgetRatio(0.001).budgetMinPerSecond(1).build();
        Model model = wrap(primary, policy, settings);
        for (int i = 0; i < 11; i++) {
            model.chat("q");
        }
        assertThat(primary.calls).hasValue(10 * 2 + 1); // the reserve of 10 spent

        Model.Fake other = new Model.Fake("other").down();
        Model onAnotherClock = wrap(other, policy,
                settings.toBuilder().timeSource(new VirtualTimeSource(Long.MAX_VALUE - 1_000_000_000L)).build());
        onAnotherClock.chat("q");
        assertThat(other.calls).as("a reserve of its own").hasValue(2);
        Model onTheSameClock = wrap(new Model.Fake("same").down(), policy, settings.toBuilder().build());
        onTheSameClock.chat("q");
        assertThat(exhaustedFor("budget")).as("the same clock: the spent budget").isEqualTo(2);
    }

    /**
     * A budget given other values once what defined it is gone (an application redeployed in the server's
     * shared lib: {@code ClassLoaderRetentionTest}) takes them over the window the old values counted: the
     * retries and calls of the last 10 s count for the new values, as they happened.
     */
    @Test
    void aBudgetGivenOtherValuesAfterARedeployKeepsItsWindowOfCallsAndRetries() {
        RetryBudget first = RetryBudgets.of(settings, retry().budgetRatio(0.001).build(), "Quotes");
        long now = time.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertThat(first.tryWithdraw(now)).isTrue();
        }
        assertThat(first.tryWithdraw(now)).as("the reserve of 10 spent").isFalse();

        RetryPolicy redeployed = retry().budgetRatio(0.5).build();
        RetryBudget second = RetryBudgets.of(settings, redeployed, "Quotes");

        assertThat(second.ratio()).isEqualTo(0.5);
        assertThat(second.tryWithdraw(now)).as("the 10 retries in the window count for the new values").isFalse();
        second.recordCall(now);
        second.recordCall(now);
        assertThat(second.tryWithdraw(now)).as("half of the 2 calls since: one retry").isTrue();
        assertThat(second.tryWithdraw(now)).isFalse();
        assertThat(RetryBudgets.of(settings, redeployed, "Quotes")).as("the same values: the same budget")
                .isSameAs(second);
    }

    /**
     * A build that fails defines no budget: the next build, the only wrapper that draws on it, may define
     * it otherwise.
     */
    @Test
    void aBudgetOfABuildThatFailedIsNotDefinedForTheNextBuild() {
        assertThatThrownBy(() -> Rebound.wrap(Model.class, (Model) primary)
                .withRetry(retry().budget("provider").budgetRatio(0.1).build())
                .fallbackOn(java.io.IOException.class) // no fallback to act on: a configuration problem
                .settings(settings).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageNotContaining("retry budget");

        Model valid = Rebound.wrap(Model.class, (Model) primary)
                .withRetry(retry().budget("provider").budgetRatio(0.3).build()).settings(settings).build();

        assertThat(valid).isNotNull();
        assertThatThrownBy(() -> wrap(primary, retry().budget("provider").budgetRatio(0.1).build(), settings))
                .hasMessageContaining("budget names retry budget \"provider\" (budgetRatio 0.3, budgetMinPerSecond 1)"
                        + " with budgetRatio 0.1");
    }

    public interface TwoBudgets {
        @Retry(attempts = 2, budget = "two", budgetRatio = 0.2)
        String first(String prompt);

        @Retry(attempts = 2, budget = "two", budgetRatio = 0.4)
        String second(String prompt);
    }

    public interface BadAfterABudget {
        @Retry(attempts = 2, budget = "annotated", budgetRatio = 0.2)
        String fine(String prompt);

        @Retry(attempts = 0)
        String bad(String prompt);
    }

    public interface GoodWithTheBudget {
        @Retry(attempts = 2, budget = "annotated", budgetRatio = 0.5)
        String fine(String prompt);
    }

    /**
     * The annotations of a class are one build: a method's budget is defined only when no method of the
     * class has a problem, and two methods of the same build that define a name otherwise conflict.
     */
    @Test
    void theAnnotationsOfAClassThatFailsDefineNoBudget() {
        assertThatThrownBy(() -> Rebound.wrap(BadAfterABudget.class, new BadAfterABudget() {
            @Override
            public String fine(String prompt) {
                return prompt;
            }

            @Override
            public String bad(String prompt) {
                return prompt;
            }
        }).settings(settings).build()).isInstanceOfSatisfying(ReboundConfigurationException.class,
                e -> assertThat(e.problems()).containsExactly("BadAfterABudget.bad(String): @Retry.attempts = 0 is outside 1..100"));

        assertThat(Rebound.wrap(GoodWithTheBudget.class, (GoodWithTheBudget) prompt -> prompt).settings(settings)
                .build().fine("q")).isEqualTo("q");
        assertThatThrownBy(() -> Rebound.wrap(TwoBudgets.class, new TwoBudgets() {
            @Override
            public String first(String prompt) {
                return prompt;
            }

            @Override
            public String second(String prompt) {
                return prompt;
            }
        }).settings(settings).build()).isInstanceOfSatisfying(ReboundConfigurationException.class,
                e -> assertThat(e.problems()).singleElement().asString()
                        .matches("TwoBudgets\\.(first|second)\\(String\\): @Retry\\.budget names retry budget \"two\""
                                + " \\(budgetRatio 0\\.(2|4), budgetMinPerSecond 1\\) with budgetRatio 0\\.(2|4), .*"));
    }

    @Test
    void wrappersOfOneInterfaceShareItsBudgetUnderTheSameSettings() {
        RetryPolicy policy = retry().budgetRatio(0.01).budgetMinPerSecond(1).build();
        Model first = wrap(primary, policy, settings);
        Model.Fake otherPrimary = new Model.Fake("other").down();
        Model second = wrap(otherPrimary, policy, settings);
        Model.Fake isolatedPrimary = new Model.Fake("isolated").down();
        Model isolated = wrap(isolatedPrimary, policy, events.settings(time));

        for (int i = 0; i < 10; i++) {
            first.chat("q");
        }
        second.chat("q");
        isolated.chat("q");

        assertThat(primary.calls).hasValue(20);
        assertThat(otherPrimary.calls).hasValue(1);    // the interface's budget is spent
        assertThat(isolatedPrimary.calls).hasValue(2); // other settings, other budgets
    }

    /** Another interface, to share a named budget across interfaces. */
    interface Embedder {
        String embed(String text);
    }

    @Test
    void aNamedBudgetIsSharedAcrossInterfaces() {
        RetryPolicy named = retry().budget("provider").budgetRatio(0.01).budgetMinPerSecond(1).build();
        Model model = wrap(primary, named, settings);
        int[] embedCalls = {0};
        Embedder failing = text -> {
            embedCalls[0]++;
            throw Model.outage();
        };
        Embedder embedder = Rebound.wrap(Embedder.class, failing).withRetry(named).settings(settings).build();

        for (int i = 0; i < 10; i++) {
            model.chat("q");
        }
        assertThatThrownBy(() -> embedder.embed("t")).isInstanceOf(RuntimeException.class);

        assertThat(embedCalls[0]).isEqualTo(1);
    }

    @Test
    void aBudgetNamedTwiceWithOtherValuesIsAConfigurationError() {
        wrap(primary, retry().budget("provider").budgetRatio(0.2).build(), settings);
        RetryPolicy other = retry().budget("provider").budgetRatio(0.3).build();

        assertThatThrownBy(() -> wrap(primary, other, settings))
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessage("Invalid Rebound configuration: Rebound.wrap(Model): budget names retry budget"
                        + " \"provider\" (budgetRatio 0.2, budgetMinPerSecond 1) with budgetRatio 0.3,"
                        + " budgetMinPerSecond 1; every method naming a budget must give it the same values");
    }

    @Test
    void withoutARatioThereIsNoBudget() {
        Model model = wrap(primary, retry().build(), settings);

        for (int i = 0; i < 100; i++) {
            model.chat("q");
        }

        assertThat(primary.calls).hasValue(200);
        assertThat(exhaustedFor("budget")).isZero();
    }

    @Test
    void theBuilderValidatesTheBudget() {
        assertThatThrownBy(() -> RetryPolicy.builder().budgetRatio(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budgetRatio = 1.5 is outside 0..1");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetRatio(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budgetRatio = NaN is outside 0..1");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budgetMinPerSecond = -1 is negative");
        assertThatThrownBy(() -> RetryPolicy.builder().budget(null))
                .isInstanceOf(NullPointerException.class).hasMessage("budget");
        assertThatThrownBy(() -> RetryPolicy.builder().budget("provider").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budget = \"provider\" needs budgetRatio above 0");
        RetryPolicy p = RetryPolicy.builder().budget("provider").budgetRatio(0.2).budgetMinPerSecond(3).build();
        assertThat(p.hasBudget()).isTrue();
        assertThat(p.budget()).isEqualTo("provider");
        assertThat(p.budgetRatio()).isEqualTo(0.2);
        assertThat(p.budgetMinPerSecond()).isEqualTo(3);
        assertThat(RetryPolicy.builder().build().hasBudget()).isFalse();
        assertThat(RetryPolicy.builder().build().budgetMinPerSecond()).isEqualTo(1);
    }

    public interface MinOnly {
        @dev.rebound.annotations.Retry(attempts = 2, budgetMinPerSecond = 50)
        String chat(String prompt);
    }

    /** A budget minimum without a ratio is no budget at all: refused, as a budget name alone is. */
    @Test
    void aBudgetMinimumWithoutABudgetRatioIsRefusedAsABudgetNameIs() throws Exception {
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinPerSecond(50).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budgetMinPerSecond = 50 needs budgetRatio above 0");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinPerSecond(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budgetMinPerSecond = 0 needs budgetRatio above 0");
        // the default, written or not, is no choice: the builder and the annotation agree on it
        assertThat(RetryPolicy.builder().budgetMinPerSecond(1).build().hasBudget()).isFalse();
        assertThat(dev.rebound.annotations.Retry.class.getMethod("budgetMinPerSecond").getDefaultValue())
                .isEqualTo(RetryPolicy.builder().build().budgetMinPerSecond());

        assertThatThrownBy(() -> Rebound.wrap(MinOnly.class, (MinOnly) prompt -> prompt).settings(settings).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("MinOnly.chat(String): @Retry.budgetMinPerSecond = 50 needs"
                                + " @Retry.budgetRatio above 0"));
    }

    @Test
    void eightThreadsNeverOverdrawTheBudget() throws Exception {
        Model model = wrap(primary, retry().budgetRatio(0.1).budgetMinPerSecond(0).build(),
                ReboundSettings.builder().timeSource(time).logging(false).build());
        int threads = 8;
        int calls = 1_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit((Callable<Void>) () -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < calls; i++) {
                        model.chat("q");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // every retry was granted while retries + 1 <= 0.1 * calls so far: never more than 800
        int retries = primary.calls.get() - threads * calls;
        assertThat(retries).isBetween(780, 800);
    }

    public interface Quotes {
        String quote(String symbol);
    }

    static final AtomicInteger ALTERNATIVE_CALLS = new AtomicInteger();

    public static class DownQuotes implements Quotes {
        @Override
        @Fallback(to = FlakyQuotes.class)
        public String quote(String symbol) {
            throw new IllegalStateException("primary down");
        }
    }

    /** Fails the first attempt of every call, answers the second; its own budget pays for one retry a call. */
    public static class FlakyQuotes implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0, jitter = false, budgetRatio = 1.0, budgetMinPerSecond = 0)
        public String quote(String symbol) {
            if (ALTERNATIVE_CALLS.incrementAndGet() % 2 == 1) {
                throw new IllegalStateException("alternative hiccup");
            }
            return "alternative " + symbol;
        }
    }

    @Test
    void anAlternativesOwnBudgetCountsTheCallsThatReachIt() {
        ALTERNATIVE_CALLS.set(0);
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) new DownQuotes()).settings(settings).build();

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                answers.add(quotes.quote("A"));
            } catch (IllegalStateException e) {
                answers.add(e.getMessage());
            }
        }

        assertThat(answers).containsOnly("alternative A").hasSize(20);
        assertThat(ALTERNATIVE_CALLS).hasValue(40);
        assertThat(exhaustedFor("budget")).isZero();
    }

    static final AtomicInteger SHARING_PRIMARY_CALLS = new AtomicInteger();

    /** Down; it and its alternative draw on the interface's budget. */
    public static class SharingQuotes implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0, jitter = false, budgetRatio = 0.5, budgetMinPerSecond = 0)
        @Fallback(to = SharingAlternative.class)
        public String quote(String symbol) {
            SHARING_PRIMARY_CALLS.incrementAndGet();
            throw new IllegalStateException("primary down");
        }
    }

    public static class SharingAlternative implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0, jitter = false, budgetRatio = 0.5, budgetMinPerSecond = 0)
        public String quote(String symbol) {
            return "alternative " + symbol;
        }
    }

    /**
     * A call reaching the primary and its alternative is one call for the budget both draw on: counted
     * twice, the primary's retries would reach 0.5 x 2 = all the calls.
     */
    @Test
    void aCallIsCountedOnceInABudgetItsPrimaryAndAlternativeShare() {
        SHARING_PRIMARY_CALLS.set(0);
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) new SharingQuotes()).settings(settings).build();

        for (int i = 0; i < 10; i++) {
            assertThat(quotes.quote("A")).isEqualTo("alternative A");
        }

        // retry k is allowed once k <= 0.5 * (calls so far): calls 2, 4, 6, 8 and 10 retry
        assertThat(SHARING_PRIMARY_CALLS).hasValue(10 + 5);
        assertThat(exhaustedFor("budget")).isEqualTo(5);
    }

    @Test
    void theEventsSayWhyARetryWasNotMade() {
        Model model = wrap(primary, retry().budgetRatio(0.5).budgetMinPerSecond(0).build(), settings);

        model.chat("q");

        assertThat(events.all().stream().map(e -> e.kind() + (e.reason() != null ? ":" + e.reason() : ""))
                .collect(Collectors.toList()))
                .containsExactly("ATTEMPT_FAILED", "RETRIES_EXHAUSTED:budget", "FALLBACK", "SUCCEEDED:fallback");
    }
}

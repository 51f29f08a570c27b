package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.MethodDiagnostics.CircuitState;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** @CircuitBreaker and the @Retry budget attributes, read through the shared resolution. */
class AnnotatedCircuitBreakerTest {

    private final VirtualTimeSource time = new VirtualTimeSource();
    private final Events events = new Events();
    private final ReboundSettings settings = events.settings(time);

    @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = 30, unit = TimeUnit.SECONDS)
    interface Guarded {
        @Retry(attempts = 3, delay = 10, jitter = false)
        @Fallback(to = Spare.class)
        String ask(String q);

        @CircuitBreaker(requestVolumeThreshold = 4, halfOpenProbes = 2, successThreshold = 2, on = IllegalStateException.class)
        String other(String q);

        String unguardedByMethodButGuardedByType(String q);
    }

    public static final class Spare implements Guarded {
        @Override
        public String ask(String q) {
            return "spare:" + q;
        }

        @Override
        public String other(String q) {
            return "spare";
        }

        @Override
        public String unguardedByMethodButGuardedByType(String q) {
            return "spare";
        }
    }

    static final class Down implements Guarded {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String ask(String q) {
            calls.incrementAndGet();
            throw Model.outage();
        }

        @Override
        public String other(String q) {
            return "down";
        }

        @Override
        public String unguardedByMethodButGuardedByType(String q) {
            return "down";
        }
    }

    private static MethodDiagnostics breakerOf(Class<?> impl, String method) throws NoSuchMethodException {
        ResilientMethod rm = Policies.resolve(impl, Guarded.class.getMethod(method, String.class),
                ReboundSettings.builder().logging(false).build(), alt -> Spare::new);
        return rm.diagnostics();
    }

    @Test
    void theAnnotationsAreReadWithTheUsualPrecedence() throws Exception {
        CircuitBreakerPolicy onType = breakerOf(Down.class, "unguardedByMethodButGuardedByType").circuitBreaker();
        assertThat(onType.requestVolumeThreshold()).isEqualTo(2);
        assertThat(onType.failureRatio()).isEqualTo(1.0);
        assertThat(onType.delay()).isEqualTo(Duration.ofSeconds(30));

        CircuitBreakerPolicy onMethod = breakerOf(Down.class, "other").circuitBreaker();
        assertThat(onMethod.requestVolumeThreshold()).isEqualTo(4);
        assertThat(onMethod.delay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(onMethod.halfOpenProbes()).isEqualTo(2);
        assertThat(onMethod.successThreshold()).isEqualTo(2);
        assertThat(onMethod.failOn()).containsExactly(IllegalStateException.class);
    }

    @Test
    void aDoorRunsTheFirstAttemptItselfOnlyWhileTheBreakerIsClosedAndReportsIt() throws Throwable {
        Down down = new Down();
        ResilientMethod guarded = Policies.resolve(Down.class, Guarded.class.getMethod("ask", String.class),
                settings, alt -> Spare::new);
        ResilientMethod plain = Policies.resolve(Spare.class, Plain.class.getMethod("ask", String.class),
                settings, alt -> Spare::new);
        Invoker again = (context, args) -> down.ask("q");

        // what a door does: admitted, it runs attempt 1 itself and hands its failure to recover
        assertThat(guarded.admitFirstAttempt()).isTrue();
        RuntimeException first = catchThrowableOfType(() -> down.ask("q"), RuntimeException.class);
        assertThat(guarded.failed(first, ResilientMethod.UNTIMED, null, new Object[] {"q"}, again)).isEqualTo("spare:q");

        // recover recorded attempt 1, so the retry filled the window of 2 and opened it: no attempt 3
        assertThat(down.calls).hasValue(2);
        assertThat(guarded.diagnostics().circuitState()).isEqualTo(CircuitState.OPEN);

        assertThat(guarded.admitFirstAttempt()).isFalse(); // so the door hands the call to execute
        assertThat(guarded.execute(null, new Object[] {"q"}, again)).isEqualTo("spare:q");
        assertThat(down.calls).hasValue(2);
        assertThat(plain.admitFirstAttempt()).isTrue();
    }

    interface Plain {
        @Retry
        String ask(String q);
    }

    @Test
    void anAnnotatedWrapperOpensAndFallsBackWithoutCallingTheTarget() {
        Down down = new Down();
        Guarded g = Rebound.wrap(Guarded.class, (Guarded) down).settings(settings).build();

        assertThat(g.ask("a")).isEqualTo("spare:a");
        assertThat(down.calls).hasValue(2); // the second attempt filled the window of 2: open, retry stopped
        assertThat(g.ask("b")).isEqualTo("spare:b");
        assertThat(down.calls).hasValue(2);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(10));
    }

    interface Invalid {
        @Retry(budgetRatio = 1.5, budgetMinPerSecond = -1)
        @CircuitBreaker(requestVolumeThreshold = 0, failureRatio = 0, delay = -1, successThreshold = 0,
                halfOpenProbes = 0)
        String ask(String q);

        @Retry(budget = "nameless")
        String named(String q);
    }

    @Test
    void everyProblemIsReportedAtOnceNamingMethodAndAttribute() throws Exception {
        assertThatThrownBy(() -> Policies.resolve(Invalid.class, Invalid.class.getMethod("ask", String.class),
                settings, alt -> Spare::new))
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "Invalid.ask(String): @Retry.budgetRatio = 1.5 is outside 0..1",
                                "Invalid.ask(String): @Retry.budgetMinPerSecond = -1 is negative",
                                "Invalid.ask(String): @CircuitBreaker.requestVolumeThreshold = 0 is outside 1..10000",
                                "Invalid.ask(String): @CircuitBreaker.failureRatio = 0.0 must be more than 0 and at most 1",
                                "Invalid.ask(String): @CircuitBreaker.delay = -1 ms is negative",
                                "Invalid.ask(String): @CircuitBreaker.successThreshold = 0 is below 1",
                                "Invalid.ask(String): @CircuitBreaker.halfOpenProbes = 0 is below 1"));
        assertThatThrownBy(() -> Policies.resolve(Invalid.class, Invalid.class.getMethod("named", String.class),
                settings, alt -> Spare::new))
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessage("Invalid Rebound configuration: Invalid.named(String): @Retry.budget = \"nameless\""
                        + " needs @Retry.budgetRatio above 0");
    }

    public interface YearLong {
        @CircuitBreaker(requestVolumeThreshold = 1, failureRatio = 1.0, delay = 365, unit = TimeUnit.DAYS)
        String ask(String q) throws IOException;
    }

    public interface LongerThanAYear {
        @CircuitBreaker(requestVolumeThreshold = 1, failureRatio = 1.0, delay = 400, unit = TimeUnit.DAYS)
        String ask(String q) throws IOException;
    }

    @Test
    void aDelayAboveAYearIsAConfigurationErrorNotSilentlyCapped() throws Exception {
        assertThatThrownBy(() -> Rebound.wrap(LongerThanAYear.class, (LongerThanAYear) q -> q).settings(settings)
                .build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("LongerThanAYear.ask(String): @CircuitBreaker.delay = 400 d is above 365 d"));

        // a year is kept as written: the breaker stays open for it
        YearLong year = Rebound.wrap(YearLong.class, (YearLong) q -> {
            throw new IOException("down");
        }).settings(settings).build();
        assertThatThrownBy(() -> year.ask("q")).isInstanceOf(IOException.class);
        assertThat(events.of(ReboundEvent.Kind.CIRCUIT_OPENED)).singleElement()
                .satisfies(e -> assertThat(e.waitTime()).isEqualTo(Duration.ofDays(365)));
    }

    @CircuitBreaker
    interface Deferred {
        @CircuitBreaker
        CompletableFuture<String> explicitly(String q);

        CompletableFuture<String> byTheType(String q);
    }

    @Test
    void aBreakerJudgesAMethodReturningAFutureByItsFuturesOutcome() throws Exception {
        assertThat(Policies.resolve(Deferred.class, Deferred.class.getMethod("explicitly", String.class), settings,
                alt -> null).diagnostics().circuitBreaker()).isNotNull();
        assertThat(Policies.resolve(Deferred.class, Deferred.class.getMethod("byTheType", String.class), settings,
                alt -> null).diagnostics().circuitBreaker()).as("a type-level breaker covers it too").isNotNull();
    }

    public interface StreamingChat {
        @Retry(attempts = 1)
        @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = 30, unit = TimeUnit.SECONDS)
        void chat(String q, StreamingChatResponseHandler handler);
    }

    /**
     * A breaker on a method that streams to a langchain4j handler judges each attempt by how it went up
     * to its first token: two streams that fail before it open the breaker, and the next call is refused
     * without reaching the model, its handler told so.
     */
    @Test
    void aBreakerJudgesAStreamingMethodByEachAttemptUpToItsFirstToken() {
        AtomicInteger calls = new AtomicInteger();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        StreamingChat failing = (q, h) -> {
            calls.incrementAndGet();
            h.onError(new IOException("503"));
        };
        StreamingChat chat = Rebound.wrap(StreamingChat.class, failing).settings(settings).build();
        StreamingChatResponseHandler handler = new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                errors.add(new AssertionError("answered"));
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        };

        chat.chat("a", handler);
        chat.chat("b", handler);
        chat.chat("c", handler);

        assertThat(calls).hasValue(2);
        assertThat(errors).hasSize(3);
        assertThat(errors.get(1)).isInstanceOf(IOException.class);
        assertThat(errors.get(2)).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(events.transitions()).containsExactly(ReboundEvent.Kind.CIRCUIT_OPENED);
    }

    interface Stream {
        @CircuitBreaker
        java.util.stream.Stream<String> lines(String q);
    }

    @Test
    void aBreakerCannotJudgeAMethodWhoseFailuresArriveInAStream() throws Exception {
        assertThatThrownBy(() -> Policies.resolve(Stream.class, Stream.class.getMethod("lines", String.class),
                settings, alt -> null))
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessage("Invalid Rebound configuration: Stream.lines(String): @CircuitBreaker cannot act"
                        + " on a method returning Stream: its failures arrive after the call has returned"
                        + " (apply the policy where the result is awaited)");
    }

    interface Budgeted {
        @Retry(attempts = 2, delay = 0, budgetRatio = 0.5, budgetMinPerSecond = 0)
        String ask(String q);
    }

    interface Conflicting {
        @Retry(attempts = 2, delay = 0, budget = "shared", budgetRatio = 0.5)
        String first(String q);

        @Retry(attempts = 2, delay = 0, budget = "shared", budgetRatio = 0.25)
        String second(String q);
    }

    @Test
    void aBudgetNamedWithOtherValuesFailsResolution() throws Exception {
        Policies.resolve(Conflicting.class, Conflicting.class.getMethod("first", String.class), settings,
                alt -> null);

        assertThatThrownBy(() -> Policies.resolve(Conflicting.class,
                Conflicting.class.getMethod("second", String.class), settings, alt -> null))
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageStartingWith("Invalid Rebound configuration: Conflicting.second(String): @Retry.budget names"
                        + " retry budget \"shared\" (budgetRatio 0.5, budgetMinPerSecond 1) with budgetRatio 0.25");
    }

    @Test
    void anAnnotatedBudgetCapsRetries() {
        AtomicInteger calls = new AtomicInteger();
        Budgeted failing = new Budgeted() {
            @Override
            public String ask(String q) {
                calls.incrementAndGet();
                throw Model.outage();
            }
        };
        Budgeted b = Rebound.wrap(Budgeted.class, failing).settings(settings).build();

        for (int i = 0; i < 11; i++) {
            assertThatThrownBy(() -> b.ask("q")).isInstanceOf(UncheckedIOException.class);
        }

        assertThat(calls).hasValue(11 + 5);
    }
}

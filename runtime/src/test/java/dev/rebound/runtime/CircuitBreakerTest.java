package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.MethodDiagnostics.CircuitState;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
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

    @Test
    void doesNotOpenBeforeTheWindowIsFull() throws Exception {
        Model model = wrap(breaker().build());
        primary.down();
        failTransiently(model, 3);
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).isEmpty();
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
        assertThat(fallback.alternative()).isEqualTo("Fake");
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
}

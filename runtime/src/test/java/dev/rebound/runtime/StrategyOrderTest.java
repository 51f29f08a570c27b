package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The engine runs Fallback(Retry(CircuitBreaker(call))): the breaker sees every attempt. */
class StrategyOrderTest {

    private final VirtualTimeSource time = new VirtualTimeSource();
    private final Events events = new Events();
    private final Model.Fake primary = new Model.Fake("primary");
    private final Model.Fake backup = new Model.Fake("backup");

    private Model wrap(int attempts, CircuitBreakerPolicy breaker) {
        RetryPolicy retry = RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(100))
                .multiplier(2.0).jitter(false).build();
        return Rebound.wrap(Model.class, (Model) primary).withRetry(retry).withCircuitBreaker(breaker)
                .withFallbacks(backup).settings(events.settings(time)).build();
    }

    @Test
    void theBreakerRecordsEveryAttemptNotEveryCall() {
        // a window of 3 attempts, all failed: one call of 3 attempts opens it
        Model model = wrap(3, CircuitBreakerPolicy.builder().requestVolumeThreshold(3).failureRatio(1.0).build());
        primary.down();

        assertThat(model.chat("a")).isEqualTo("backup:a");

        assertThat(primary.calls).hasValue(3);
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED);
        List<String> order = events.all().stream()
                .filter(e -> e.kind() != Kind.RETRY_SCHEDULED)
                .map(e -> e.kind() + (e.attempt() > 0 ? "#" + e.attempt() : ""))
                .collect(Collectors.toList());
        assertThat(order).containsExactly("ATTEMPT_FAILED#1", "ATTEMPT_FAILED#2", "CIRCUIT_OPENED",
                "ATTEMPT_FAILED#3", "RETRIES_EXHAUSTED#3", "FALLBACK", "SUCCEEDED#1");
    }

    @Test
    void aBreakerThatOpensMidCallStopsTheRetryWithoutWaiting() {
        Model model = wrap(5, CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0).build());
        primary.down();

        assertThat(model.chat("a")).isEqualTo("backup:a");

        assertThat(primary.calls).hasValue(2);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100));
        ReboundEvent exhausted = events.of(Kind.RETRIES_EXHAUSTED).get(0);
        assertThat(exhausted.reason()).isEqualTo("circuit-open");
        assertThat(exhausted.attempt()).isEqualTo(2);
        assertThat(exhausted.failure()).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void whileOpenNoAttemptIsMadeAndNoBackoffIsPaid() {
        Model model = wrap(3, CircuitBreakerPolicy.builder().requestVolumeThreshold(3).failureRatio(1.0).build());
        primary.down();
        model.chat("a");
        List<Duration> before = time.sleeps();

        for (int i = 0; i < 10; i++) {
            assertThat(model.chat("b")).isEqualTo("backup:b");
        }

        assertThat(primary.calls).hasValue(3);
        assertThat(time.sleeps()).isEqualTo(before);
    }

    @Test
    void aRetryRefusedByTheBreakerIsNotRetriedAndTheCallerSeesBothFailures() {
        // no fallback: the caller gets the last failure (the refusal) with the first attempt's suppressed
        RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ofSeconds(1)).jitter(false).build();
        CircuitBreakerPolicy breaker = CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                .delay(Duration.ZERO).build();
        Model model = Rebound.wrap(Model.class, (Model) primary).withRetry(retry).withCircuitBreaker(breaker)
                .settings(events.settings(time)).build();
        primary.down();
        assertThatThrownBy(() -> model.chat("a")).isInstanceOf(UncheckedIOException.class);
        assertThat(primary.calls).hasValue(1); // opened by attempt 1: the retry stopped at once

        // delay 0: the next call is a probe; it fails, the breaker opens again, the retry stops
        UncheckedIOException thrown = catchThrowableOfType(() -> model.chat("b"), UncheckedIOException.class);

        assertThat(primary.calls).hasValue(2);
        assertThat(thrown.getSuppressed()).isEmpty();
        assertThat(events.transitions()).containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN,
                Kind.CIRCUIT_OPENED);
        assertThat(time.sleeps()).isEmpty();
    }
}

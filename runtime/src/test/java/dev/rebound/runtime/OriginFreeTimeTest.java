package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A clock reading is meaningful only relative to another (as {@link System#nanoTime()}): the same
 * scripted calls make the same attempts and waits whatever the clock reads when they start.
 */
class OriginFreeTimeTest {

    /** 0, negative, 1e9 (VirtualTimeSource's default) and about to wrap around. */
    @ParameterizedTest
    @ValueSource(longs = {0L, -5_000_000_000L, 1_000_000_000L, Long.MAX_VALUE - 3_000_000_000L})
    void aDeadlineOfFiveSecondsAllowsTwoAttemptsOfTwoSecondsWhateverTheClockReadsAtTheStart(long origin) {
        DeadlineRun run = new DeadlineRun(origin);

        // attempt 1 (0-2 s), wait 1 s, attempt 2 (3-5 s); a 2 s wait would end past the deadline
        assertThat(run.attempts).isEqualTo(2);
        assertThat(run.time.sleeps()).containsExactly(Duration.ofSeconds(1));
        assertThat(run.events.of(Kind.RETRIES_EXHAUSTED).get(0).reason()).isEqualTo("deadline");
        assertThat(run.events.of(Kind.FAILED).get(0).elapsed()).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, -5_000_000_000L, 1_000_000_000L, Long.MAX_VALUE - 3_000_000_000L})
    void theSameScriptMakesTheSameAttemptsWaitsAndBreakerTransitions(long origin) {
        List<String> reference = script(1_000_000_000L);
        assertThat(reference).startsWith("spare:a", "spare:b", "spare:c", "spare:d", "primary:e", "primary:f",
                "sleeps [PT0.7S, PT0.7S]", "calls 6");

        assertThat(script(origin)).isEqualTo(reference);
    }

    @Test
    void aClockReadingTheUntimedValueIsReadOneNanosecondLaterNotAsNoReading() {
        DeadlineRun run = new DeadlineRun(ResilientMethod.UNTIMED);

        assertThat(run.attempts).isEqualTo(2);
        assertThat(run.time.sleeps()).containsExactly(Duration.ofSeconds(1));
        assertThat(run.events.of(Kind.RETRIES_EXHAUSTED).get(0).reason()).isEqualTo("deadline");
        assertThat(run.events.of(Kind.FAILED).get(0).elapsed()).isEqualTo(Duration.ofSeconds(5).minusNanos(1));
    }

    /** The issue's example: maxDuration 5 s, waits of 1 s then 2 s, attempts of 2 s each, always failing. */
    private static final class DeadlineRun {
        final VirtualTimeSource time;
        final Events events = new Events();
        int attempts;

        DeadlineRun(long origin) {
            time = new VirtualTimeSource(origin);
            Model slowAndDown = prompt -> {
                attempts++;
                time.advance(Duration.ofSeconds(2)); // each attempt takes 2 s
                throw new UncheckedIOException(new IOException("down"));
            };
            Model model = Rebound.wrap(Model.class, slowAndDown)
                    .withRetry(RetryPolicy.builder().attempts(10).delay(Duration.ofSeconds(1)).multiplier(2.0)
                            .jitter(false).maxDuration(Duration.ofSeconds(5)).build())
                    .settings(events.settings(time)).build();
            assertThatThrownBy(() -> model.chat("q")).isInstanceOf(UncheckedIOException.class);
        }
    }

    /**
     * Calls through a retry with a deadline and a breaker that opens for 10 s, some slow, some
     * failing, some while the breaker is open: what happened, as text.
     */
    private static List<String> script(long origin) {
        VirtualTimeSource time = new VirtualTimeSource(origin);
        Events events = new Events();
        Model.Fake target = new Model.Fake("primary");
        Model slow = prompt -> {
            time.advance(Duration.ofMillis(900)); // each attempt takes 0.9 s
            return target.chat(prompt);
        };
        Model model = Rebound.wrap(Model.class, slow)
                .withRetry(RetryPolicy.builder().attempts(4).delay(Duration.ofMillis(700)).multiplier(2.0)
                        .jitter(false).maxDuration(Duration.ofSeconds(3)).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(4).failureRatio(1.0)
                        .delay(Duration.ofSeconds(10)).build())
                .withFallbacks(prompt -> "spare:" + prompt)
                .settings(events.settings(time)).build();
        List<String> outcomes = new ArrayList<>();
        target.down();
        outcomes.add(model.chat("a"));      // 3 attempts within 3 s, then the spare
        outcomes.add(model.chat("b"));      // the 4th failure opens the breaker
        outcomes.add(model.chat("c"));      // refused: open
        time.advance(Duration.ofSeconds(9));
        outcomes.add(model.chat("d"));      // still open, 1 s to go
        time.advance(Duration.ofSeconds(2));
        target.up();
        outcomes.add(model.chat("e"));      // half-open probe succeeds
        outcomes.add(model.chat("f"));
        outcomes.add("sleeps " + time.sleeps());
        outcomes.add("calls " + target.calls.get());
        outcomes.addAll(events.all().stream()
                .map(e -> e.kind() + " " + e.target() + " #" + e.attempt() + " " + e.reason() + " "
                        + e.waitTime() + " " + e.elapsed())
                .collect(Collectors.toList()));
        return outcomes;
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
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
    void theBuilderRejectsANegativeTimeoutNamingIt() {
        assertThat(catchThrowable(() -> RetryPolicy.builder().attemptTimeout(Duration.ofMillis(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptTimeout");
        assertThat(catchThrowable(() -> RetryPolicy.builder().attemptTimeout(null)))
                .isInstanceOf(NullPointerException.class).hasMessage("attemptTimeout");
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

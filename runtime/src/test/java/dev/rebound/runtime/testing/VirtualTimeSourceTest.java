package dev.rebound.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Scheduled tasks run when virtual time reaches them, in time order, on the thread moving the clock. */
class VirtualTimeSourceTest {

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @Test
    void tasksRunAtTheirOwnTimeWhenTheClockPassesIt() {
        long start = clock.nanoTime();
        clock.schedule(Duration.ofSeconds(2).toNanos(), () -> ran.add("2s@" + (clock.nanoTime() - start)));
        clock.schedule(Duration.ofSeconds(1).toNanos(), () -> ran.add("1s@" + (clock.nanoTime() - start)));
        clock.advance(Duration.ofMillis(999));
        assertThat(ran).isEmpty();
        assertThat(clock.pendingTasks()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(5));
        assertThat(ran).containsExactly("1s@" + Duration.ofSeconds(1).toNanos(), "2s@" + Duration.ofSeconds(2).toNanos());
        assertThat(clock.pendingTasks()).isZero();
        assertThat(clock.scheduled()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void runScheduledMovesTheClockToEachTaskIncludingTasksScheduledByTasks() {
        long start = clock.nanoTime();
        clock.schedule(100, () -> {
            ran.add("a@" + (clock.nanoTime() - start));
            clock.schedule(50, () -> ran.add("b@" + (clock.nanoTime() - start)));
        });
        assertThat(clock.runScheduled()).isEqualTo(2);
        assertThat(ran).containsExactly("a@100", "b@150");
        assertThat(clock.nanoTime() - start).isEqualTo(150);
    }

    @Test
    void aCancelledTaskNeverRuns() {
        Future<?> f = clock.schedule(10, () -> ran.add("cancelled"));
        clock.schedule(20, () -> ran.add("kept"));
        assertThat(f.cancel(false)).isTrue();
        assertThat(clock.pendingTasks()).isEqualTo(1);
        assertThat(clock.runScheduled()).isEqualTo(1);
        assertThat(ran).containsExactly("kept");
    }

    @Test
    void aNegativeDelayIsDueAtOnce() {
        clock.schedule(-5, () -> ran.add("now"));
        clock.advance(Duration.ZERO);
        assertThat(ran).containsExactly("now");
        assertThat(clock.scheduled()).containsExactly(Duration.ZERO);
    }

    /**
     * A sleep a task interrupts ends at the task's time and is recorded as far as it went; a sleep no
     * task stops is recorded whole; the time {@code advance} moves is no sleep.
     */
    @Test
    void aSleepATaskInterruptsIsRecordedAsTheTimeItLasted() throws Exception {
        long start = clock.nanoTime();
        Thread sleeper = Thread.currentThread();
        clock.schedule(Duration.ofSeconds(2).toNanos(), sleeper::interrupt);

        Throwable cut = catchThrowable(() -> clock.sleep(Duration.ofSeconds(60).toNanos()));
        clock.sleep(Duration.ofMillis(100).toNanos());
        clock.advance(Duration.ofSeconds(7));

        assertThat(cut).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(clock.nanoTime() - start).isEqualTo(Duration.ofMillis(9100).toNanos());
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(100));
        assertThat(clock.slept()).isEqualTo(Duration.ofMillis(2100));
    }

    @Test
    void awaitPendingTasksReturnsWhenAnotherThreadSchedules() throws Exception {
        assertThat(clock.awaitPendingTasks(1, Duration.ofMillis(1))).isFalse();
        Thread other = new Thread(() -> clock.schedule(100, () -> ran.add("other")));
        other.start();
        assertThat(clock.awaitPendingTasks(1, Duration.ofSeconds(10))).isTrue();
        other.join();
        clock.runScheduled();
        assertThat(ran).containsExactly("other");
    }
}

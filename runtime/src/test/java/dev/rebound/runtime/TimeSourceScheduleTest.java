package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The system time source schedules on one shared timer thread and runs tasks on the common pool. */
class TimeSourceScheduleTest {

    @Test
    void aDueTaskRunsOnTheCommonPoolNotOnTheTimerThread() throws Exception {
        CompletableFuture<String> ranOn = new CompletableFuture<>();
        TimeSource.system().schedule(0, () -> ranOn.complete(Thread.currentThread().getName()));
        assertThat(ranOn.get(5, TimeUnit.SECONDS)).startsWith("ForkJoinPool.commonPool");
    }

    @Test
    void aCancelledTaskLeavesTheTimerAndNeverRuns() throws Exception {
        CompletableFuture<String> never = new CompletableFuture<>();
        Future<?> handle = TimeSource.system().schedule(TimeUnit.HOURS.toNanos(1), () -> never.complete("ran"));
        assertThat(handle.cancel(false)).isTrue();
        assertThat(handle.isCancelled()).isTrue();
        assertThat(never).isNotDone();
    }

    @Test
    void aNullTaskIsRefused() {
        assertThatThrownBy(() -> TimeSource.system().schedule(1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("task");
    }
}

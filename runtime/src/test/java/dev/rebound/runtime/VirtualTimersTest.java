package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The virtual clock runs scheduled tasks (per-attempt timeouts) when it reaches their time. */
class VirtualTimersTest {

    final VirtualTimeSource time = new VirtualTimeSource();

    @Test
    void aTaskThatInterruptsTheSleeperEndsTheSleepAtItsTime() {
        long start = time.nanoTime();
        Thread me = Thread.currentThread();
        time.schedule(Duration.ofSeconds(1).toNanos(), me::interrupt);

        assertThatThrownBy(() -> time.sleep(Duration.ofSeconds(10).toNanos())).isInstanceOf(InterruptedException.class);
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void tasksRunInTimeOrderAndACancelledOneNever() throws InterruptedException {
        List<String> ran = new ArrayList<>();
        time.schedule(Duration.ofMillis(300).toNanos(), () -> ran.add("300"));
        Future<?> cancelled = time.schedule(Duration.ofMillis(100).toNanos(), () -> ran.add("100"));
        time.schedule(Duration.ofMillis(200).toNanos(), () -> ran.add("200"));
        cancelled.cancel(false);
        long start = time.nanoTime();

        time.sleep(Duration.ofMillis(250).toNanos());
        assertThat(ran).containsExactly("200");
        time.advance(Duration.ofMillis(100));

        assertThat(ran).containsExactly("200", "300");
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofMillis(350).toNanos());
        assertThat(time.pendingTasks()).isZero();
    }
}

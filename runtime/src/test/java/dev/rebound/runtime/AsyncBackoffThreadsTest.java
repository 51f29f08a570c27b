package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous waits are scheduled on the real clock's one timer, never slept: 1,000 calls waiting
 * out an hour's backoff at once hold no thread each, and cancelling them leaves nothing scheduled.
 */
class AsyncBackoffThreadsTest {

    interface Service {
        CompletableFuture<String> call(int i);
    }

    @Test
    void thousandCallsInBackoffHoldNoThreadEach() {
        AtomicInteger attempts = new AtomicInteger();
        Service failing = i -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("down"));
        };
        Service service = Rebound.wrap(Service.class, failing)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1))
                        .jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(TimeSource.system()).logging(false).build()).build();
        service.call(-1).cancel(true); // starts the shared timer thread before counting
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            calls.add(service.call(i));
        }

        int threadsDuring = ManagementFactory.getThreadMXBean().getThreadCount();
        assertThat(calls).allSatisfy(c -> assertThat(c).isNotDone());
        assertThat(attempts).hasValue(1_001);
        assertThat(threadsDuring - threadsBefore).as("threads started by 1,000 waiting calls").isLessThanOrEqualTo(2);
        calls.forEach(c -> c.cancel(true));
        assertThat(calls).allSatisfy(c -> assertThat(c).isCancelled());
        assertThat(attempts).as("no attempt after the cancellation").hasValue(1_001);
    }
}

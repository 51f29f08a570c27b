package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Semantics 9 and 10: one policy shared by many threads; a first-attempt success allocates nothing. */
class ConcurrencyAndHappyPathTest {

    interface Counter {
        int next(int i) throws IOException;
    }

    @Test
    void manyThreadsShareOneResilientInstanceAndEachCallKeepsItsOwnAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // every input fails on its first attempt only: each call must take exactly 2 attempts
        java.util.Set<Integer> failedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Counter target = i -> {
            calls.incrementAndGet();
            if (failedOnce.add(i)) {
                throw new IOException();
            }
            return i * 2;
        };
        Counter resilient = Rebound.wrap(Counter.class, target)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource()).build())
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int base = t * 1000;
            results.add(pool.submit(() -> {
                start.await();
                int sum = 0;
                for (int i = 0; i < 1000; i++) {
                    sum += resilient.next(base + i) - 2 * (base + i);
                }
                return sum;
            }));
        }
        start.countDown();
        for (Future<Integer> f : results) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isZero();
        }
        pool.shutdown();

        assertThat(calls.get()).isEqualTo(16_000);
    }

    static final Invoker DIRECT = (context, args) -> ((Counter) context).next(1);

    @Test
    void aFirstAttemptSuccessAllocatesNothingInTheEngine() throws Throwable {
        Counter target = i -> i;
        ResilientMethod policy = dev.rebound.runtime.internal.ResilientProxy.policyOf(
                Rebound.wrap(Counter.class, target)
                        .withRetry(RetryPolicy.builder().attempts(3).build())
                        .settings(ReboundSettings.builder().build()).build(),
                Counter.class.getMethod("next", int.class));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 200_000; i++) { // warm up: let the JIT compile and eliminate boxing
            sink += (Integer) policy.execute(target, null, DIRECT);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1_000_000; i++) {
            sink += (Integer) policy.execute(target, null, DIRECT);
        }
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / 1_000_000;

        assertThat(sink).isEqualTo(1_200_000);
        assertThat(perCall).isZero();
    }

    @Test
    void aRetriedOrFallenBackFailureAllocatesNothingInTheEngineWhenItIsOneInstanceAndNobodyListens()
            throws Throwable {
        IOException preallocated = new IOException("pre-allocated");
        Counter target = i -> i;
        Counter backup = i -> 7;
        ResilientMethod policy = dev.rebound.runtime.internal.ResilientProxy.policyOf(
                Rebound.wrap(Counter.class, target)
                        .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build())
                        .withFallbacks(backup)
                        .settings(ReboundSettings.builder().logging(false).build()).build(),
                Counter.class.getMethod("next", int.class));
        int[] calls = {0};
        Invoker failsOnce = (context, args) -> {
            if ((calls[0]++ & 1) == 0) {
                throw preallocated;
            }
            return 1;
        };
        Invoker down = (context, args) -> {
            calls[0]++;
            throw preallocated;
        };
        Object[] args = {1};

        long retried = bytesPerCall(() -> (Integer) policy.execute(target, args, failsOnce));
        int retriedCalls = calls[0];
        calls[0] = 0;
        long fellBack = bytesPerCall(() -> (Integer) policy.execute(target, args, down));

        assertThat(retriedCalls).isEqualTo(2 * 300_000); // each call: one failure, one success
        assertThat(calls[0]).isEqualTo(3 * 300_000);     // each call: three failures, then the backup
        assertThat(retried).isZero();
        assertThat(fellBack).isZero();
        assertThat(preallocated.getSuppressed()).isEmpty();
    }

    interface IntCall {
        int call() throws Throwable;
    }

    /** Average bytes one call allocates on this thread, after a warm-up; the calls' sum is checked. */
    private static long bytesPerCall(IntCall call) throws Throwable {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += call.call();
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 200_000; i++) {
            sink += call.call();
        }
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / 200_000;
        assertThat(sink % 300_000).isZero();
        return perCall;
    }
}

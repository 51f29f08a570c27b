package dev.rebound.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Fallback;
import dev.failsafe.function.CheckedSupplier;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The asynchronous contenders of one path: a method returning a {@code CompletableFuture}, with 3
 * attempts, a zero (or the peer's smallest) exponential backoff and one fallback, each waited for
 * with {@code join()}. Rebound through {@code Rebound.wrap}; resilience4j's
 * {@code Decorators.ofCompletionStage} with a retry on a scheduler; Failsafe's {@code getStageAsync}.
 * Each peer schedules its retries on its own executor (resilience4j: a one-thread scheduler, as its
 * documentation shows; Failsafe: its default, the common pool; Rebound: its one timer thread, the
 * common pool), so path (b) measures a hand-off to another thread for every contender.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class AsyncContenders {

    /** The asynchronous service. */
    public interface AsyncModel {
        CompletableFuture<String> chat(String prompt);
    }

    static final ReboundSettings QUIET = Contenders.QUIET;

    String prompt = "ping";

    AsyncModel primary;
    AsyncModel fallback;
    AsyncModel reboundWrap;
    Supplier<CompletionStage<String>> resilience4j;
    ScheduledExecutorService r4jScheduler;
    FailsafeExecutor<String> failsafe;
    CheckedSupplier<CompletionStage<String>> failsafeCall;

    abstract AsyncModel newPrimary();

    @Setup
    public void setUp() {
        setUp(newPrimary());
    }

    /** Builds every contender around {@code primary}. */
    void setUp(AsyncModel primary) {
        this.primary = primary;
        fallback = p -> CompletableFuture.completedFuture("backup: " + p);
        AsyncModel p = primary;
        AsyncModel f = fallback;

        reboundWrap = Rebound.wrap(AsyncModel.class, p)
                .withRetry(RetryPolicy.builder().attempts(Contenders.ATTEMPTS).delay(Duration.ZERO).multiplier(2.0)
                        .jitter(true).build())
                .withFallbacks(f)
                .settings(QUIET)
                .build();

        r4jScheduler = Executors.newSingleThreadScheduledExecutor();
        RetryConfig r4jConfig = RetryConfig.custom()
                .maxAttempts(Contenders.ATTEMPTS)
                .intervalFunction(attempt -> 0L)
                .build();
        resilience4j = Decorators.ofCompletionStage(() -> p.chat(prompt))
                .withRetry(Retry.of("bench-async", r4jConfig), r4jScheduler)
                .withFallback(Exception.class, failure -> f.chat(prompt).join())
                .decorate();

        dev.failsafe.RetryPolicy<String> failsafeRetry = dev.failsafe.RetryPolicy.<String>builder()
                .withMaxAttempts(Contenders.ATTEMPTS)
                .withBackoff(Duration.ofNanos(1), Duration.ofSeconds(30), 2.0)
                .withJitter(0.5)
                .build();
        failsafe = Failsafe.with(Fallback.<String>of(() -> f.chat(prompt).join()), failsafeRetry);
        failsafeCall = () -> p.chat(prompt);
    }

    @TearDown
    public void tearDown() {
        r4jScheduler.shutdownNow();
    }

    /** The floor: the target called directly, its own future joined; what every contender's future costs at least. */
    @Benchmark
    public String floorDirectAsync() {
        return primary.chat(prompt).exceptionally(t -> primary.chat(prompt).join()).join();
    }

    @Benchmark
    public String reboundWrapAsync() {
        return reboundWrap.chat(prompt).join();
    }

    @Benchmark
    public String resilience4jAsync() {
        return resilience4j.get().toCompletableFuture().join();
    }

    @Benchmark
    public String failsafeAsync() {
        return failsafe.getStageAsync(failsafeCall).join();
    }
}

package dev.rebound.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Fallback;
import dev.failsafe.function.CheckedSupplier;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.smallrye.faulttolerance.api.TypedGuard;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.retry.RecoveryCallback;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.backoff.ExponentialRandomBackOffPolicy;
import org.springframework.retry.policy.SimpleRetryPolicy;
import org.springframework.retry.support.RetryTemplate;

/**
 * Every contender of one path, configured alike: 3 attempts in all, exponential backoff (x2) with
 * jitter from an initial delay of zero, one fallback ({@link Subjects.Backup}). Each path is a
 * subclass that says which {@link Model} is the primary. Everything is built once per trial, as an
 * application builds it once at start-up.
 *
 * <p>Where a peer refuses a zero delay or would still sleep, this is what it runs with (the README
 * says so too): resilience4j rejects an initial interval below 1 ms, so its interval function
 * is the exponential one from zero (zero at every attempt), and it still calls {@code Thread.sleep(0)} between
 * attempts; Failsafe rejects a zero delay, so it starts at 1 ns, and it too calls
 * {@code Thread.sleep(0)}; Spring Retry raises any interval below 1 ms to 1 ms, so it sleeps
 * through its public {@code Sleeper} hook, a no-op here; SmallRye's jitter is added to the delay
 * (&plusmn;jitter), which would make a zero delay sleep, so it runs without jitter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class Contenders {

    static final int ATTEMPTS = HandLoop.ATTEMPTS;

    /** Settings of every Rebound door: no listener, as the peers run with none. */
    static final ReboundSettings QUIET = ReboundSettings.builder().logging(false).build();

    static final RetryPolicy REBOUND_RETRY = RetryPolicy.builder()
            .attempts(ATTEMPTS)
            .delay(Duration.ZERO)
            .multiplier(2.0)
            .jitter(true)
            .build();

    /**
     * The breaker of the {@code reboundWrapBreaker} column: the defaults but a failure ratio of 0.6,
     * so that path (b), where every other attempt fails, keeps it closed and measures a closed
     * breaker; on path (c) it opens and the column measures calls an open breaker sends straight to
     * the fallback.
     */
    static final CircuitBreakerPolicy REBOUND_BREAKER = CircuitBreakerPolicy.builder().failureRatio(0.6).build();

    /** Not a constant, so that no contender can fold it. */
    String prompt = "ping";

    Model primary;
    Model fallback;

    Model reboundWrap;
    Model reboundWrapBreaker;
    Supplier<String> resilience4j;
    FailsafeExecutor<String> failsafe;
    CheckedSupplier<String> failsafeCall;
    RetryTemplate springRetry;
    RetryCallback<String, RuntimeException> springCall;
    RecoveryCallback<String> springRecovery;
    TypedGuard<String> smallRye;
    Supplier<String> smallRyeCall;

    /** The primary of this path; a new instance per trial. */
    abstract Model newPrimary();

    @Setup
    public void setUp() {
        ReboundSettings.setGlobal(QUIET);
        primary = newPrimary();
        fallback = new Subjects.Backup();
        Model p = primary;
        Model f = fallback;

        reboundWrap = Rebound.wrap(Model.class, p)
                .withRetry(REBOUND_RETRY)
                .withFallbacks(f)
                .settings(QUIET)
                .build();
        reboundWrapBreaker = Rebound.wrap(Model.class, p)
                .withRetry(REBOUND_RETRY)
                .withCircuitBreaker(REBOUND_BREAKER)
                .withFallbacks(f)
                .settings(QUIET)
                .build();

        RetryConfig r4jConfig = RetryConfig.custom()
                .maxAttempts(ATTEMPTS)
                // its factories refuse an initial interval below 1 ms; exponential from zero is zero
                .intervalFunction(attempt -> 0L)
                .build();
        resilience4j = Decorators.ofSupplier(() -> p.chat(prompt))
                .withRetry(Retry.of("bench", r4jConfig))
                .withFallback(failure -> f.chat(prompt))
                .decorate();

        dev.failsafe.RetryPolicy<String> failsafeRetry = dev.failsafe.RetryPolicy.<String>builder()
                .withMaxAttempts(ATTEMPTS)
                .withBackoff(Duration.ofNanos(1), Duration.ofSeconds(30), 2.0)
                .withJitter(0.5)
                .build();
        failsafe = Failsafe.with(Fallback.<String>of(() -> f.chat(prompt)), failsafeRetry);
        failsafeCall = () -> p.chat(prompt);

        ExponentialRandomBackOffPolicy springBackOff = new ExponentialRandomBackOffPolicy();
        springBackOff.setInitialInterval(0); // raised to its minimum, 1 ms
        springBackOff.setMultiplier(2.0);
        springBackOff.setMaxInterval(30_000);
        springBackOff.setSleeper(period -> { });
        springRetry = new RetryTemplate();
        springRetry.setRetryPolicy(new SimpleRetryPolicy(ATTEMPTS));
        springRetry.setBackOffPolicy(springBackOff);
        springCall = context -> p.chat(prompt);
        springRecovery = context -> f.chat(prompt);

        smallRye = TypedGuard.create(String.class)
                .withRetry()
                    .maxRetries(ATTEMPTS - 1)
                    .delay(0, ChronoUnit.MILLIS)
                    .jitter(0, ChronoUnit.MILLIS)
                    .withExponentialBackoff().factor(2).maxDelay(30, ChronoUnit.SECONDS).done()
                    .done()
                .withFallback().handler(() -> f.chat(prompt)).done()
                .build();
        smallRyeCall = () -> p.chat(prompt);
    }

    @Benchmark
    public String handLoop() {
        return HandLoop.chat(primary, fallback, prompt);
    }

    @Benchmark
    public String reboundWrap() {
        return reboundWrap.chat(prompt);
    }

    @Benchmark
    public String reboundWrapBreaker() {
        return reboundWrapBreaker.chat(prompt);
    }

    @Benchmark
    public String resilience4j() {
        return resilience4j.get();
    }

    @Benchmark
    public String failsafe() {
        return failsafe.get(failsafeCall);
    }

    @Benchmark
    public String springRetry() {
        return springRetry.execute(springCall, springRecovery);
    }

    @Benchmark
    public String smallRye() {
        return smallRye.get(smallRyeCall);
    }
}

package dev.rebound.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Fallback;
import dev.failsafe.function.CheckedSupplier;
import com.google.inject.Guice;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.rebound.benchmarks.woven.WovenModel;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.weaver.guice.ReboundModule;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.internal.RetryImpl;
import io.smallrye.faulttolerance.api.TypedGuard;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.retry.RecoveryCallback;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.policy.MaxAttemptsRetryPolicy;
import org.springframework.retry.support.RetryTemplate;

/**
 * Every contender of one path, each doing what the others do: 3 attempts in all, no wait between
 * them, one fallback ({@link Subjects.Backup}, or for the annotated contenders {@link BackupModel},
 * which answers the same). The woven and the Guice contenders run the same code
 * ({@link ResilientModel}'s annotations over the path's primary). Each path is a subclass that says
 * which {@link Model} is the primary. Everything is built once per trial, as an application builds
 * it once at start-up.
 *
 * <p><b>Rebound</b> runs on its default settings: its SLF4J logger is installed, and
 * {@link #reboundLogger} says whether {@code dev.rebound} is off (the default rows) or at INFO into
 * an appender that does nothing (the INFO rows). Its policy is the annotation's
 * {@code @Retry(attempts = 3, delay = 0, multiplier = 2.0, jitter = true)}: exponential backoff with
 * jitter from zero, which is zero at every attempt.
 *
 * <p><b>The peers</b> run without listeners or metrics, each at its best: configured through its
 * own documented API so that it does no work a user could switch off (see {@link #PEERS_AT_THEIR_BEST},
 * which the suite prints under the table).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class Contenders {

    static final int ATTEMPTS = HandLoop.ATTEMPTS;

    /**
     * Settings without any listener, the logger included. Not what these contenders run with (they
     * run on the defaults); kept for a benchmark that wants Rebound with nothing to observe it.
     */
    static final ReboundSettings QUIET = ReboundSettings.builder().logging(false).build();

    /** One sentence per peer: what it is given to do no work a user could switch off. */
    static final String PEERS_AT_THEIR_BEST = String.join("\n",
            "- resilience4j " + Versions.RESILIENCE4J + ": `RetryImpl.setSleepFunction` (its static hook for"
                    + " the wait between attempts) is given a function that returns at once for a zero wait, so"
                    + " it no longer calls `Thread.sleep(0)` before each retry; its interval function is zero"
                    + " (its factories refuse an initial interval below 1 ms).",
            "- Failsafe " + Versions.FAILSAFE + ": none to give; its synchronous retry calls"
                    + " `Thread.sleep(delay)` before every retry, zero included (`RetryPolicyExecutor`), and"
                    + " offers no hook to replace or skip it, so it runs with its default zero delay and no"
                    + " backoff or jitter to compute (it refuses a backoff from zero).",
            "- Spring Retry " + Versions.SPRING_RETRY + ": `MaxAttemptsRetryPolicy` (retries on any"
                    + " exception, no exception classifier to consult) and `RetryTemplate`'s default"
                    + " `NoBackOffPolicy` (no wait computed or slept; its exponential policies raise a zero"
                    + " interval to 1 ms and sleep it).",
            "- SmallRye Fault Tolerance " + Versions.SMALLRYE + ": a zero delay, which it does not sleep, and a"
                    + " zero jitter (its default jitter of 200 ms would make a zero delay sleep); no backoff"
                    + " strategy, and its default no-op metrics.");

    /**
     * Rebound's logger {@code dev.rebound} in this trial: {@value ReboundLogger#OFF}, or
     * {@value ReboundLogger#INFO} into an appender that does nothing. The peers log nothing either way.
     */
    @Param(ReboundLogger.OFF)
    public String reboundLogger;

    /**
     * The breaker of the {@code reboundWrapBreaker} column: the defaults but a failure ratio of 0.6,
     * so that path (b), where every other attempt fails, keeps it closed and measures a closed
     * breaker; on path (c) it opens and the column measures calls an open breaker sends straight to
     * the fallback.
     */
    static final CircuitBreakerPolicy REBOUND_BREAKER = CircuitBreakerPolicy.builder().failureRatio(0.6).build();

    static final RetryPolicy REBOUND_RETRY = RetryPolicy.builder()
            .attempts(ATTEMPTS)
            .delay(Duration.ZERO)
            .multiplier(2.0)
            .jitter(true)
            .build();

    /** Not a constant, so that no contender can fold it. */
    String prompt = "ping";

    Model primary;
    Model fallback;

    Model reboundWoven;
    Model reboundGuice;
    Model reboundGuiceWrapping;
    Model reboundWrap;
    Model reboundWrapProxy;
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
        setUp(newPrimary());
    }

    /** Builds every contender around {@code primary}. */
    void setUp(Model primary) {
        ReboundLogger.set(reboundLogger == null ? ReboundLogger.OFF : reboundLogger);
        this.primary = primary;
        fallback = new Subjects.Backup();
        Model p = primary;
        Model f = fallback;

        // Rebound: the default settings everywhere (the global ones, with the SLF4J logger)
        reboundWoven = new WovenModel(p);
        reboundGuice = Guice.createInjector(new ReboundModule(), binder -> {
            binder.bind(Model.class).annotatedWith(Names.named("behaviour")).toInstance(p);
            // one instance, as an application binds its clients; unscoped, each fallback would build one
            binder.bind(BackupModel.class).in(Singleton.class);
        }).getInstance(AnnotatedModel.class);
        // the other form of the module: an instance the injector did not construct (as a model a builder
        // made), bound to the annotated interface and wrapped in its generated class; the fallback as above
        reboundGuiceWrapping = Guice.createInjector(ReboundModule.wrapping(binder -> {
            binder.bind(ResilientModel.class).toInstance(new AnnotatedModel(p));
            binder.bind(BackupModel.class).in(Singleton.class);
        })).getInstance(ResilientModel.class);
        reboundWrap = Rebound.wrap(Model.class, p)
                .withRetry(REBOUND_RETRY)
                .withFallbacks(f)
                .build();
        reboundWrapProxy = Rebound.wrap(Model.class, p)
                .withRetry(REBOUND_RETRY)
                .withFallbacks(f)
                .viaJdkProxy()
                .build();
        reboundWrapBreaker = Rebound.wrap(Model.class, p)
                .withRetry(REBOUND_RETRY)
                .withCircuitBreaker(REBOUND_BREAKER)
                .withFallbacks(f)
                .build();

        RetryImpl.setSleepFunction(Contenders::sleepUnlessZero);
        RetryConfig r4jConfig = RetryConfig.custom()
                .maxAttempts(ATTEMPTS)
                .intervalFunction(attempt -> 0L)
                .build();
        resilience4j = Decorators.ofSupplier(() -> p.chat(prompt))
                .withRetry(Retry.of("bench", r4jConfig))
                .withFallback(failure -> f.chat(prompt))
                .decorate();

        dev.failsafe.RetryPolicy<String> failsafeRetry = dev.failsafe.RetryPolicy.<String>builder()
                .withMaxAttempts(ATTEMPTS)
                .build();
        failsafe = Failsafe.with(Fallback.<String>of(() -> f.chat(prompt)), failsafeRetry);
        failsafeCall = () -> p.chat(prompt);

        springRetry = new RetryTemplate(); // its back-off is a NoBackOffPolicy until set
        springRetry.setRetryPolicy(new MaxAttemptsRetryPolicy(ATTEMPTS));
        springCall = context -> p.chat(prompt);
        springRecovery = context -> f.chat(prompt);

        smallRye = TypedGuard.create(String.class)
                .withRetry()
                    .maxRetries(ATTEMPTS - 1)
                    .delay(0, ChronoUnit.MILLIS)
                    .jitter(0, ChronoUnit.MILLIS)
                    .done()
                .withFallback().handler(() -> f.chat(prompt)).done()
                .build();
        smallRyeCall = () -> p.chat(prompt);
    }

    /** resilience4j's sleep function at its best: a zero wait returns at once. */
    private static void sleepUnlessZero(Long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    @Benchmark
    public String handLoop() {
        return HandLoop.chat(primary, fallback, prompt);
    }

    @Benchmark
    public String reboundWoven() {
        return reboundWoven.chat(prompt);
    }

    @Benchmark
    public String reboundGuice() {
        return reboundGuice.chat(prompt);
    }

    /**
     * {@code ReboundModule.wrapping(...)} over an instance bound to the annotated interface: what the
     * module gives a binding it did not construct ({@code toInstance}, {@code @Provides}), through the
     * interface's generated class. {@code reboundGuice} is the class the injector constructs (Guice AOP).
     */
    @Benchmark
    public String reboundGuiceWrapping() {
        return reboundGuiceWrapping.chat(prompt);
    }

    @Benchmark
    public String reboundWrap() {
        return reboundWrap.chat(prompt);
    }

    /** {@code Rebound.wrap} through its JDK proxy: what a wrapper costs without the generated class. */
    @Benchmark
    public String reboundWrapProxy() {
        return reboundWrapProxy.chat(prompt);
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

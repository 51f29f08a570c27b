package dev.rebound.runtime;

import dev.rebound.runtime.internal.Classifier;
import dev.rebound.runtime.internal.ResultAndHandlerRules;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.rules.TimeAmount;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * How often and how patiently to re-run one failed call: an immutable value, built once and shared
 * by every call and thread.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder()
 *     .attempts(3)                         // the first attempt included
 *     .delay(Duration.ofMillis(500))       // wait before the 2nd attempt
 *     .multiplier(2.0)                     // then 1 s, 2 s, ... capped by maxDelay
 *     .jitter(true)                        // each wait drawn from [wait/2, wait]
 *     .maxDuration(Duration.ofSeconds(20)) // deadline for attempts and waits together
 *     .build();
 * }</pre>
 *
 * <p>Jitter is "equal jitter": the wait is uniform in {@code [w/2, w]}. Full jitter ({@code [0, w]})
 * spreads callers best but may re-send to a rate-limited API at once; decorrelated jitter needs
 * per-call state. Equal jitter keeps a guaranteed minimum pause and still de-synchronises callers.
 *
 * <p>A retry budget caps the retries of every method drawing on it, to stop retry storms when a
 * dependency is down: {@code .budgetRatio(0.2)} keeps retries within the last 10 seconds below 20%
 * of the calls, plus a reserve of {@link #budgetMinPerSecond()} per second of the window. A failure
 * the budget can't pay for is not retried (event {@code RETRIES_EXHAUSTED}, reason {@code "budget"})
 * and goes to the fallbacks.
 * Unnamed, the budget is the interface's; {@code .budget("openai")} shares one across interfaces.
 */
public final class RetryPolicy {

    /** At most this many attempts: retrying forever is impossible. */
    public static final int MAX_ATTEMPTS = RetryRules.MAX_ATTEMPTS;

    private static final RetryPolicy NONE = new Builder().attempts(1).delay(Duration.ZERO).build();

    private final int attempts;
    private final long delayNanos;
    private final long maxDelayNanos;
    private final double multiplier;
    private final boolean jitter;
    private final long maxDurationNanos;
    private final List<Class<? extends Throwable>> retryOn;
    private final List<Class<? extends Throwable>> abortOn;
    /** {@link #retryOn} and {@link #abortOn} as a failure is matched against them ({@link Classifier#typesOf}). */
    private final Class<?>[] retryOnTypes;
    private final Class<?>[] abortOnTypes;
    private final String budget;
    private final double budgetRatio;
    private final int budgetMinPerSecond;
    /** The timeout of one attempt in nanoseconds; 0 = none. */
    private final long attemptTimeoutNanos;
    /** Rejects a result as if the attempt had failed; null = every result is accepted. */
    private final Predicate<Object> resultPredicate;
    /** Those given to {@link Builder#retryOnResult}, each as given: checked against each method's result. */
    private final List<Predicate<Object>> resultPredicates;
    /** waits[n] = the un-jittered wait after failed attempt n+1, capped; computed once. */
    private final long[] waits;

    private RetryPolicy(Builder b) {
        this.attempts = b.attempts;
        this.delayNanos = b.delayNanos;
        this.maxDelayNanos = b.maxDelayNanos;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxDurationNanos = b.maxDurationNanos;
        this.retryOn = List.copyOf(b.retryOn);
        this.abortOn = List.copyOf(b.abortOn);
        this.retryOnTypes = Classifier.typesOf(retryOn);
        this.abortOnTypes = Classifier.typesOf(abortOn);
        this.budget = b.budget;
        this.budgetRatio = b.budgetRatio;
        this.budgetMinPerSecond = b.budgetMinPerSecond;
        this.attemptTimeoutNanos = b.attemptTimeoutNanos;
        this.resultPredicate = ResultAndHandlerRules.anyOf(b.resultPredicates);
        this.resultPredicates = List.copyOf(b.resultPredicates);
        this.waits = new long[Math.max(0, attempts - 1)];
        // delay * multiplier^i, kept unrounded (rounding each step stalled nanosecond waits: 1, 1, 1...)
        // and capped at each step, so it cannot overflow however many attempts
        double next = delayNanos;
        for (int i = 0; i < waits.length; i++) {
            waits[i] = next >= maxDelayNanos ? maxDelayNanos : (long) next;
            next = Math.min(next * multiplier, (double) maxDelayNanos);
        }
    }

    /** The timeout of one attempt; {@link Duration#ZERO} means none. */
    public Duration attemptTimeout() {
        return Duration.ofNanos(attemptTimeoutNanos);
    }

    /** {@link #attemptTimeout()} in nanoseconds, 0 for none, for the engine. */
    public long attemptTimeoutNanos() {
        return attemptTimeoutNanos;
    }

    /**
     * The predicate that rejects a result as a failure to retry (any of those given to
     * {@link Builder#retryOnResult}), or null when every result is accepted.
     */
    public Predicate<Object> resultPredicate() {
        return resultPredicate;
    }

    /** The predicates given to {@link Builder#retryOnResult}, each as given, for {@code Rebound.wrap}'s checks. */
    List<Predicate<Object>> resultPredicates() {
        return resultPredicates;
    }

    /** A new builder with the defaults of {@code @Retry}: 3 attempts, 500 ms, x2, 30 s cap, jitter. */
    public static Builder builder() {
        return new Builder();
    }

    /** A policy of one attempt: the call is never re-run. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Total attempts, the first included: 1..{@value #MAX_ATTEMPTS} (default 3; 1 = no retry). */
    public int attempts() {
        return attempts;
    }

    /**
     * The wait before the second attempt, before jitter (default 500 ms); the wait before attempt
     * {@code n + 1} is {@code delay * multiplier^(n-1)}, capped by {@link #maxDelay()}.
     */
    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** Cap on any single wait, before jitter (default 30 s); never below {@link #delay()}. */
    public Duration maxDelay() {
        return Duration.ofNanos(maxDelayNanos);
    }

    /** Growth of the wait per attempt: at least 1.0, finite (default 2.0). */
    public double multiplier() {
        return multiplier;
    }

    /** Whether each wait is drawn uniformly from {@code [wait/2, wait]} (default true). */
    public boolean jitter() {
        return jitter;
    }

    /** The deadline for all attempts and waits together; {@link Duration#ZERO} means none. */
    public Duration maxDuration() {
        return Duration.ofNanos(maxDurationNanos);
    }

    /**
     * The failures retried, with their subclasses, thrown or as a cause; empty (the default) = the
     * default classifier decides ({@link #retries}). Unmodifiable.
     */
    public List<Class<? extends Throwable>> retryOn() {
        return retryOn;
    }

    /**
     * The failures never retried, with their subclasses, thrown or as a cause; wins over
     * {@link #retryOn()}. Empty by default; unmodifiable.
     */
    public List<Class<? extends Throwable>> abortOn() {
        return abortOn;
    }

    /** Whether retries draw on a retry budget ({@link #budgetRatio()} above 0). */
    public boolean hasBudget() {
        return budgetRatio > 0;
    }

    /** The retry budget's name; {@code ""} = the interface's budget. */
    public String budget() {
        return budget;
    }

    /** Retries allowed per call over the budget's window; 0 = no budget. */
    public double budgetRatio() {
        return budgetRatio;
    }

    /** The budget's reserve, in retries per second of its 10-second window: 10 times this many within any 10 s. */
    public int budgetMinPerSecond() {
        return budgetMinPerSecond;
    }

    /** Whether this policy's deadline needs the start time of a call. */
    public boolean hasDeadline() {
        return maxDurationNanos > 0;
    }

    /** {@link #maxDuration()} in nanoseconds, for the engine's arithmetic; 0 = none. */
    public long maxDurationNanos() {
        return maxDurationNanos;
    }

    /** {@link #maxDelay()} in nanoseconds, for the engine's arithmetic. */
    public long maxDelayNanos() {
        return maxDelayNanos;
    }

    /**
     * Whether {@code failure} may be retried by this policy: {@code abortOn} wins, then {@code on},
     * and with {@code on} empty the default classifier, less the refusal of a resilient call the target
     * made (another method's open breaker or rate limit: that policy has decided, and an attempt soon
     * after would be refused again). Never an {@code Error}, nor a {@link ReboundConfigurationException}
     * (a policy the target could not build: another attempt builds it no better), whatever the lists say.
     */
    public boolean retries(Throwable failure) {
        if (failure instanceof Error || failure instanceof ReboundConfigurationException) {
            return false;
        }
        if (aborts(failure)) {
            return false;
        }
        if (retryOnTypes.length != 0) {
            return Classifier.matchesAny(failure, retryOnTypes);
        }
        return Classifier.isTransient(failure)
                && !(failure instanceof CircuitBreakerOpenException || failure instanceof RateLimitRefusedException);
    }

    /**
     * Whether {@link #abortOn()} lists {@code failure} or one of its causes (followed as {@link #retries} follows
     * them: at most 16 levels, a cycle ends). False for null, as {@link #retries} is.
     */
    public boolean aborts(Throwable failure) {
        return Classifier.matchesAny(failure, abortOnTypes);
    }

    /**
     * The wait in nanoseconds after failed attempt {@code failedAttempt} (1-based), before the next
     * one: the capped exponential wait, jittered into {@code [w/2, w]} when jitter is on.
     */
    public long waitNanos(int failedAttempt, RandomGenerator random) {
        long w = waits[failedAttempt - 1];
        if (!jitter || w == 0) {
            return w;
        }
        long half = w / 2;
        return half + (long) (random.nextDouble() * (w - half + 1));
    }

    @Override
    public String toString() {
        return "RetryPolicy[attempts=" + attempts + ", delay=" + delay() + ", maxDelay=" + maxDelay()
                + ", multiplier=" + multiplier + ", jitter=" + jitter + ", maxDuration=" + maxDuration()
                + ", on=" + retryOn + ", abortOn=" + abortOn
                + (hasBudget() ? ", budget=" + (budget.isEmpty() ? "(interface)" : budget) + ", budgetRatio="
                        + budgetRatio + ", budgetMinPerSecond=" + budgetMinPerSecond : "") + "]";
    }

    /**
     * Builds a {@link RetryPolicy}; every setter validates its argument and names it when it fails.
     * Not thread-safe; the policy it builds is immutable.
     */
    public static final class Builder extends RetryPolicyAttributes {

        private Builder() {
        }

        /**
         * An immutable policy.
         *
         * @throws IllegalArgumentException if maxDelay is below delay; if retryOn lists a type that abortOn
         *     lists, or a subclass of one ({@code retryOn lists java.net.ConnectException, a subclass of
         *     java.io.IOException, which abortOn lists: it would never be retried}); or if a budget name or a
         *     budgetMinPerSecond other than 1 is given without a budgetRatio above 0
         *     ({@code budgetMinPerSecond = 50 needs budgetRatio above 0})
         */
        public RetryPolicy build() {
            Rules.require(RetryRules.maxDelay("maxDelay", TimeAmount.ofNanos(maxDelayNanos), "delay",
                    TimeAmount.ofNanos(delayNanos)));
            Rules.require(FailureType.problems("retryOn", FailureType.of(retryOn), "abortOn", FailureType.of(abortOn),
                    FailureType.Action.RETRIED));
            Rules.require(RetryRules.budgetNeedsRatio("budget", budget, "budgetRatio", budgetRatio));
            Rules.require(RetryRules.budgetMinNeedsRatio("budgetMinPerSecond", budgetMinPerSecond, "budgetRatio",
                    budgetRatio));
            return new RetryPolicy(this);
        }
    }
}

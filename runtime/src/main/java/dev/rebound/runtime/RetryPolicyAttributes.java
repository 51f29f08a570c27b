package dev.rebound.runtime;

import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.rules.TimeAmount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The attributes a {@link RetryPolicy.Builder} sets, with the defaults of {@code @Retry}, each
 * checked as it is set by the rule set (naming the attribute); the rules between attributes are
 * checked by {@link RetryPolicy.Builder#build()}. Its setters are the builder's public methods (they
 * return {@link RetryPolicy.Builder}); {@link RetryPolicy} reads the fields when it is built.
 */
abstract sealed class RetryPolicyAttributes permits RetryPolicy.Builder {
    int attempts = 3;
    long delayNanos = Duration.ofMillis(500).toNanos();
    long maxDelayNanos = Duration.ofSeconds(30).toNanos();
    double multiplier = 2.0;
    boolean jitter = true;
    long maxDurationNanos;
    List<Class<? extends Throwable>> retryOn = List.of();
    List<Class<? extends Throwable>> abortOn = List.of();
    String budget = "";
    double budgetRatio;
    int budgetMinPerSecond = RetryRules.DEFAULT_BUDGET_MIN_PER_SECOND;
    long attemptTimeoutNanos;
    final List<Predicate<Object>> resultPredicates = new ArrayList<>();

    RetryPolicyAttributes() {
    }

    private RetryPolicy.Builder self() {
        return (RetryPolicy.Builder) this;
    }

    /**
     * The timeout of each attempt (default: none). An attempt still running after it is
     * interrupted and counts as a transient failure ({@link AttemptTimeoutException}, event
     * reason {@code "timeout"}), retried whatever {@link #retryOn} lists (unless {@link #abortOn}
     * lists it); the next attempt gets {@code min(attemptTimeout, what is left of maxDuration)}.
     * The attempt must answer an interrupt: langchain4j's JDK HTTP client does (the request is
     * cancelled).
     *
     * @param timeout {@link Duration#ZERO} for none
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if negative
     */
    public RetryPolicy.Builder attemptTimeout(Duration timeout) {
        this.attemptTimeoutNanos = nonNegativeNanos(timeout, "attemptTimeout");
        return self();
    }

    /**
     * Also retries an attempt whose result {@code predicate} rejects, as if it had failed: a
     * {@link RejectedResultException} carrying the result is the attempt's failure (event
     * {@code RESULT_REJECTED}, counted apart from failures), retried like a transient one; when
     * the attempts run out it goes to the fallbacks, and the caller who gets no accepted result
     * gets it. Each call adds a predicate; a result any of them rejects is rejected. The predicate
     * sees every result of the method (null for void), on the calling thread; an exception it
     * throws is the attempt's failure. Ready-made ones for langchain4j answers:
     * {@code dev.rebound.runtime.langchain4j.ChatResults}.
     *
     * <pre>{@code
     * RetryPolicy.builder().attempts(2).retryOnResult((ChatResponse r) -> r.aiMessage().text().isBlank())
     * }</pre>
     *
     * @throws NullPointerException if {@code predicate} is null
     */
    @SuppressWarnings("unchecked")
    public RetryPolicy.Builder retryOnResult(Predicate<?> predicate) {
        resultPredicates.add((Predicate<Object>) Objects.requireNonNull(predicate, "predicate"));
        return self();
    }

    /**
     * Total attempts, the first included (default 3; 1 = no retry).
     *
     * @throws IllegalArgumentException if outside 1..100
     */
    public RetryPolicy.Builder attempts(int attempts) {
        Rules.require(RetryRules.attempts("attempts", attempts));
        this.attempts = attempts;
        return self();
    }

    /**
     * The wait before the second attempt (default 500 ms; {@link Duration#ZERO} allowed).
     *
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if negative
     */
    public RetryPolicy.Builder delay(Duration delay) {
        this.delayNanos = nonNegativeNanos(delay, "delay");
        return self();
    }

    /**
     * Cap on any single wait (default 30 s); checked against {@code delay} at
     * {@link RetryPolicy.Builder#build()}.
     *
     * @throws NullPointerException if {@code maxDelay} is null
     * @throws IllegalArgumentException if negative
     */
    public RetryPolicy.Builder maxDelay(Duration maxDelay) {
        this.maxDelayNanos = nonNegativeNanos(maxDelay, "maxDelay");
        return self();
    }

    /**
     * Growth of the wait per attempt (default 2.0; 1.0 = a constant wait).
     *
     * @throws IllegalArgumentException if below 1.0 or not finite
     */
    public RetryPolicy.Builder multiplier(double multiplier) {
        Rules.require(RetryRules.multiplier("multiplier", multiplier));
        this.multiplier = multiplier;
        return self();
    }

    /** Randomise each wait within {@code [wait/2, wait]} (default true). */
    public RetryPolicy.Builder jitter(boolean jitter) {
        this.jitter = jitter;
        return self();
    }

    /**
     * Deadline for all attempts and waits together; {@link Duration#ZERO} = none.
     *
     * @throws NullPointerException if {@code maxDuration} is null
     * @throws IllegalArgumentException if negative
     */
    public RetryPolicy.Builder maxDuration(Duration maxDuration) {
        this.maxDurationNanos = nonNegativeNanos(maxDuration, "maxDuration");
        return self();
    }

    /**
     * Retry only these failures and their subclasses, thrown or anywhere in the failure's cause
     * chain; none = the default classifier decides (the default). Replaces any earlier
     * {@code retryOn} list: {@code retryOn(A.class).retryOn(B.class)} retries only {@code B}.
     *
     * @throws NullPointerException if the array or an element is null
     * @throws IllegalArgumentException if a type can never be retried (an Error, an InterruptedException)
     */
    @SafeVarargs
    public final RetryPolicy.Builder retryOn(Class<? extends Throwable>... types) {
        List<Class<? extends Throwable>> list = Rules.nonNull("retryOn", types);
        Rules.require(FailureType.problems("retryOn", FailureType.of(list), "abortOn", List.of(),
                FailureType.Action.RETRIED));
        this.retryOn = list;
        return self();
    }

    /**
     * Never retry these failures and their subclasses, thrown or as a cause; wins over {@link #retryOn},
     * even when retryOn names the thrown type and this list one of its causes. Default: none.
     * {@link RetryPolicy.Builder#build()} refuses a {@code retryOn} type that is one of these or a
     * subclass of one: it would never be retried. One that is a subclass of a {@code retryOn} type
     * narrows it ({@code retryOn(IOException.class).abortOn(ConnectException.class)}). Replaces any
     * earlier {@code abortOn} list.
     *
     * @throws NullPointerException if the array or an element is null
     */
    @SafeVarargs
    public final RetryPolicy.Builder abortOn(Class<? extends Throwable>... types) {
        this.abortOn = Rules.nonNull("abortOn", types);
        return self();
    }

    /**
     * Caps retries to this share of the calls over the last 10 seconds (plus the reserve of
     * {@link #budgetMinPerSecond}): a retry is made only if the retries in those 10 seconds, itself
     * included, are then at most that many; 0 = no budget (the default). A call counts once in each budget
     * that a target it reaches draws on.
     *
     * @throws IllegalArgumentException if outside 0..1
     */
    public RetryPolicy.Builder budgetRatio(double ratio) {
        Rules.require(RetryRules.budgetRatio("budgetRatio", ratio));
        this.budgetRatio = ratio;
        return self();
    }

    /**
     * The retry budget to draw on, shared by every method naming it; {@code ""} (the default) =
     * the interface's. Needs {@link #budgetRatio} above 0.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public RetryPolicy.Builder budget(String name) {
        this.budget = Objects.requireNonNull(name, "budget").strip();
        return self();
    }

    /**
     * The budget's reserve, in retries per second of its 10-second window (default 1): whatever the
     * traffic, the budget allows 10 times this many retries within any 10 seconds on top of its share
     * of the calls. A reserve, not a rate: a burst may spend it at once, and each retry gives it back
     * 10 seconds after it was made. 0 = no reserve. A value other than 1 needs {@link #budgetRatio}
     * above 0, checked at {@link RetryPolicy.Builder#build()}: without a budget it would mean nothing.
     *
     * @throws IllegalArgumentException if negative
     */
    public RetryPolicy.Builder budgetMinPerSecond(int retries) {
        Rules.require(RetryRules.budgetMinPerSecond("budgetMinPerSecond", retries));
        this.budgetMinPerSecond = retries;
        return self();
    }

    private static long nonNegativeNanos(Duration d, String name) {
        Objects.requireNonNull(d, name);
        Rules.require(Rules.notNegative(name, TimeAmount.of(d)));
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}

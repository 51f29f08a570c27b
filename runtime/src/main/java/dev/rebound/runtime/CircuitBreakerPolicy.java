package dev.rebound.runtime;

import dev.rebound.runtime.internal.Classifier;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.rules.TimeAmount;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When to stop calling a failing target, and how to try it again: an immutable value, the builder
 * equivalent of {@link dev.rebound.annotations.CircuitBreaker @CircuitBreaker} (same defaults).
 *
 * <pre>{@code
 * CircuitBreakerPolicy breaker = CircuitBreakerPolicy.builder()
 *     .requestVolumeThreshold(20)      // judge the last 20 attempts
 *     .failureRatio(0.5)               // open when half of them failed
 *     .delay(Duration.ofSeconds(30))   // stay open 30 s, then let a probe through
 *     .successThreshold(1)             // one good probe closes it
 *     .build();
 * ChatClient llm = Rebound.wrap(ChatClient.class, gpt4)
 *     .withRetry(retry).withCircuitBreaker(breaker).withFallbacks(local)
 *     .build();
 * }</pre>
 *
 * <p>A policy holds no state: each wrapped or annotated method gets its own breaker made from it.
 */
public final class CircuitBreakerPolicy {

    /** What the rule set calls a breaker's counting in its messages. */
    public static final String RECORDED = FailureType.Action.RECORDED.toString();

    /** The largest window accepted. */
    public static final int MAX_REQUEST_VOLUME = BreakerRules.MAX_REQUEST_VOLUME;

    /** The longest delay accepted: 365 days. */
    public static final Duration MAX_DELAY = Duration.ofDays(BreakerRules.MAX_DELAY_DAYS);

    private final int requestVolumeThreshold;
    private final double failureRatio;
    private final long delayNanos;
    private final int successThreshold;
    private final int halfOpenProbes;
    private final List<Class<? extends Throwable>> failOn;
    private final List<Class<? extends Throwable>> skipOn;
    /** The lists as a failure is matched against them ({@link Classifier#typesOf}). */
    private final Class<?>[] failOnTypes;
    private final Class<?>[] skipOnTypes;

    private CircuitBreakerPolicy(Builder b) {
        this.requestVolumeThreshold = b.requestVolumeThreshold;
        this.failureRatio = b.failureRatio;
        this.delayNanos = b.delayNanos;
        this.successThreshold = b.successThreshold;
        this.halfOpenProbes = b.halfOpenProbes;
        this.failOn = b.failOn;
        this.skipOn = b.skipOn;
        this.failOnTypes = Classifier.typesOf(failOn);
        this.skipOnTypes = Classifier.typesOf(skipOn);
    }

    /** A builder with the defaults of {@code @CircuitBreaker}: 20 attempts, ratio 0.5, 5 s, 1 success, 1 probe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The rolling window: how many recent attempts are judged, and the least before opening (default 20). */
    public int requestVolumeThreshold() {
        return requestVolumeThreshold;
    }

    /** The share of failures in the window that opens the breaker (default 0.5). */
    public double failureRatio() {
        return failureRatio;
    }

    /** How long the breaker stays open before letting probes through (default 5 s). */
    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /** {@link #delay()} in nanoseconds, for the engine's arithmetic. */
    public long delayNanos() {
        return delayNanos;
    }

    /** Successful probes that close a half-open breaker (default 1). */
    public int successThreshold() {
        return successThreshold;
    }

    /** Probe calls in flight at once while half-open (default 1). */
    public int halfOpenProbes() {
        return halfOpenProbes;
    }

    /** The failures recorded, with their subclasses; empty = the transient ones ({@link #counts}). */
    public List<Class<? extends Throwable>> failOn() {
        return failOn;
    }

    /** The failures never recorded; wins over {@link #failOn()}. */
    public List<Class<? extends Throwable>> skipOn() {
        return skipOn;
    }

    /**
     * The failures in a full window that open the breaker: {@code failureRatio * requestVolumeThreshold}
     * rounded up, at least 1.
     */
    public int failuresToOpen() {
        return Math.max(1, (int) Math.ceil(failureRatio * requestVolumeThreshold - 1e-9));
    }

    /**
     * Whether {@code failure}, thrown by an attempt that called the target, counts against the target's
     * health: never an Error or an interrupt (an {@code InterruptedException}; the engine also records
     * nothing of a synchronous attempt whose thread is interrupted when it fails); {@code skipOn} wins, then {@code failOn}, and with
     * {@code failOn} empty the failures the retry's default classifier retries
     * ({@link RetryPolicy#retries}): not a programming error, and not the {@link CircuitBreakerOpenException}
     * or {@link RateLimitRefusedException} of a resilient call the target made (that call's own policy
     * has decided; counting it here too would keep this breaker open after that one closes). Other
     * failures are not recorded at all. A refusal by the method's own rate limit, which sits inside its
     * breaker, is never recorded whatever {@code failOn} lists: the target was not called.
     */
    public boolean counts(Throwable failure) {
        if (failure instanceof Error || failure instanceof InterruptedException
                || failure instanceof ReboundConfigurationException || Classifier.matchesAny(failure, skipOnTypes)) {
            return false;
        }
        if (failOnTypes.length != 0) {
            return Classifier.matchesAny(failure, failOnTypes);
        }
        return Classifier.isTransient(failure)
                && !(failure instanceof CircuitBreakerOpenException || failure instanceof RateLimitRefusedException);
    }

    @Override
    public String toString() {
        return "CircuitBreakerPolicy[requestVolumeThreshold=" + requestVolumeThreshold + ", failureRatio="
                + failureRatio + ", delay=" + delay() + ", successThreshold=" + successThreshold
                + ", halfOpenProbes=" + halfOpenProbes + ", failOn=" + failOn + ", skipOn=" + skipOn + "]";
    }

    /** Builds a {@link CircuitBreakerPolicy}; every setter validates its argument and names it when it fails. */
    public static final class Builder {
        private int requestVolumeThreshold = 20;
        private double failureRatio = 0.5;
        private long delayNanos = Duration.ofSeconds(5).toNanos();
        private int successThreshold = 1;
        private int halfOpenProbes = 1;
        private List<Class<? extends Throwable>> failOn = List.of();
        private List<Class<? extends Throwable>> skipOn = List.of();

        private Builder() {
        }

        /**
         * The rolling window: how many recent attempts are judged, and the least before opening.
         *
         * @throws IllegalArgumentException if outside 1..10000
         */
        public Builder requestVolumeThreshold(int attempts) {
            Rules.require(BreakerRules.requestVolumeThreshold("requestVolumeThreshold", attempts));
            this.requestVolumeThreshold = attempts;
            return this;
        }

        /**
         * The share of failures in the window that opens the breaker.
         *
         * @throws IllegalArgumentException unless more than 0 and at most 1
         */
        public Builder failureRatio(double ratio) {
            Rules.require(BreakerRules.failureRatio("failureRatio", ratio));
            this.failureRatio = ratio;
            return this;
        }

        /**
         * How long the breaker stays open before letting probes through (default 5 s); at least 0, at
         * most 365 days ({@link CircuitBreakerPolicy#MAX_DELAY}).
         *
         * @throws NullPointerException if {@code delay} is null
         * @throws IllegalArgumentException if negative or above 365 days ({@code delay = 400 d is above 365 d})
         */
        public Builder delay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            Rules.require(BreakerRules.delay("delay", TimeAmount.of(delay)));
            this.delayNanos = delay.toNanos();
            return this;
        }

        /**
         * Successful probes needed to close a half-open breaker.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder successThreshold(int successes) {
            Rules.require(Rules.atLeastOne("successThreshold", successes));
            this.successThreshold = successes;
            return this;
        }

        /**
         * How many probe calls may be in flight at once while half-open. A probe holds its slot until it
         * returns (its future completes, its caller cancels it): one that never does keeps the breaker
         * half-open, refusing every other call, so give the method's retry an {@code attemptTimeout}, which
         * ends it as a failure.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder halfOpenProbes(int probes) {
            Rules.require(Rules.atLeastOne("halfOpenProbes", probes));
            this.halfOpenProbes = probes;
            return this;
        }

        /**
         * Record only these failures and their subclasses; none = the transient ones ({@link CircuitBreakerPolicy#counts}).
         * Replaces any earlier {@code failOn} list.
         *
         * @throws NullPointerException if the array or an element is null
         * @throws IllegalArgumentException if a type is never recorded (an Error, an InterruptedException)
         */
        @SafeVarargs
        public final Builder failOn(Class<? extends Throwable>... types) {
            List<Class<? extends Throwable>> on = Rules.nonNull("failOn", types);
            Rules.require(FailureType.problems("failOn", FailureType.of(on), "skipOn", List.of(),
                    FailureType.Action.RECORDED));
            this.failOn = on;
            return this;
        }

        /**
         * Never record these failures and their subclasses, thrown or as a cause; wins over {@link #failOn}.
         * {@link #build()} refuses a {@code failOn} type that is one of these or a subclass of one: it
         * would never be recorded. One that is a subclass of a {@code failOn} type narrows it. Replaces any
         * earlier {@code skipOn} list.
         *
         * @throws NullPointerException if the array or an element is null
         */
        @SafeVarargs
        public final Builder skipOn(Class<? extends Throwable>... types) {
            this.skipOn = Rules.nonNull("skipOn", types);
            return this;
        }

        /**
         * An immutable policy.
         *
         * @throws IllegalArgumentException if failOn lists a type that skipOn lists, or a subclass of one
         *     ({@code failOn lists java.net.ConnectException, a subclass of java.io.IOException, which skipOn
         *     lists: it would never be recorded by a circuit breaker})
         */
        public CircuitBreakerPolicy build() {
            Rules.require(FailureType.problems("failOn", FailureType.of(failOn), "skipOn", FailureType.of(skipOn),
                    FailureType.Action.RECORDED));
            return new CircuitBreakerPolicy(this);
        }
    }
}

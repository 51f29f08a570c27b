package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An alternative reached as a fallback gets its own policies, as when it is called directly: its
 * {@code @Retry} around its {@code @CircuitBreaker} around its {@code @RateLimit} (its own door steps
 * aside; the engine applies them). Its breaker counts the calls made to it as this method's alternative.
 */
class AlternativeOwnPoliciesTest {

    public interface Quotes {
        String quote(String symbol);

        CompletableFuture<String> quoteAsync(String symbol);
    }

    static final List<String> CALLS = new ArrayList<>();

    public static class Primary implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0)
        @Fallback(to = Limited.class)
        public String quote(String symbol) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("primary down"));
        }
    }

    /** One request a minute, no waiting. */
    public static class Limited implements Quotes {
        @Override
        @RateLimit(key = "alternative-own-limit", requestsPerMinute = 1, maxDelay = 0)
        public String quote(String symbol) {
            CALLS.add("limited");
            return "limited " + symbol;
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.completedFuture("limited");
        }
    }

    public static class ToBroken implements Quotes {
        @Override
        @Fallback(to = Broken.class)
        public String quote(String symbol) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("primary down"));
        }
    }

    /** Always fails; its breaker opens after 2 calls that all failed, for a minute. */
    public static class Broken implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0)
        @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 0.5, delay = 60_000)
        public String quote(String symbol) {
            CALLS.add("broken");
            throw new IllegalStateException("broken down");
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("broken down"));
        }
    }

    public static class AsyncPrimary implements Quotes {
        @Override
        public String quote(String symbol) {
            return symbol;
        }

        @Override
        @Fallback(to = AsyncLimited.class)
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("primary down"));
        }
    }

    public static class AsyncLimited implements Quotes {
        @Override
        public String quote(String symbol) {
            return symbol;
        }

        @Override
        @RateLimit(key = "alternative-own-async-limit", requestsPerMinute = 1, maxDelay = 0)
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.completedFuture("limited");
        }
    }

    /** One request a minute for the primary, no key: the interface's name is its key. */
    public static class LimitedPrimary implements Quotes {
        @Override
        @RateLimit(requestsPerMinute = 1, maxDelay = 0)
        @Fallback(to = LimitedLocal.class)
        public String quote(String symbol) {
            CALLS.add("primary");
            return "primary " + symbol;
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.completedFuture(symbol);
        }
    }

    /** Its own limit, no key either: keyed by its own class, not sharing the primary's bucket. */
    public static class LimitedLocal implements Quotes {
        @Override
        @RateLimit(requestsPerMinute = 1, maxDelay = 0)
        public String quote(String symbol) {
            CALLS.add("local");
            return "local " + symbol;
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.completedFuture(symbol);
        }
    }

    /** Always fails, the primary of a wrapper built with builder policies. */
    public static class Down implements Quotes {
        @Override
        public String quote(String symbol) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("primary down"));
        }
    }

    /** A backup that is down, its breaker opening at its first failure, for 10 s; neither woven nor Guice's. */
    @CircuitBreaker(requestVolumeThreshold = 1, failureRatio = 1.0, delay = 10_000)
    public static class GuardedBackup implements Quotes {
        @Override
        public String quote(String symbol) {
            CALLS.add("backup");
            throw new IllegalStateException("backup down");
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("backup down"));
        }
    }

    /** Fails twice, then answers: its own retry of 3 reaches the answer. */
    public static class PatientBackup implements Quotes {
        private int calls;

        @Override
        @Retry(attempts = 3, delay = 0)
        public String quote(String symbol) {
            CALLS.add("backup");
            if (++calls <= 2) {
                throw new IllegalStateException("backup down");
            }
            return "backup " + symbol;
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.completedFuture(symbol);
        }
    }

    /** Always fails under its own retry of 2. */
    public static class RetriedBackup implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0)
        public String quote(String symbol) {
            CALLS.add("backup");
            throw new IllegalStateException("backup down");
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.failedFuture(new IllegalStateException("backup down"));
        }
    }

    /** A breaker no value of which is valid. */
    @CircuitBreaker(failureRatio = 2.0)
    public static class BadlyGuardedBackup implements Quotes {
        @Override
        public String quote(String symbol) {
            return symbol;
        }

        @Override
        public CompletableFuture<String> quoteAsync(String symbol) {
            return CompletableFuture.completedFuture(symbol);
        }
    }

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final Events events = new Events();

    @BeforeEach
    void reset() {
        CALLS.clear();
    }

    private Quotes wrap(Quotes target) {
        return Rebound.wrap(Quotes.class, target).settings(events.settings(clock)).build();
    }

    @Test
    void anAlternativesOwnRateLimitRefusesItWhenReachedAsAFallback() {
        Quotes quotes = wrap(new Primary());

        assertThat(quotes.quote("A")).isEqualTo("limited A");
        Throwable second = catchThrowable(() -> quotes.quote("B"));
        Throwable third = catchThrowable(() -> quotes.quote("C"));

        assertThat(CALLS).containsExactly("primary", "primary", "limited", "primary", "primary", "primary", "primary");
        assertThat(second).isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        assertThat(second.getSuppressed()).hasAtLeastOneElementOfType(RateLimitRefusedException.class);
        assertThat(third).isInstanceOf(IllegalStateException.class);
        assertThat(events.of(Kind.RATE_LIMIT_REFUSED)).hasSize(2);
    }

    @Test
    void withoutKeysAnAlternativesRateLimitIsItsOwnNotThePrimarysBucket() {
        Quotes quotes = wrap(new LimitedPrimary());

        assertThat(quotes.quote("A")).isEqualTo("primary A");
        assertThat(quotes.quote("B")).as("the primary refused, the fallback's own permit").isEqualTo("local B");
        Throwable third = catchThrowable(() -> quotes.quote("C"));

        assertThat(CALLS).containsExactly("primary", "local");
        assertThat(third).isInstanceOf(RateLimitRefusedException.class);
    }

    @Test
    void anAlternativesOwnBreakerOpensAndStopsCallingItWhenReachedAsAFallback() {
        Quotes quotes = wrap(new ToBroken());

        for (int i = 0; i < 4; i++) {
            assertThat(catchThrowable(() -> quotes.quote("A"))).hasMessage("primary down");
        }

        // its retry of 2 makes the breaker's 2 calls on the first fallback; open, it is not called again
        assertThat(CALLS).containsExactly("primary", "broken", "broken", "primary", "primary", "primary");
        assertThat(events.of(Kind.CIRCUIT_OPENED)).hasSize(1);
        assertThat(events.of(Kind.CIRCUIT_OPENED).get(0).target()).isEqualTo("Broken");

        clock.advance(Duration.ofMinutes(1));
        catchThrowable(() -> quotes.quote("A"));
        assertThat(CALLS.subList(6, CALLS.size())).as("half-open: one probe").containsExactly("primary", "broken");
    }

    @Test
    void anAlternativesOwnRateLimitOnAFutureMethodIsRefusedAtBuild() {
        Throwable t = catchThrowable(() -> wrap(new AsyncPrimary()));
        assertThat(t).isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                .containsExactly("AsyncLimited.quoteAsync(String): @RateLimit cannot act on a method returning a"
                        + " CompletionStage or streaming to a handler yet: the rate limit waits for its permit by"
                        + " blocking (limit the synchronous method the call is made through)"));
    }

    private Quotes withFallbacks(Quotes... alternatives) {
        return Rebound.wrap(Quotes.class, (Quotes) new Down())
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .withFallbacks(alternatives).settings(events.settings(clock)).build();
    }

    @Test
    void anUnwovenAlternativesOwnBreakerGivenToWithFallbacksIsAppliedByTheEngine() {
        Quotes quotes = withFallbacks(new GuardedBackup());

        for (int i = 0; i < 5; i++) {
            assertThat(catchThrowable(() -> quotes.quote("A"))).as("the primary's failure")
                    .isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        }

        // its breaker opened at its first failure: 10 s later, not one of the next 4 calls reached it
        assertThat(CALLS).containsExactly("primary", "primary", "backup", "primary", "primary", "primary",
                "primary", "primary", "primary", "primary", "primary");
        assertThat(events.of(Kind.CIRCUIT_OPENED)).singleElement()
                .satisfies(e -> assertThat(e.target()).isEqualTo("GuardedBackup"));

        clock.advance(Duration.ofSeconds(10));
        CALLS.clear();
        catchThrowable(() -> quotes.quote("A"));
        assertThat(CALLS).as("half-open: one probe").containsExactly("primary", "primary", "backup");
    }

    /**
     * Two backends of one class given to {@code withFallbacks}: a breaker each (the first's opening leaves the
     * second closed), and a name each in events, logs and metrics, their class's with their position in the
     * list: the same names the fleet gives their breakers ({@code SharedCircuitBreakerTest}).
     */
    @Test
    void twoAlternativesOfOneClassGivenToWithFallbacksHaveABreakerAndANameEach() {
        Quotes quotes = withFallbacks(new GuardedBackup(), new GuardedBackup());

        catchThrowable(() -> quotes.quote("A"));
        catchThrowable(() -> quotes.quote("A"));

        // each opened at its own first failure; the second call reached neither
        assertThat(CALLS).containsExactly("primary", "primary", "backup", "backup", "primary", "primary");
        assertThat(events.of(Kind.CIRCUIT_OPENED)).extracting(ReboundEvent::target)
                .containsExactly("GuardedBackup#1", "GuardedBackup#2");
        assertThat(events.of(Kind.FALLBACK)).extracting(ReboundEvent::alternative)
                .startsWith("GuardedBackup#1", "GuardedBackup#2");
    }

    /**
     * Their class's {@code @RateLimit} without a key is their class's one limit, as an interface's is every
     * wrapper's of it: the permit the first took is the second's too (in-process as in the fleet's store).
     */
    @Test
    void twoAlternativesOfOneClassGivenToWithFallbacksShareTheirClasssRateLimit() {
        Quotes quotes = withFallbacks(new LimitedLocal(), new LimitedLocal());

        assertThat(quotes.quote("A")).isEqualTo("local A");
        Throwable second = catchThrowable(() -> quotes.quote("B"));

        assertThat(CALLS).containsExactly("primary", "primary", "local", "primary", "primary");
        assertThat(second).isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        assertThat(second.getSuppressed()).filteredOn(t -> t instanceof RateLimitRefusedException).hasSize(2);
        assertThat(events.of(Kind.RATE_LIMIT_REFUSED)).extracting(ReboundEvent::rateLimitKey).containsExactly(
                LimitedLocal.class.getName(), LimitedLocal.class.getName());
    }

    @Test
    void anUnwovenAlternativesOwnRetryGivenToWithFallbacksIsItsOwnNotWithRetrys() {
        Quotes quotes = withFallbacks(new PatientBackup());

        assertThat(quotes.quote("A")).isEqualTo("backup A");

        // withRetry's 2 attempts are the primary's; the backup's own @Retry gives it 3
        assertThat(CALLS).containsExactly("primary", "primary", "backup", "backup", "backup");
    }

    @Test
    void aWrappedAlternativeGivenToWithFallbacksAppliesItsOwnRetryOnceNotTwice() {
        Quotes backup = Rebound.wrap(Quotes.class, (Quotes) new RetriedBackup()).settings(events.settings(clock))
                .build();
        Quotes quotes = withFallbacks(backup);

        assertThat(catchThrowable(() -> quotes.quote("A"))).hasMessage("primary down");

        assertThat(CALLS).containsExactly("primary", "primary", "backup", "backup");
    }

    @Test
    void anUnwovenAlternativesBadBreakerGivenToWithFallbacksIsRefusedAtBuildNamingIt() {
        Throwable t = catchThrowable(() -> withFallbacks(new BadlyGuardedBackup()));

        assertThat(t).isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "BadlyGuardedBackup.quote(String): @CircuitBreaker.failureRatio = 2.0 must be more than 0 and"
                                + " at most 1",
                        "BadlyGuardedBackup.quoteAsync(String): @CircuitBreaker.failureRatio = 2.0 must be more than"
                                + " 0 and at most 1"));
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A refusal is its own chain's only when its own breaker or rate limit made it (the target was not
 * called). The same exception thrown by a resilient call the target made is a failure of an attempt
 * that ran: reported as one, and not retried by default (the inner policy has decided; an attempt soon
 * after would be refused again), unless {@code on} names it.
 */
class NestedRefusalTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final Events outerEvents = new Events();

    /** An inner client whose breaker is open: one failure opened it. */
    Model openInner() {
        Model inner = Rebound.wrap(Model.class, (Model) new Model.Fake("inner").down())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        catchThrowable(() -> inner.chat("open it"));
        return inner;
    }

    @Test
    void anInnerBreakersRefusalIsAFailedAttemptOfTheOuterMethodNotRetriedByDefault() {
        Model inner = openInner();
        AtomicInteger outerCalls = new AtomicInteger();
        Model outer = Rebound.wrap(Model.class, (Model) prompt -> {
            outerCalls.incrementAndGet();
            return inner.chat(prompt);
        }).withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(outerEvents.settings(time)).build();

        Throwable thrown = catchThrowable(() -> outer.chat("q"));

        assertThat(thrown).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(((CircuitBreakerOpenException) thrown).target()).isEqualTo("Fake");
        assertThat(outerCalls).hasValue(1);
        assertThat(kinds(outerEvents)).containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FAILED);
        assertThat(outerEvents.of(Kind.RETRIES_EXHAUSTED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("not-retryable"));
        assertThat(time.sleeps()).isEmpty();
    }

    @Test
    void anInnerRateLimitsRefusalIsAFailedAttemptOfTheOuterMethodNotRetriedByDefault() {
        Model inner = Rebound.wrap(Model.class, (Model) prompt -> "inner")
                .withRateLimit(RateLimitPolicy.builder().key("nested-refusal").requestsPerMinute(1)
                        .maxDelay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        inner.chat("takes the only request of the minute");
        Model outer = Rebound.wrap(Model.class, (Model) inner::chat)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(outerEvents.settings(time)).build();

        Throwable thrown = catchThrowable(() -> outer.chat("q"));

        assertThat(thrown).isInstanceOf(RateLimitRefusedException.class);
        assertThat(kinds(outerEvents)).containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FAILED);
        assertThat(outerEvents.of(Kind.RETRIES_EXHAUSTED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("not-retryable"));
    }

    @Test
    void namedInOnAnInnerRefusalIsRetriedAsAnyOtherFailure() {
        Model inner = openInner();
        AtomicInteger outerCalls = new AtomicInteger();
        Model outer = Rebound.wrap(Model.class, (Model) prompt -> {
            outerCalls.incrementAndGet();
            return inner.chat(prompt);
        }).withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                        .retryOn(CircuitBreakerOpenException.class).build())
                .settings(outerEvents.settings(time)).build();

        catchThrowable(() -> outer.chat("q"));

        assertThat(outerCalls).hasValue(3);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(outerEvents.of(Kind.RETRIES_EXHAUSTED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("attempts"));
    }

    @Test
    void theOuterMethodsOwnOpenBreakerIsStillARefusalNotAFailedAttempt() {
        Model.Fake down = new Model.Fake("primary").down();
        Model guarded = Rebound.wrap(Model.class, (Model) down)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).build())
                .settings(outerEvents.settings(time)).build();
        catchThrowable(() -> guarded.chat("opens it"));
        int before = kinds(outerEvents).size();

        Throwable thrown = catchThrowable(() -> guarded.chat("q"));

        assertThat(thrown).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(down.calls).hasValue(1);
        assertThat(kinds(outerEvents).subList(before, kinds(outerEvents).size()))
                .doesNotContain(Kind.ATTEMPT_FAILED).contains(Kind.RETRIES_EXHAUSTED);
        assertThat(outerEvents.of(Kind.RETRIES_EXHAUSTED)).last()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("circuit-open"));
    }

    @Test
    void anInnerBreakersRefusalIsNotRecordedByTheOuterBreakerUnlessItsOnNamesIt() {
        Model inner = openInner();
        AtomicInteger outerCalls = new AtomicInteger();
        Model outer = Rebound.wrap(Model.class, (Model) prompt -> {
            outerCalls.incrementAndGet();
            return inner.chat(prompt);
        }).withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(0.5)
                        .delay(Duration.ofMinutes(1)).build())
                .settings(outerEvents.settings(time)).build();

        List<Throwable> thrown = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            thrown.add(catchThrowable(() -> outer.chat("q")));
        }

        assertThat(outerCalls).as("the outer target is called every time: its breaker stays closed").hasValue(3);
        assertThat(thrown).allSatisfy(t -> assertThat(((CircuitBreakerOpenException) t).target()).isEqualTo("Fake"));
        assertThat(kinds(outerEvents)).doesNotContain(Kind.CIRCUIT_OPENED);
    }

    @Test
    void namedInTheBreakersOnAnInnerRateLimitsRefusalIsRecordedAndTheMethodsOwnNever() {
        Model inner = Rebound.wrap(Model.class, (Model) prompt -> "inner")
                .withRateLimit(RateLimitPolicy.builder().key("nested-counted").requestsPerMinute(1)
                        .maxDelay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        inner.chat("takes the only request of the minute");
        AtomicInteger outerCalls = new AtomicInteger();
        Model outer = Rebound.wrap(Model.class, (Model) prompt -> {
            outerCalls.incrementAndGet();
            return inner.chat(prompt);
        }).withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).failOn(RateLimitRefusedException.class).build())
                .settings(outerEvents.settings(time)).build();

        Throwable first = catchThrowable(() -> outer.chat("q"));
        Throwable second = catchThrowable(() -> outer.chat("q"));

        assertThat(first).isInstanceOf(RateLimitRefusedException.class);
        assertThat(second).as("the nested refusal opened the outer breaker").isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(outerCalls).hasValue(1);

        AtomicInteger ownCalls = new AtomicInteger();
        Model limited = Rebound.wrap(Model.class, (Model) prompt -> "answer " + ownCalls.incrementAndGet())
                .withRateLimit(RateLimitPolicy.builder().key("own-not-counted").requestsPerMinute(1)
                        .maxDelay(Duration.ZERO).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).failOn(RateLimitRefusedException.class).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        limited.chat("takes the only request of the minute");

        assertThat(catchThrowable(() -> limited.chat("q"))).isInstanceOf(RateLimitRefusedException.class);
        assertThat(catchThrowable(() -> limited.chat("q")))
                .as("its own refusal said nothing of the target: the breaker stays closed")
                .isInstanceOf(RateLimitRefusedException.class);
        time.advance(Duration.ofMinutes(1));
        assertThat(limited.chat("q")).isEqualTo("answer 2");
    }

    /*
     * Whose refusal it is goes by the exception instance the chain's own breaker or rate limit made, never
     * by names: two layers may name their target alike, and share a rate limit's key as keys are shared.
     */

    @Test
    void anInnerBreakersRefusalIsAFailedAttemptOfTheOuterCallEvenWhenBothLayersNameTheTargetAlike() {
        Model inner = Rebound.wrap(Model.class, (Model) new Model.Fake("inner").down()).named("gpt-4")
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        catchThrowable(() -> inner.chat("open it"));
        AtomicInteger outerCalls = new AtomicInteger();
        Model outer = Rebound.wrap(Model.class, (Model) prompt -> {
            outerCalls.incrementAndGet();
            return inner.chat(prompt);
        }).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(5).build())
                .settings(outerEvents.settings(time)).build();

        Throwable thrown = catchThrowable(() -> outer.chat("q"));

        assertThat(thrown).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(outerCalls).as("the outer target was called: its attempt ran").hasValue(1);
        assertThat(outerEvents.all()).extracting(ReboundEvent::kind).as("an attempt that ran and failed")
                .contains(Kind.ATTEMPT_FAILED);
        assertThat(outerEvents.of(Kind.RETRIES_EXHAUSTED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("not-retryable"));
    }

    @Test
    void anInnerRateLimitsRefusalIsAFailedAttemptOfTheOuterCallEvenWhenBothLayersShareTheKey() {
        RateLimitPolicy shared = RateLimitPolicy.builder().key("nested-shared-key").requestsPerMinute(3)
                .maxDelay(Duration.ZERO).build();
        // one settings (one store: the key's one bucket), so the layers share the key as keys are shared
        ReboundSettings settings = outerEvents.settings(time);
        Model inner = Rebound.wrap(Model.class, (Model) prompt -> "inner").named("inner").withRateLimit(shared)
                .settings(settings).build();
        AtomicInteger outerCalls = new AtomicInteger();
        Model outer = Rebound.wrap(Model.class, (Model) prompt -> {
            outerCalls.incrementAndGet();
            return inner.chat(prompt);
        }).named("outer").withRateLimit(shared)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(settings).build();
        outer.chat("takes two of the three requests: the outer's and the inner's");
        int before = outerEvents.all().size();

        Throwable thrown = catchThrowable(() -> outer.chat("the outer takes the third; the inner is refused"));

        assertThat(thrown).isInstanceOf(RateLimitRefusedException.class);
        assertThat(outerCalls).as("the outer target was called twice").hasValue(2);
        java.util.List<ReboundEvent> ofOuter = outerEvents.all().subList(before, outerEvents.all().size()).stream()
                .filter(e -> "outer".equals(e.target())).toList();
        assertThat(ofOuter).extracting(ReboundEvent::kind).as("the outer's attempt that ran and failed")
                .contains(Kind.ATTEMPT_FAILED);
        assertThat(ofOuter).filteredOn(e -> e.kind() == Kind.RETRIES_EXHAUSTED).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("not-retryable"));
    }

    /**
     * The default log: a fallback the method's own open breaker made is a DEBUG line (the opening warned),
     * its event's reason {@code circuit-open}; one after an inner client's refusal is a fallback from a
     * failed attempt, at WARN, with no reason.
     */
    @Test
    void aFallbackAfterAnInnerRefusalIsLoggedAtWarnAndOneTheOwnBreakerMadeAtDebug() {
        Model inner = openInner();
        Model outer = Rebound.wrap(Model.class, (Model) inner::chat).named("outer")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks((Model) prompt -> "backup")
                .settings(ReboundSettings.builder().timeSource(time).listener(outerEvents).build()).build();
        Model.Fake down = new Model.Fake("primary").down();
        Model guarded = Rebound.wrap(Model.class, (Model) down).named("guarded")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).build())
                .withFallbacks((Model) prompt -> "backup")
                .settings(ReboundSettings.builder().timeSource(time).listener(outerEvents).build()).build();
        guarded.chat("opens its breaker");

        String log = StdErr.during(() -> {
            assertThat(outer.chat("q")).isEqualTo("backup");
            assertThat(guarded.chat("q")).isEqualTo("backup");
        });

        assertThat(outerEvents.of(Kind.FALLBACK)).extracting(e -> e.target() + ":" + e.reason())
                .containsExactly("guarded:null", "outer:null", "guarded:circuit-open");
        assertThat(log).containsOnlyOnce("WARN dev.rebound - Model.chat(String): falling back from outer to ")
                .doesNotContain("falling back from guarded");
    }

    /** The same for a call that fails for good: WARN after an inner client's refusal, DEBUG on its own open breaker. */
    @Test
    void aCallFailingForGoodOnAnInnerRefusalIsLoggedAtWarnAndOnItsOwnOpenBreakerAtDebug() {
        Model inner = openInner();
        Model outer = Rebound.wrap(Model.class, (Model) inner::chat).named("outer")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .settings(ReboundSettings.builder().timeSource(time).listener(outerEvents).build()).build();
        Model guarded = Rebound.wrap(Model.class, (Model) new Model.Fake("primary").down()).named("guarded")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).listener(outerEvents).build()).build();
        catchThrowable(() -> guarded.chat("opens its breaker"));

        String log = StdErr.during(() -> {
            assertThat(catchThrowable(() -> outer.chat("q"))).isInstanceOf(CircuitBreakerOpenException.class);
            assertThat(catchThrowable(() -> guarded.chat("q"))).isInstanceOf(CircuitBreakerOpenException.class);
        });

        assertThat(outerEvents.of(Kind.FAILED)).extracting(e -> e.target() + ":" + e.reason())
                .containsExactly("guarded:null", "outer:null", "guarded:circuit-open");
        assertThat(log).containsOnlyOnce("WARN dev.rebound - Model.chat(String): failed for good on outer, throwing "
                + "dev.rebound.runtime.CircuitBreakerOpenException")
                .doesNotContain("failed for good on guarded");
    }

    /*
     * A call keeps every refusal its own breakers and rate limits made, the primary's and its alternatives',
     * so the primary's is still its own after an alternative's; and a nested refusal goes to the
     * alternatives only as @Fallback.on says, as any failure of an attempt that ran.
     */

    static final List<String> CALLS = new ArrayList<>();

    @BeforeEach
    void clearCalls() {
        CALLS.clear();
    }

    /**
     * events.md / ReboundEvent.reason(): FAILED has reason rate-limited when "the caller gets the refusal of
     * the method's own breaker or rate limit". Here the caller gets the primary's own rate limit's refusal
     * (the very instance the FALLBACK event carried with reason rate-limited), after the alternative's own
     * rate limit refused too.
     */
    @Test
    void aFailedCallWhoseCallerGetsThePrimarysOwnRefusalSaysRateLimitedAfterAnAlternativesRefusalToo() {
        // the primary and its alternative, each with its own one-a-minute limit
        AlternativeOwnPoliciesTest.Quotes quotes = Rebound.wrap(AlternativeOwnPoliciesTest.Quotes.class,
                (AlternativeOwnPoliciesTest.Quotes) new AlternativeOwnPoliciesTest.LimitedPrimary()).settings(outerEvents.settings(time))
                .build();
        quotes.quote("A"); // the primary's one request
        quotes.quote("B"); // the primary refused; the alternative's one request
        int before = outerEvents.all().size();

        Throwable thrown = catchThrowable(() -> quotes.quote("C"));

        List<ReboundEvent> call = outerEvents.all().subList(before, outerEvents.all().size());
        ReboundEvent fallback = call.stream().filter(e -> e.kind() == Kind.FALLBACK).findFirst().orElseThrow();
        ReboundEvent failed = call.stream().filter(e -> e.kind() == Kind.FAILED).findFirst().orElseThrow();
        assertThat(thrown).isInstanceOf(RateLimitRefusedException.class);
        assertThat(fallback.failure()).as("the primary's own refusal").isSameAs(thrown);
        assertThat(fallback.reason()).isEqualTo("rate-limited");
        assertThat(failed.failure()).isSameAs(thrown);
        assertThat(failed.reason()).as("the caller gets the primary's own rate limit's refusal").isEqualTo("rate-limited");
    }

    // a nested refusal is a failure of an attempt that ran: @Fallback.on judges it as any other

    public interface Orders {
        String place(String order);
    }

    /** An inner client, resilient, whose rate limit is spent. */
    static Orders inner;

    /** Does its side effect, then calls the inner client, which refuses. Falls back only on ConnectException. */
    public static class Placing implements Orders {
        @Override
        @NonIdempotent
        @Fallback(to = Backup.class, on = ConnectException.class)
        public String place(String order) {
            CALLS.add("placed " + order); // the effect
            return inner.place(order);
        }
    }

    public static class Backup implements Orders {
        @Override
        public String place(String order) {
            CALLS.add("backup placed " + order); // the effect again
            return "backup";
        }
    }

    /**
     * @Fallback.on: "Fall back only on these failures". A @NonIdempotent method whose target ran (had its
     * effect) and then met an inner client's refusal must not be sent to its alternative when on does not
     * name the refusal: the target was called, so this is not "the target was not called".
     */
    @Test
    void aNonIdempotentMethodIsNotFallenBackOnAnInnerClientsRefusalItsOnDoesNotName() {
        inner = Rebound.wrap(Orders.class, (Orders) o -> "ok")
                .withRateLimit(RateLimitPolicy.builder().key("own-refusals-inner").requestsPerMinute(1)
                        .maxDelay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        inner.place("spends the minute's request");
        Orders orders = Rebound.wrap(Orders.class, (Orders) new Placing()).settings(outerEvents.settings(time)).build();

        Throwable thrown = catchThrowable(() -> orders.place("o1"));

        assertThat(CALLS).as("placed once, never by the backup").containsExactly("placed o1");
        assertThat(thrown).isInstanceOf(RateLimitRefusedException.class);
    }

    private static java.util.List<Kind> kinds(Events events) {
        return events.all().stream().map(ReboundEvent::kind).toList();
    }
}

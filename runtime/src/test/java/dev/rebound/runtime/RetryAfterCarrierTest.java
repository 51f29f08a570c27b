package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.internal.ServerVerdict;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link RetryAfter.Carrier}: a client of your own attaches the server's wait to the failure it throws,
 * and the engine takes it with that failure, on the failure or among its causes, ahead of any hint on
 * the thread. The asynchronous case (a fast pool that failed the future before the engine registered on
 * it) is {@code AsyncCallsTest.aWaitTheFailureCarriesIsTakenWhenThePoolFailedTheFutureBeforeTheEngineRegisteredOnIt}.
 */
class RetryAfterCarrierTest {

    // docs:retry-after-carrier
    /** What a client of your own throws on a 429: the server's Retry-After travels with the failure. */
    static final class RateLimited extends IOException implements RetryAfter.Carrier {
        private final Duration retryAfter;

        RateLimited(Duration retryAfter) {
            super("429 Too Many Requests");
            this.retryAfter = retryAfter; // parsed from the response's Retry-After header
        }

        @Override
        public Duration retryAfter() {
            return retryAfter;
        }
    }
    // /docs:retry-after-carrier

    public interface Chat {
        String chat(String prompt);
    }

    public interface AnnotatedChat {
        @Retry(attempts = 3, delay = 100, jitter = false)
        String chat(String prompt);
    }

    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new ArrayList<>();

    private Chat wrap(Chat target, RetryPolicy policy) {
        return Rebound.wrap(Chat.class, target).withRetry(policy).settings(Fakes.settings(time, events)).build();
    }

    private static RetryPolicy threeAttempts() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                .maxDelay(Duration.ofSeconds(10)).build();
    }

    private List<String> retryReasons() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED)
                .map(ReboundEvent::reason).toList();
    }

    @Test
    void theWaitTheFailureCarriesIsTheNextWait() {
        AtomicInteger calls = new AtomicInteger();
        Chat chat = wrap(p -> {
            if (calls.incrementAndGet() == 1) {
                throw new UncheckedIOException(new RateLimited(Duration.ofSeconds(3)));
            }
            return "ok";
        }, threeAttempts());

        assertThat(chat.chat("q")).isEqualTo("ok");
        assertThat(time.sleeps()).as("found on the cause, a library's wrapper around the client's failure")
                .containsExactly(Duration.ofSeconds(3));
        assertThat(retryReasons()).containsExactly("retry-after");
    }

    @Test
    void aCarrierThatSuggestsNoWaitLeavesTheBackoff() {
        AtomicInteger calls = new AtomicInteger();
        Chat chat = wrap(p -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                throw new UncheckedIOException(new RateLimited(RetryAfter.Carrier.NONE));
            }
            if (n == 2) {
                throw new UncheckedIOException(new RateLimited(null));
            }
            return "ok";
        }, threeAttempts());

        assertThat(chat.chat("q")).isEqualTo("ok");
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(retryReasons()).containsExactly("backoff", "backoff");
    }

    @Test
    void theCarriedWaitWinsOverAHintSuggestedOnTheThread() {
        AtomicInteger calls = new AtomicInteger();
        Chat chat = wrap(p -> {
            if (calls.incrementAndGet() == 1) {
                RetryAfter.suggest(Duration.ofSeconds(8));
                throw new UncheckedIOException(new RateLimited(Duration.ofSeconds(2)));
            }
            return "ok";
        }, threeAttempts());

        assertThat(chat.chat("q")).isEqualTo("ok");
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2));
        assertThat(RetryAfter.takeNanos()).as("the thread's hint was taken with the failure, not left").isZero();
    }

    @Test
    void aCarriedWaitLongerThanMaxDelayEndsTheRetriesAndTheCallerGetsThatFailure() {
        UncheckedIOException refused = new UncheckedIOException(new RateLimited(Duration.ofSeconds(30)));
        AtomicInteger calls = new AtomicInteger();
        Chat chat = wrap(p -> {
            calls.incrementAndGet();
            throw refused;
        }, threeAttempts());

        assertThat(catchThrowable(() -> chat.chat("q"))).isSameAs(refused);
        assertThat(calls).hasValue(1);
        assertThat(time.sleeps()).isEmpty();
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                .extracting(ReboundEvent::reason).containsExactly("retry-after-exceeds-max-delay");
    }

    @Test
    void aCarrierThatSuggestsNoWaitHasSpokenAndAHintOnTheThreadIsNotUsed() {
        AtomicInteger calls = new AtomicInteger();
        Chat chat = wrap(p -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                RetryAfter.suggest(Duration.ofSeconds(8));
                throw new UncheckedIOException(new RateLimited(RetryAfter.Carrier.NONE));
            }
            if (n == 2) {
                RetryAfter.suggest(Duration.ofSeconds(8));
                throw new Broken();
            }
            return "ok";
        }, threeAttempts());

        assertThat(chat.chat("q")).isEqualTo("ok");
        assertThat(time.sleeps()).as("the backoffs").containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(RetryAfter.takeNanos()).isZero();
    }

    /** What Rebound's langchain4j integration attaches to an HTTP failure: the response's verdict. */
    static final class ResponseSaid extends RuntimeException implements ServerVerdict.Carrier {
        private final transient ServerVerdict verdict;

        ResponseSaid(String quota, Boolean shouldRetry) {
            super("429");
            verdict = ServerVerdict.of(Duration.ofSeconds(1).toNanos(), quota, shouldRetry);
        }

        @Override
        public ServerVerdict serverVerdict() {
            return verdict;
        }
    }

    /** A client's 429 carrying 2 s, over the failure it caught. */
    private static RateLimited above(Throwable caught) {
        RateLimited limited = new RateLimited(Duration.ofSeconds(2));
        limited.initCause(caught);
        return limited;
    }

    @Test
    void aResponsesQuotaOrRefusalBelowACarrierStillEndsTheRetriesAndTheCarrierStatesTheWait() {
        AtomicInteger quotaCalls = new AtomicInteger();
        Chat quota = wrap(p -> {
            quotaCalls.incrementAndGet();
            throw new UncheckedIOException(above(new ResponseSaid("insufficient_quota", null)));
        }, threeAttempts());
        catchThrowable(() -> quota.chat("q"));

        AtomicInteger declinedCalls = new AtomicInteger();
        Chat declined = wrap(p -> {
            declinedCalls.incrementAndGet();
            throw new UncheckedIOException(above(new ResponseSaid(null, false)));
        }, threeAttempts());
        catchThrowable(() -> declined.chat("q"));

        AtomicInteger waitCalls = new AtomicInteger();
        Chat waitOnly = wrap(p -> {
            if (waitCalls.incrementAndGet() == 1) {
                throw new UncheckedIOException(above(new ResponseSaid(null, null)));
            }
            return "ok";
        }, threeAttempts());

        assertThat(waitOnly.chat("q")).isEqualTo("ok");
        assertThat(quotaCalls).hasValue(1);
        assertThat(declinedCalls).hasValue(1);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                .extracting(ReboundEvent::reason).containsExactly("quota-exhausted", "server-declined-retry");
        assertThat(time.sleeps()).as("the carrier's wait, not the response's 1 s").containsExactly(Duration.ofSeconds(2));
    }

    /** A carrier whose method throws carries no wait; the failure is judged, and reaches the caller, as it is. */
    static final class Broken extends RuntimeException implements RetryAfter.Carrier {
        Broken() {
            super("503");
        }

        @Override
        public Duration retryAfter() {
            throw new IllegalStateException("no header parser");
        }
    }

    @Test
    void aCarrierWhoseMethodThrowsCarriesNoWait() {
        Broken last = new Broken();
        AtomicInteger calls = new AtomicInteger();
        Chat chat = wrap(p -> {
            throw calls.incrementAndGet() < 3 ? new Broken() : last;
        }, threeAttempts());

        assertThat(catchThrowable(() -> chat.chat("q"))).isSameAs(last);
        assertThat(last.getSuppressed()).hasSize(2).allMatch(s -> s instanceof Broken);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aWaitTooLongForNanosecondsSaturates() {
        assertThat(new RateLimited(Duration.ofSeconds(Long.MAX_VALUE)).retryAfterNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(new RateLimited(Duration.ofSeconds(-1)).retryAfterNanos()).isZero();
        assertThat(new RateLimited(Duration.ofMillis(1500)).retryAfterNanos()).isEqualTo(1_500_000_000L);
    }

    /**
     * Run in a loader of its own, where no verdict and no carrier ever existed before: the first failure
     * ever handled, whose carrier is a cause, is found all the same. The engine walks the causes only once
     * something can carry a wait; a carrier class is initialized (and so is {@link RetryAfter.Carrier},
     * which says so) before its first failure exists.
     */
    public static final class FirstFailureEver {
        public static String run() {
            VirtualTimeSource time = new VirtualTimeSource();
            AtomicInteger calls = new AtomicInteger();
            AnnotatedChat chat = Rebound.wrap(AnnotatedChat.class, (AnnotatedChat) p -> {
                if (calls.incrementAndGet() == 1) {
                    throw new UncheckedIOException(new RateLimited(Duration.ofSeconds(3)));
                }
                return "ok";
            }).settings(ReboundSettings.builder().timeSource(time).build()).build();
            return chat.chat("q") + " after " + time.sleeps();
        }
    }

    private static URL where(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void aCarrierAmongTheCausesOfTheFirstFailureEverHandledIsFound() throws Exception {
        URL[] fresh = {where(Rebound.class), where(Retry.class), where(org.slf4j.Logger.class),
                where(RetryAfterCarrierTest.class)};
        try (URLClassLoader application = new URLClassLoader("fresh", fresh, ClassLoader.getPlatformClassLoader())) {
            Class<?> app = application.loadClass(FirstFailureEver.class.getName());
            assertThat(app.getClassLoader()).isSameAs(application);

            assertThat(app.getMethod("run").invoke(null)).isEqualTo("ok after [PT3S]");
        }
    }
}

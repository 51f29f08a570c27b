package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.RateLimit;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.RateLimiter;
import dev.rebound.runtime.ratelimit.SharedCircuitState;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A subclass a container or library generated at run time over a user's class (its suffix changes from run to
 * run) stands for that class in the fleet: its breakers' and rate limits' keys are the same on every instance.
 */
class GeneratedSubclassKeysTest {

    final List<ReboundEvent> events = new CopyOnWriteArrayList<>();
    final ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
            .listener(events::add).build();

    public interface Chat {
        String chat(String prompt);
    }

    /** An alternative with a breaker and a rate limit of its own, down. */
    public static class Guarded implements Chat {
        @Override
        @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0)
        @RateLimit(requestsPerMinute = 600)
        public String chat(String prompt) {
            throw new IllegalStateException("guarded down");
        }
    }

    /** A store that shares breakers, recording the names it is asked about. */
    static final class RecordingStore implements RateLimitStore, SharedCircuitState {
        final List<String> breakers = new CopyOnWriteArrayList<>();
        final List<String> limits = new CopyOnWriteArrayList<>();
        final RateLimitStore local = RateLimitStore.inProcess();

        @Override
        public RateLimiter limiter(String key, long rpm, long tpm, TimeSource clock) {
            limits.add(key);
            return local.limiter(key, rpm, tpm, clock);
        }

        @Override
        public void close() {
        }

        @Override
        public void opened(String breaker, long openNanos) {
            breakers.add(breaker);
        }

        @Override
        public long openRemainingNanos(String breaker) {
            breakers.add(breaker);
            return 0;
        }
    }

    /**
     * rate-limits.md: the fleet key names the target "alike on every instance ... else the target's class": over a
     * container's generated subclass of Backend, Backend, as events name it, not the run-specific generated name.
     */
    @Test
    void theFleetKeyOfAWrappedGeneratedSubclassNamesTheUserClass() {
        RecordingStore store = new RecordingStore();
        GeneratedSubclassesTest.Chat chat = Rebound.wrap(GeneratedSubclassesTest.Chat.class,
                (GeneratedSubclassesTest.Chat) new Backend$$EnhancerByGuice$$1a2b())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(5)).build())
                .settings(settings.toBuilder().rateLimitStore(store).build()).build();

        assertThat(catchThrowable(() -> chat.chat("q"))).hasMessage("down");

        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("Backend");
        assertThat(store.breakers).isNotEmpty().allSatisfy(key -> assertThat(key)
                .endsWith("/" + GeneratedSubclassesTest.Backend.class.getName()));
    }

    /**
     * An alternative given as a generated subclass: its own breaker (opened by its two failures) and rate limit are
     * keyed in the fleet by its user's class.
     */
    @Test
    void anAlternativesOwnBreakerAndRateLimitAreKeyedByTheUserClassOfAGeneratedSubclass() {
        RecordingStore store = new RecordingStore();
        Chat chat = Rebound.wrap(Chat.class, (Chat) p -> {
            throw new IllegalStateException("down");
        }).withRetry(RetryPolicy.none()).withFallbacks(new Guarded$$EnhancerByGuice$$9c0d())
                .settings(settings.toBuilder().rateLimitStore(store).build()).build();

        assertThat(catchThrowable(() -> chat.chat("q"))).hasMessage("down");
        assertThat(catchThrowable(() -> chat.chat("q"))).hasMessage("down");

        assertThat(store.breakers).isNotEmpty().allSatisfy(key -> assertThat(key)
                .endsWith("/" + Guarded.class.getName()));
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED)).hasSize(1);
        assertThat(store.limits).containsOnly(Guarded.class.getName());
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .containsExactly("Guarded", "Guarded");
    }

    /**
     * A Mockito mock of an interface (superclass Object, its name anew in each run) stands for the interface in the
     * fleet, as a JDK proxy does: its breaker's key names {@code ReviewChat}, the same on every instance.
     */
    @Test
    void theFleetKeyOfAWrappedMockOfAnInterfaceNamesTheInterface() throws ReflectiveOperationException {
        RecordingStore store = new RecordingStore();
        GeneratedSubclassesTest.Down down = new GeneratedSubclassesTest.Down();
        GeneratedSubclassesTest.ReviewChat mock = GeneratedSubclassesTest.mockitoMock(
                GeneratedSubclassesTest.ReviewChat.class, down);
        GeneratedSubclassesTest.ReviewChat chat = Rebound.wrap(GeneratedSubclassesTest.ReviewChat.class, mock)
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(5)).build())
                .settings(settings.toBuilder().rateLimitStore(store).build()).build();

        assertThat(catchThrowable(() -> chat.review("d"))).hasMessage("down");

        assertThat(down.calls).isEqualTo(1);
        assertThat(store.breakers).isNotEmpty().allSatisfy(key -> assertThat(key)
                .isEqualTo(GeneratedSubclassesTest.ReviewChat.class.getName() + ".review(java.lang.String)/"
                        + GeneratedSubclassesTest.ReviewChat.class.getName()));
        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("ReviewChat");
    }
}

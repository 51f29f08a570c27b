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
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.RandomString;
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

    /** An interface a mock stands for beside {@link Review}. */
    public interface Audit {
        String audit(String text);
    }

    /** The second interface of a mock: {@code mock(Audit.class, withSettings().extraInterfaces(Review.class))}. */
    public interface Review {
        String review(String draft);
    }

    /**
     * {@code mock(Audit.class, withSettings().extraInterfaces(Review.class))} as Mockito's subclass generator makes
     * it: {@code Audit$MockitoMock$<random>}, superclass Object, implementing Audit, Review, then MockAccess.
     */
    static Object mockWithExtraInterface(InvocationHandler answer) throws ReflectiveOperationException {
        DynamicType.Unloaded<?> mockAccess = new ByteBuddy().makeInterface()
                .name("org.mockito.internal.creation.bytebuddy.access.MockAccess").make();
        return new ByteBuddy().subclass(Audit.class)
                .name(Audit.class.getName() + "$MockitoMock$" + RandomString.make())
                .implement(TypeDescription.ForLoadedType.of(Review.class), mockAccess.getTypeDescription())
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(answer))
                .make().include(mockAccess)
                .load(Audit.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded()
                .getConstructor().newInstance();
    }

    private CircuitBreakerPolicy breaker() {
        return CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0).delay(Duration.ofSeconds(5))
                .build();
    }

    /**
     * Wraps {@code target}, which stands for Audit and Review (in that order) and answers through {@code down}, as
     * Review, and calls it once: events name it Review, the interface it is wrapped as, and so does its breaker's
     * key in the fleet.
     */
    private void wrappedAsReviewIsKeyedAsEventsNameIt(Review target, GeneratedSubclassesTest.Down down) {
        RecordingStore store = new RecordingStore();
        Review chat = Rebound.wrap(Review.class, target).withCircuitBreaker(breaker())
                .settings(settings.toBuilder().rateLimitStore(store).build()).build();

        assertThat(catchThrowable(() -> chat.review("d"))).hasMessage("down");

        assertThat(down.calls).isEqualTo(1);
        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("Review");
        assertThat(store.breakers).isNotEmpty().allSatisfy(key -> assertThat(key)
                .isEqualTo(Review.class.getName() + ".review(java.lang.String)/" + Review.class.getName()));
    }

    /** A mock standing for two interfaces, wrapped as the second (its key named Audit, its first interface). */
    @Test
    void aMockOfTwoInterfacesWrappedAsTheSecondIsKeyedInTheFleetAsEventsNameIt() throws Exception {
        GeneratedSubclassesTest.Down down = new GeneratedSubclassesTest.Down();
        wrappedAsReviewIsKeyedAsEventsNameIt((Review) mockWithExtraInterface(down), down);
    }

    /** A JDK proxy of two interfaces, wrapped as the second (its key named Audit, the proxy's first interface). */
    @Test
    void aJdkProxyOfTwoInterfacesWrappedAsTheSecondIsKeyedInTheFleetAsEventsNameIt() {
        GeneratedSubclassesTest.Down down = new GeneratedSubclassesTest.Down();
        wrappedAsReviewIsKeyedAsEventsNameIt((Review) Proxy.newProxyInstance(Review.class.getClassLoader(),
                new Class<?>[] {Audit.class, Review.class}, down), down);
    }

    /**
     * A class a library generated over Object that implements a JDK interface before the one it stands for
     * ({@code subclass(Object).implement(Supplier, ReviewChat)}, ByteBuddy's default name), wrapped as ReviewChat:
     * keyed in the fleet by ReviewChat, as events name it, never by {@code java.util.function.Supplier}.
     */
    @Test
    void aGeneratedClassThatImplementsAJdkInterfaceFirstIsKeyedByTheInterfaceItIsWrappedAs() throws Exception {
        RecordingStore store = new RecordingStore();
        GeneratedSubclassesTest.Down down = new GeneratedSubclassesTest.Down();
        Object client = GeneratedSubclassesTest.supplierAndReviewChat(down).getConstructor().newInstance();
        GeneratedSubclassesTest.ReviewChat chat = Rebound.wrap(GeneratedSubclassesTest.ReviewChat.class,
                (GeneratedSubclassesTest.ReviewChat) client).withCircuitBreaker(breaker())
                .settings(settings.toBuilder().rateLimitStore(store).build()).build();

        assertThat(catchThrowable(() -> chat.review("d"))).hasMessage("down");

        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("ReviewChat");
        assertThat(store.breakers).isNotEmpty().allSatisfy(key -> assertThat(key)
                .isEqualTo(GeneratedSubclassesTest.ReviewChat.class.getName() + ".review(java.lang.String)/"
                        + GeneratedSubclassesTest.ReviewChat.class.getName()));
    }
}

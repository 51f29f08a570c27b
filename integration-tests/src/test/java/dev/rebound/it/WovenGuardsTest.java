package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.woven.Misconfigured;
import dev.rebound.it.woven.Overriding;
import dev.rebound.it.woven.WovenChat;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Exactly-once with Guice, and misconfigured woven classes failing when initialised. */
class WovenGuardsTest extends VirtualTime {

    @Test
    void aWovenClassProvidedByAnInjectorWithReboundModuleRetriesThreeTimesNotNine() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        WovenChat chat = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(WovenChat.class).to(WovenChat.Gpt4.class);
            }
        }).getInstance(WovenChat.class);

        catchThrowable(() -> chat.chat("x"));

        assertThat(chat).isInstanceOf(Woven.class);
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aWovenClassThatGuiceEnhancesForAnotherInterceptorKeepsItsPolicy() {
        FakeLlm.failFirst("gpt-4", 2);
        AtomicInteger intercepted = new AtomicInteger();
        WovenChat chat = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(WovenChat.class).to(WovenChat.Gpt4.class);
                bindInterceptor(Matchers.subclassesOf(WovenChat.Gpt4.class), Matchers.any(), invocation -> {
                    intercepted.incrementAndGet();
                    return invocation.proceed();
                });
            }
        }).getInstance(WovenChat.class);

        assertThat(chat.chat("x")).isEqualTo("gpt-4: x");

        assertThat(chat.getClass()).isNotEqualTo(WovenChat.Gpt4.class);
        assertThat(intercepted).hasValue(1);
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aWovenInstanceBoundByWrappingIsNotWrappedAgain() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        WovenChat.Gpt4 woven = new WovenChat.Gpt4();
        WovenChat chat = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(WovenChat.class).toInstance(woven);
            }
        })).getInstance(WovenChat.class);

        catchThrowable(() -> chat.chat("x"));

        assertThat(chat).isSameAs(woven);
        assertThat(FakeLlm.calls()).hasSize(3);
    }

    @Test
    void aSuperCallFromAWovenOverrideIsNotRetriedAgain() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        catchThrowable(() -> new Overriding().invoke(" x "));

        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    private static ReboundConfigurationException initialisationFailure(Class<?> woven) {
        Throwable thrown = catchThrowable(() -> woven.getConstructor().newInstance());
        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(thrown.getCause()).isInstanceOf(ReboundConfigurationException.class);
        return (ReboundConfigurationException) thrown.getCause();
    }

    @Test
    void outOfRangeAttemptsFailAnEnumsInitialisationNotItsFirstCall() {
        // Class.forName initialises the enum and calls none of its methods
        Throwable thrown = catchThrowable(() -> Class.forName(Misconfigured.AttemptsOutOfRangeTier.class.getName()));

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems())
                .containsExactly("AttemptsOutOfRangeTier.chat(String): @Retry.attempts = 101 is outside 1..100");
    }

    @Test
    void outOfRangeAttemptsFailTheClassInitialisationNamingEveryProblem() {
        ReboundConfigurationException e = initialisationFailure(Misconfigured.AttemptsOutOfRange.class);

        assertThat(e.problems()).containsExactly(
                "AttemptsOutOfRange.chat(String): @Retry.attempts = 101 is outside 1..100",
                "AttemptsOutOfRange.chat(String): @Retry.maxDelay = 1 ms is below @Retry.delay = 5 ms");
    }

    @Test
    void aFallbackThatIsNoImplementationFailsTheClassInitialisation() {
        ReboundConfigurationException e = initialisationFailure(Misconfigured.FallbackToAStranger.class);

        assertThat(e.problems()).containsExactly("FallbackToAStranger.chat(String): @Fallback.to java.lang.String"
                + " does not "
                + "implement dev.rebound.it.woven.Misconfigured$Chat");
    }

    @Test
    void aFallbackWithoutPublicNoArgConstructorFailsTheClassInitialisation() {
        ReboundConfigurationException e =
                initialisationFailure(Misconfigured.FallbackWithoutNoArgConstructor.class);

        assertThat(e.problems()).containsExactly("FallbackWithoutNoArgConstructor.chat(String): @Fallback.to "
                + "dev.rebound.it.woven.Misconfigured$NeedsArgument cannot be provided: "
                + "dev.rebound.it.woven.Misconfigured$NeedsArgument has no public no-argument constructor");
    }

    @Test
    void anAlternativeBuiltForInjectionThatNoInjectorProvidesFailsTheClassInitialisationNotItsFallbacks() {
        ReboundConfigurationException e = initialisationFailure(Misconfigured.FallbackBuiltForInjection.class);

        assertThat(e.problems()).containsExactly("FallbackBuiltForInjection.chat(String): @Fallback.to "
                + "dev.rebound.it.woven.Misconfigured$NeedsInjection cannot be provided: "
                + "dev.rebound.it.woven.Misconfigured$NeedsInjection has no public no-argument constructor");
    }

    @Test
    void aPolicyOnToStringOrHashCodeFailsTheClassInitialisationNotSilentlyDropped() {
        ReboundConfigurationException e = initialisationFailure(Misconfigured.DescribedImpl.class);

        assertThat(e.problems()).containsExactly(
                "Described.toString(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods",
                "DescribedImpl.hashCode(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods");
    }
}

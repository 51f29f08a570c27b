package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.plain.NestedPlain;
import dev.rebound.it.plain.PingingAsker;
import dev.rebound.it.plain.PlainReplier;
import dev.rebound.it.plain.Replier;
import dev.rebound.it.woven.Nested;
import dev.rebound.it.woven.SpringProxied;
import dev.rebound.it.woven.WovenReplier;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.weaver.guice.ReboundModule;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.retry.annotation.AnnotationAwareRetryOperationsInterceptor;

/** Failure scoping per method: each level applies its own policy, and multiplying retries are flagged. */
class NestedRetriesTest extends VirtualTime {

    private static final String WARNING = "Nested retries: Outer.answer(String) (3 attempts) calls "
            + "Inner.fetch(String) (3 attempts), so one call of Outer.answer(String) can make up to 9 attempts";

    @Test
    void wovenNestedRetriesApplyAtEachLevelMultiplyAndAreWarnedAboutOnce() {
        Nested.Outer outer = new Nested.Outer();
        String log = StdErr.during(() -> {
            FakeLlm.failFirst("inner", 1);
            assertThat(outer.answer("q")).isEqualTo("inner: q");
            assertThat(FakeLlm.calls()).containsExactly("inner #1", "inner #2");

            FakeLlm.reset();
            FakeLlm.failFirst("inner", Integer.MAX_VALUE);
            catchThrowable(() -> outer.answer("q"));
            catchThrowable(() -> outer.answer("q"));
            assertThat(FakeLlm.calls()).hasSize(2 * 9);
        });

        assertThat(StdErr.count(log, WARNING)).isEqualTo(1);
    }

    @Test
    void guiceNestedRetriesMultiplyAndAreWarnedAboutOnce() {
        FakeLlm.failFirst("inner", Integer.MAX_VALUE);
        NestedPlain.Outer outer = Guice.createInjector(new ReboundModule()).getInstance(NestedPlain.Outer.class);

        String log = StdErr.during(() -> {
            catchThrowable(() -> outer.answer("q"));
            catchThrowable(() -> outer.answer("q"));
        });

        assertThat(FakeLlm.calls()).hasSize(2 * 9);
        assertThat(StdErr.count(log, WARNING)).isEqualTo(1);
    }

    @Test
    void wovenNestedRetriesThroughAParallelBranchAreWarnedAboutOnce() {
        FakeLlm.failFirst("inner", Integer.MAX_VALUE);
        Nested.ParallelOuter outer = new Nested.ParallelOuter();

        String log = StdErr.during(() -> {
            catchThrowable(() -> outer.answer("q"));
            catchThrowable(() -> outer.answer("q"));
        });

        assertThat(FakeLlm.calls()).hasSize(2 * 9);
        assertThat(StdErr.count(log, "Nested retries: ParallelOuter.answer(String) (3 attempts) calls "
                + "BranchInner.fetch(String) (3 attempts), so one call of ParallelOuter.answer(String) can make up "
                + "to 9 attempts")).isEqualTo(1);
    }

    /**
     * Two calls of {@code dig(2)}, a retrying method (2 attempts) that calls itself down to a level that always
     * fails: every level's attempts made, their bodies in {@code calls}, and the recursion warned about once, naming
     * {@code Recursive.dig(int)}.
     */
    private static void assertTwoRecursiveCallsWarnOnce(IntFunction<String> dig, List<String> calls) {
        assertTwoRecursiveCallsWarnOnce(dig, calls, "Recursive.dig(int)");
    }

    /** As {@link #assertTwoRecursiveCallsWarnOnce(IntFunction, List)}, the method named {@code method}. */
    private static void assertTwoRecursiveCallsWarnOnce(IntFunction<String> dig, List<String> calls, String method) {
        calls.clear();

        String log = StdErr.during(() -> {
            catchThrowable(() -> dig.apply(2));
            catchThrowable(() -> dig.apply(2));
        });

        assertThat(calls).as("2 + 2 x 2 + 2 x 2 x 2 bodies per call").hasSize(2 * (2 + 4 + 8));
        assertThat(StdErr.count(log, "Nested retries: " + method + " (2 attempts) calls " + method
                + " (2 attempts), itself: each level of the recursion retries, so the attempts multiply (4 at two"
                + " levels, 8 at three)")).as(log).isEqualTo(1);
    }

    @Test
    void aWovenMethodThatCallsItselfMultipliesItsRetriesAndIsWarnedAboutOnce() {
        assertTwoRecursiveCallsWarnOnce(new Nested.Recursive()::dig, Nested.Recursive.CALLS);
    }

    @Test
    void aGuiceMethodThatCallsItselfMultipliesItsRetriesAndIsWarnedAboutOnce() {
        assertTwoRecursiveCallsWarnOnce(Guice.createInjector(new ReboundModule())
                .getInstance(NestedPlain.Recursive.class)::dig, NestedPlain.Recursive.CALLS);
    }

    /**
     * Who runs a default method that ajc wove into its interface ({@code Nested.Descent}, {@code Nested.Drafts}), and
     * through which door: each its own class (or lambda), a nesting being warned about once per inner method's class.
     */
    enum DefaultDoor {
        /** A class ajc wove, called directly. */
        WOVEN_CLASS,
        /** A class javac alone compiled, called directly: the default's advice applies its policy. */
        JAVAC_CLASS,
        /** A lambda, called directly: its class is never woven, the default's advice applies the policy. */
        LAMBDA,
        /** A javac class an injector with {@code ReboundModule} made: its interceptor applies the policy. */
        GUICE,
        /** {@code Rebound.wrap} over a javac class: the wrapper applies the policy of the method it is called with. */
        WRAP,
        /** {@code ReboundModule.wrapping(...)} over a javac class bound as an instance. */
        GUICE_WRAPPING,
        /** {@code Rebound.wrap} over a Spring proxy of a javac class. */
        WRAP_OVER_SPRING_PROXY,
        /** {@code Rebound.wrap} over a lambda. */
        WRAP_OVER_LAMBDA;

        /** {@code shape}'s object as this door reaches it, and the list its bodies are recorded in. */
        <T> Reached<T> reach(Shape<T> shape) {
            List<String> calls = new CopyOnWriteArrayList<>();
            if (this == LAMBDA) {
                return new Reached<>(shape.lambda().apply(calls), calls);
            }
            if (this == WRAP_OVER_LAMBDA) {
                return new Reached<>(Rebound.wrap(shape.type(), shape.lambdaToWrap().apply(calls)).build(), calls);
            }
            Class<? extends T> own = shape.classes().get(this);
            T made;
            try {
                made = this == GUICE ? Guice.createInjector(new ReboundModule()).getInstance(own)
                        : own.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            List<String> recorded = shape.calls().apply(made);
            switch (this) {
                case WRAP:
                    return new Reached<>(Rebound.wrap(shape.type(), made).build(), recorded);
                case GUICE_WRAPPING:
                    return new Reached<>(Doors.wrappedByGuice(shape.type(), made), recorded);
                case WRAP_OVER_SPRING_PROXY:
                    return new Reached<>(Rebound.wrap(shape.type(), Doors.springProxy(shape.type(), made)).build(),
                            recorded);
                default:
                    return new Reached<>(made, recorded);
            }
        }
    }

    /**
     * Woven default methods of an interface, and what they offer each door: a class of their own per door but the
     * lambdas ({@code classes}), where a made object records its bodies ({@code calls}), and two lambdas written apart
     * (a hidden class each).
     */
    record Shape<T>(Class<T> type, Map<DefaultDoor, Class<? extends T>> classes, Function<T, List<String>> calls,
            Function<List<String>, T> lambda, Function<List<String>, T> lambdaToWrap) {
    }

    private static final Shape<Nested.Descent> DESCENT = new Shape<>(Nested.Descent.class, Map.of(
            DefaultDoor.WOVEN_CLASS, Nested.WovenDescent.class,
            DefaultDoor.JAVAC_CLASS, NestedPlain.DirectDescent.class,
            DefaultDoor.GUICE, NestedPlain.InjectedDescent.class,
            DefaultDoor.WRAP, NestedPlain.WrappedDescent.class,
            DefaultDoor.GUICE_WRAPPING, NestedPlain.ProvidedDescent.class,
            DefaultDoor.WRAP_OVER_SPRING_PROXY, NestedPlain.ProxiedDescent.class),
            made -> made instanceof Nested.WovenDescent woven ? woven.calls : ((NestedPlain.PlainDescent) made).calls,
            calls -> n -> Nested.Descent.record(calls, n), calls -> n -> Nested.Descent.record(calls, n));

    private static final Shape<Nested.Drafts> DRAFTS = new Shape<>(Nested.Drafts.class, Map.of(
            DefaultDoor.WOVEN_CLASS, Nested.WovenDrafts.class,
            DefaultDoor.JAVAC_CLASS, NestedPlain.DirectDrafts.class,
            DefaultDoor.GUICE, NestedPlain.InjectedDrafts.class,
            DefaultDoor.WRAP, NestedPlain.WrappedDrafts.class,
            DefaultDoor.GUICE_WRAPPING, NestedPlain.ProvidedDrafts.class,
            DefaultDoor.WRAP_OVER_SPRING_PROXY, NestedPlain.ProxiedDrafts.class),
            made -> made instanceof Nested.WovenDrafts woven ? woven.calls : ((NestedPlain.PlainDrafts) made).calls,
            calls -> text -> Nested.Drafts.record(calls), calls -> text -> Nested.Drafts.record(calls));

    /** What a door gives to call, and where the object behind it records its bodies. */
    record Reached<T>(T door, List<String> calls) {
    }

    /**
     * A default method that ajc wove into its interface and that calls itself is warned about once as a recursion,
     * through every door, as a class's own method is: a frame of the default's body is in the interface, where its
     * executors are registered (before this version, in the class: nothing was ever found, and nothing said).
     */
    @ParameterizedTest
    @EnumSource(DefaultDoor.class)
    void aWovenDefaultMethodThatCallsItselfMultipliesItsRetriesAndIsWarnedAboutOnceThroughEveryDoor(DefaultDoor door) {
        Reached<Nested.Descent> reached = door.reach(DESCENT);
        assertTwoRecursiveCallsWarnOnce(reached.door()::dig, reached.calls(), "Descent.dig(int)");
    }

    /**
     * A woven default method calling another on itself ({@code draft}, 2 attempts, calling {@code polish}, 3): both
     * policies apply (2 x 3 writes), and the pair is warned about once, through every door.
     */
    @ParameterizedTest
    @EnumSource(DefaultDoor.class)
    void aWovenDefaultMethodCallingAnotherOnItselfIsWarnedAsNestedRetriesThroughEveryDoor(DefaultDoor door) {
        Reached<Nested.Drafts> reached = door.reach(DRAFTS);

        String log = StdErr.during(() -> {
            catchThrowable(() -> reached.door().draft("t"));
            catchThrowable(() -> reached.door().draft("t"));
        });

        assertThat(reached.calls()).as("2 draft attempts x 3 polish attempts per call").hasSize(2 * 6);
        assertThat(StdErr.count(log, "Nested retries: Drafts.draft(String) (2 attempts) calls Drafts.polish(String)"
                + " (3 attempts), so one call of Drafts.draft(String) can make up to 6 attempts of"
                + " Drafts.polish(String)"))
                .as(log).isEqualTo(1);
        assertThat(log).as("nothing else is said").doesNotContain("not woven", "hidden class", "itself");
    }

    /**
     * Two calls of {@code find("abc")}, a retrying overload (2 attempts) calling another ({@code find(int)}, 2
     * attempts, its bodies in {@code calls}): a pair of methods, warned about once in the pair's words.
     */
    private static void assertTwoOverloadCallsWarnOnce(Function<String, String> find,
            List<String> calls) {
        calls.clear();

        String log = StdErr.during(() -> {
            catchThrowable(() -> find.apply("abc"));
            catchThrowable(() -> find.apply("abc"));
        });

        assertThat(calls).as("2 x 2 bodies of find(int) per call").hasSize(2 * 4).containsOnly("find(3)");
        assertThat(StdErr.count(log, "Nested retries: Lookup.find(String) (2 attempts) calls Lookup.find(int) "
                + "(2 attempts), so one call of Lookup.find(String) can make up to 4 attempts of Lookup.find(int)"))
                .as(log).isEqualTo(1);
        assertThat(log).doesNotContain("itself");
    }

    @Test
    void aWovenRetryingOverloadCallingAnotherRetryingOverloadIsWarnedAsNestedRetries() {
        assertTwoOverloadCallsWarnOnce(new Nested.Lookup()::find, Nested.Lookup.CALLS);
    }

    @Test
    void aGuiceRetryingOverloadCallingAnotherRetryingOverloadIsWarnedAsNestedRetries() {
        assertTwoOverloadCallsWarnOnce(Guice.createInjector(new ReboundModule())
                .getInstance(NestedPlain.Lookup.class)::find, NestedPlain.Lookup.CALLS);
    }

    /**
     * Two calls of a retrying decorator (2 attempts) over another implementation of its contract, which retries
     * too (its bodies in {@code calls}): a pair whose attempts multiply, not a recursion.
     */
    private static void assertTwoDecoratorCallsWarnOnceAsAPair(Function<String, String> chat,
            List<String> calls) {
        calls.clear();

        String log = StdErr.during(() -> {
            catchThrowable(() -> chat.apply("hi"));
            catchThrowable(() -> chat.apply("hi"));
        });

        assertThat(calls).as("2 x 2 bodies per call").hasSize(2 * 4);
        assertThat(StdErr.count(log, "Nested retries: Chat.chat(String) (2 attempts) calls Chat.chat(String) "
                + "(2 attempts), so one call of Chat.chat(String) can make up to 4 attempts of Chat.chat(String)"))
                .as(log).isEqualTo(1);
        assertThat(log).as("the words of a recursion").doesNotContain("itself");
    }

    @Test
    void aWovenRetryingDecoratorOverAnotherRetryingImplementationIsWarnedAsAPairNotAsARecursion() {
        assertTwoDecoratorCallsWarnOnceAsAPair(new Nested.Routing(new Nested.Remote())::chat, Nested.Remote.CALLS);
    }

    @Test
    void aGuiceRetryingDecoratorOverAnotherRetryingImplementationIsWarnedAsAPairNotAsARecursion() {
        assertTwoDecoratorCallsWarnOnceAsAPair(Guice.createInjector(new ReboundModule())
                .getInstance(NestedPlain.Routing.class)::chat, NestedPlain.Remote.CALLS);
    }

    /**
     * Not a recursion: javac's bridge {@code handle(Object)}, a frame of the same class and name below the
     * call, is the call's own way in (each door its own fixture, so that a warning could not be given before).
     */
    @Test
    void aRetryingMethodCalledThroughItsErasedBridgeIsNoNestedRetryThroughEveryDoor() {
        Nested.StringHandler.CALLS.clear();
        NestedPlain.StringHandler.CALLS.clear();
        Nested.Handler<String> woven = new Nested.StringHandler();
        NestedPlain.Handler<String> injected = Guice.createInjector(new ReboundModule())
                .getInstance(NestedPlain.StringHandler.class);

        String log = StdErr.during(() -> {
            catchThrowable(() -> woven.handle("e")); // invokeinterface handle(Object): the bridge
            catchThrowable(() -> injected.handle("e"));
        });

        assertThat(Nested.StringHandler.CALLS).containsExactly("handle(e)", "handle(e)");
        assertThat(NestedPlain.StringHandler.CALLS).containsExactly("handle(e)", "handle(e)");
        assertThat(StdErr.count(log, "Handler.handle(Object): failed for good on StringHandler"))
                .as("named as the interface declares it, whichever door").isEqualTo(2);
        assertThat(log).doesNotContain("Nested retries");
    }

    @Test
    void aBuilderRetryOverASpringJdkProxyOfAWovenBeanIsWarnedAsNested() {
        SpringProxied.CALLS.clear();
        SpringProxied.Relay bean = (SpringProxied.Relay) new ProxyFactory(new SpringProxied.WovenRelay()).getProxy();
        assertThat(Proxy.isProxyClass(bean.getClass())).isTrue();

        String log = StdErr.during(() -> {
            SpringProxied.Relay relay = Rebound.wrap(SpringProxied.Relay.class, bean)
                    .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).jitter(false).build())
                    .build();
            catchThrowable(() -> relay.relay("m"));
        });

        assertThat(SpringProxied.CALLS).hasSize(6).containsOnly("relay");
        assertThat(StdErr.count(log, "Nested retries: Relay.relay(String) (Rebound.wrap) (3 attempts) calls "
                + "Relay.relay(String) on WovenRelay (2 attempts), so one call of Relay.relay(String) (Rebound.wrap) "
                + "can make up to 6 attempts")).isEqualTo(1);
    }

    @Test
    void aBuilderRetryOverASpringJdkProxyOfAWovenBeanByItsInterfaceAloneIsWarnedAsNested() {
        SpringProxied.CALLS.clear();
        ProxyFactory factory = new ProxyFactory(new SpringProxied.InterfaceProxiedRelay());
        factory.setInterfaces(SpringProxied.Relay.class); // not the woven class's marker
        SpringProxied.Relay bean = (SpringProxied.Relay) factory.getProxy();
        assertThat(bean).isNotInstanceOf(dev.rebound.weaver.Woven.class);

        String log = StdErr.during(() -> {
            SpringProxied.Relay relay = Rebound.wrap(SpringProxied.Relay.class, bean)
                    .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).jitter(false).build())
                    .build();
            catchThrowable(() -> relay.relay("m"));
        });

        assertThat(SpringProxied.CALLS).as("the builder's 3 x the woven class's 2").hasSize(6).containsOnly("relay");
        assertThat(StdErr.count(log, "Nested retries: Relay.relay(String) (Rebound.wrap) (3 attempts) calls "
                + "Relay.relay(String) on InterfaceProxiedRelay (2 attempts), so one call of Relay.relay(String) "
                + "(Rebound.wrap) can make up to 6 attempts")).isEqualTo(1);
        assertThat(log).as("the woven class applies its annotations: none is replaced")
                .doesNotContain("the builder's policies replace them");
    }

    /**
     * A builder retry over an object that applies its own {@code @Retry} to a generic interface's method, written on
     * its class's override ({@code reply(String)} for {@code Replier<T>.reply(T)}): the woven class's is read
     * through ajc's bridge {@code reply(Object)}, which carries no annotation, as the intercepted javac class's is
     * through javac's, which carries them all: the same warning, and the same 3 x 2 attempts at most.
     */
    @ParameterizedTest
    @ValueSource(strings = {"woven", "intercepted"})
    @SuppressWarnings("unchecked")
    void aBuilderRetryOverTheOwnRetryOfAGenericInterfacesImplementationIsWarnedAsNestedWovenOrIntercepted(String door) {
        Replier<String> target = door.equals("woven") ? new WovenReplier()
                : Guice.createInjector(new ReboundModule()).getInstance(PlainReplier.class);
        String name = door.equals("woven") ? "WovenReplier" : "PlainReplier";
        PingingAsker.REQUESTS.clear();

        String log = StdErr.during(() -> {
            Replier<String> llm = Rebound.wrap(Replier.class, target)
                    .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).jitter(false).build())
                    .build();
            assertThat(catchThrowable(() -> llm.reply("q"))).isNull();
        });

        assertThat(PingingAsker.REQUESTS).as("its own retry answers").containsExactly("q", "q");
        assertThat(StdErr.count(log, "Nested retries: Replier.reply(Object) (Rebound.wrap) (3 attempts) calls "
                + "Replier.reply(Object) on " + name + " (2 attempts), so one call of Replier.reply(Object) "
                + "(Rebound.wrap) can make up to 6 attempts")).as(log).isEqualTo(1);
    }

    private static String retriedByAnotherLibrary(String method, int attempts, String other) {
        return "Nested retries: " + method + " has @Retry (" + attempts + " attempts) and @" + other
                + ", which retries it too, so one call of " + method + " can make up to " + attempts
                + " times that annotation's attempts. Retry at one level only: drop one of the two annotations, or"
                + " narrow @Retry.on.";
    }

    @Test
    void springRetrysRetryableBesideRetryMultipliesAndIsWarnedAsNestedOnce() {
        SpringProxied.CALLS.clear();
        String log = StdErr.during(() -> {
            ProxyFactory factory = new ProxyFactory(new SpringProxied.DoublyRetried()); // as @EnableRetry proxies it
            factory.addAdvisor(new DefaultPointcutAdvisor(new AnnotationAwareRetryOperationsInterceptor()));
            SpringProxied.Pinger pinger = (SpringProxied.Pinger) factory.getProxy();
            catchThrowable(() -> pinger.ping("h"));
            catchThrowable(() -> pinger.ping("h"));
        });

        assertThat(SpringProxied.CALLS).as("3 x 3 attempts per call").hasSize(2 * 9);
        assertThat(StdErr.count(log, retriedByAnotherLibrary("DoublyRetried.ping(String)", 3,
                "org.springframework.retry.annotation.Retryable"))).as("named by the method that carries @Retry")
                .isEqualTo(1);
    }

    @Test
    void anAlternativesOwnRetryBesideAnotherLibrarysRetryIsWarnedAsThePrimarysIs() {
        String log = StdErr.during(() -> Rebound.wrap(NestedPlain.FallsBackToDoublyRetried.class,
                (NestedPlain.FallsBackToDoublyRetried) host -> "pong").build());

        assertThat(StdErr.count(log, retriedByAnotherLibrary("AlternativeDoublyRetried.ping(String)", 2,
                "org.springframework.retry.annotation.Retryable"))).as(log).isEqualTo(1);
    }

    @Test
    void anotherLibrarysRetryOnTheMethodOrItsClassIsWarnedInTheSameWordsByWrapAndGuice() {
        String log = StdErr.during(() -> {
            Rebound.wrap(NestedPlain.Pinger.class, new NestedPlain.WrappedDoublyRetried()).build();
            Guice.createInjector(new ReboundModule()).getInstance(NestedPlain.InjectedDoublyRetried.class);
        });

        assertThat(StdErr.count(log, retriedByAnotherLibrary("WrappedDoublyRetried.ping(String)", 3,
                "org.springframework.retry.annotation.Retryable"))).isEqualTo(1);
        assertThat(StdErr.count(log, retriedByAnotherLibrary("InjectedDoublyRetried.ping(String)", 4,
                "org.springframework.retry.annotation.Retryable"))).isEqualTo(1);
    }
}

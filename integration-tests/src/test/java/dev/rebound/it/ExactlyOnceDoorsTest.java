package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.name.Names;
import dev.rebound.it.plain.GuiceReach;
import dev.rebound.it.plain.ProxiedRegisteringModel;
import dev.rebound.it.plain.RegisteringModel;
import dev.rebound.it.plain.shapes.PlainShapes;
import dev.rebound.it.plain.wrap.WrapShapes;
import dev.rebound.it.woven.shapes.DeadPrimary;
import dev.rebound.it.woven.shapes.Dollar$$Shape;
import dev.rebound.it.woven.shapes.EnumShape;
import dev.rebound.it.woven.shapes.Flaky;
import dev.rebound.it.woven.shapes.NoPolicy;
import dev.rebound.it.woven.shapes.PublicShape;
import dev.rebound.it.woven.shapes.Shapes;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.weaver.guice.ReboundModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each policy applies exactly once, whichever doors an object passes through. */
class ExactlyOnceDoorsTest extends VirtualTime {

    @Test
    void wrappingAWovenObjectWithoutABuilderPolicyAddsNoSecondLayer() {
        PublicShape woven = new PublicShape();
        String log = StdErr.during(() -> {
            Flaky wrapped = Rebound.wrap(Flaky.class, woven).build();
            assertThat(wrapped).isSameAs(woven);
            catchThrowable(() -> wrapped.call("p"));
            Rebound.wrap(Flaky.class, new PublicShape()).build();
        });
        assertThat(woven.calls()).isEqualTo(3); // not 3 x 3
        assertThat(StdErr.count(log, "Rebound.wrap(Flaky): PublicShape applies its policies already; returned as "
                + "it is, so each policy applies once")).isEqualTo(1);
    }

    @Test
    void wrappingAWovenEnumWithoutABuilderPolicyAddsNoSecondLayer() {
        int before = EnumShape.PLAIN.calls();
        String log = StdErr.during(() -> {
            Flaky wrapped = Rebound.wrap(Flaky.class, (Flaky) EnumShape.PLAIN).build();
            assertThat(wrapped).isSameAs(EnumShape.PLAIN);
            catchThrowable(() -> wrapped.call("p"));
        });
        assertThat(EnumShape.PLAIN.calls() - before).isEqualTo(3); // not 3 x 3
        assertThat(log).contains("Rebound.wrap(Flaky): EnumShape applies its policies already; returned as it is,"
                + " so each policy applies once");
    }

    /**
     * A Spring JDK proxy of {@code target} built with {@code Flaky} alone (as {@code setInterfaces} makes one, or
     * an {@code @EnableTransactionManagement} proxy of a bean by its declared interface): it says the class behind
     * it, but does not implement the woven class's marker.
     */
    private static Flaky springProxyOfFlakyAlone(Flaky target) {
        org.springframework.aop.framework.ProxyFactory factory = new org.springframework.aop.framework.ProxyFactory(
                target);
        factory.setInterfaces(Flaky.class);
        factory.addAdvice((org.aopalliance.intercept.MethodInterceptor) invocation -> invocation.proceed());
        Flaky proxy = (Flaky) factory.getProxy();
        assertThat(Proxy.isProxyClass(proxy.getClass())).isTrue();
        assertThat(proxy).as("not the woven marker").isNotInstanceOf(dev.rebound.weaver.Woven.class);
        return proxy;
    }

    @Test
    void wrappingASpringProxyOfAWovenObjectByItsInterfaceAloneAddsNoSecondLayer() {
        PublicShape woven = new PublicShape();
        Flaky bean = springProxyOfFlakyAlone(woven);
        Flaky[] wrapped = new Flaky[1];
        String log = StdErr.during(() -> {
            wrapped[0] = Rebound.wrap(Flaky.class, bean).build();
            catchThrowable(() -> wrapped[0].call("p"));
        });
        assertThat(woven.calls()).as("PublicShape's woven 3 attempts, not 3 x 3").isEqualTo(3);
        assertThat(wrapped[0]).isSameAs(bean);
        assertThat(StdErr.count(log, "INFO dev.rebound - Rebound.wrap(Flaky): PublicShape applies its policies "
                + "already; returned as it is, so each policy applies once")).isEqualTo(1);
        assertThat(Rebound.isResilient(bean)).as("its calls reach the woven object").isTrue();
        Flaky other = springProxyOfFlakyAlone(new PublicShape());
        String named = StdErr.during(() -> assertThat(Rebound.wrap(Flaky.class, other).named("shape").build())
                .isSameAs(other));
        assertThat(named).contains("WARN dev.rebound - Rebound.wrap(Flaky): PublicShape applies its policies already, "
                + "with its own settings and names; this wrapper's named(...) is not used");
    }

    @Test
    void wrappingASpringProxyOfAWrapperReturnsIt() {
        Flaky once = Rebound.wrap(Flaky.class, (Flaky) new PublicShape()).withRetry(RetryPolicy.builder()
                .attempts(2).delay(Duration.ZERO).build()).build();
        Flaky bean = springProxyOfFlakyAlone(once);
        assertThat(Rebound.wrap(Flaky.class, bean).build()).isSameAs(bean);
        assertThat(Rebound.isResilient(bean)).isTrue();
    }

    @Test
    void wrappingAModuleProvidesASpringProxyOfAWovenObjectByItsInterfaceAloneAsItIs() {
        PublicShape bound = new PublicShape();
        PublicShape provided = new PublicShape();
        Flaky boundBean = springProxyOfFlakyAlone(bound);
        Flaky providedBean = springProxyOfFlakyAlone(provided);
        ReboundSettings own = ReboundSettings.builder().logging(false).build();
        Flaky[] got = new Flaky[2];
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(ReboundModule.wrapping(own, new AbstractModule() {
                @Override
                protected void configure() {
                    bind(Flaky.class).annotatedWith(Names.named("instance")).toInstance(boundBean);
                }

                @com.google.inject.Provides
                @jakarta.inject.Named("provides")
                Flaky provides() {
                    return providedBean;
                }
            }));
            got[0] = injector.getInstance(com.google.inject.Key.get(Flaky.class, Names.named("instance")));
            got[1] = injector.getInstance(com.google.inject.Key.get(Flaky.class, Names.named("provides")));
        });
        catchThrowable(() -> got[0].call("p"));
        catchThrowable(() -> got[1].call("p"));

        assertThat(java.util.List.of(bound.calls(), provided.calls()))
                .as("toInstance, @Provides: PublicShape's woven 3 attempts each, not 3 x 3").containsExactly(3, 3);
        assertThat(got[0]).isSameAs(boundBean);
        assertThat(got[1]).isSameAs(providedBean);
        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule: " + PublicShape.class.getName()
                + " is woven and bound as an instance the injector does not construct, so its aspect applies its"
                + " policies with the global settings")).as("the module's settings are not used: said once")
                .isEqualTo(1);
    }

    @Test
    void settingsGivenToAWrapperOfAWovenObjectAreSaidToBeUnused() {
        Flaky woven = Shapes.all().get("local").get();
        String log = StdErr.during(() -> assertThat(Rebound.wrap(Flaky.class, woven)
                .settings(ReboundSettings.builder().build()).build()).isSameAs(woven));
        assertThat(log).contains("WARN dev.rebound - Rebound.wrap(Flaky): Local applies its policies already, with "
                + "its own settings and names; this wrapper's settings(...) are not used and the target is "
                + "returned as it is. Give a woven class its clock and listeners with ReboundSettings.setGlobal");
    }

    @Test
    void wrappingAWrapperWithoutABuilderPolicyReturnsIt() {
        Flaky once = Rebound.wrap(Flaky.class, (Flaky) new PublicShape()).withRetry(RetryPolicy.builder()
                .attempts(2).delay(Duration.ZERO).build()).build();
        assertThat(Rebound.wrap(Flaky.class, once).build()).isSameAs(once);
    }

    @Test
    void aBuilderRetryOverAWovenRetryIsANestedRetrySaidAtBuildTime() {
        Flaky woven = Shapes.all().get("package-private top-level").get();
        String log = StdErr.during(() -> Rebound.wrap(Flaky.class, woven)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build()).build());
        assertThat(log).contains("Nested retries: Flaky.call(String) (Rebound.wrap) (2 attempts) calls "
                + "Flaky.call(String) on PackagePrivateShape (3 attempts), so one call of Flaky.call(String) "
                + "(Rebound.wrap) can make up to 6 attempts");
    }

    @Test
    void isResilientTellsWhichObjectsApplyTheirPolicies() {
        Injector injector = Guice.createInjector(new ReboundModule());
        assertThat(Rebound.isResilient(new PublicShape())).as("woven").isTrue();
        assertThat(Rebound.isResilient(Rebound.wrap(PlainShapes.Flaky.class,
                injector.getInstance(PlainShapes.PublicNested.class)).build())).as("Guice").isTrue();
        assertThat(Rebound.isResilient(injector.getInstance(PlainShapes.PublicNested.class))).as("Guice").isTrue();
        PlainShapes.Flaky unwoven = new PlainShapes.PublicNested();
        assertThat(Rebound.isResilient(unwoven)).as("javac-built, no door").isFalse();
        assertThat(Rebound.isResilient(Rebound.wrap(PlainShapes.Flaky.class, unwoven).build())).as("wrapper")
                .isTrue();
        Flaky lambda = new Flaky() {
            @Override
            public String call(String prompt) {
                return prompt;
            }

            @Override
            public int calls() {
                return 0;
            }
        };
        assertThat(Rebound.isResilient(lambda)).as("anonymous class, woven").isTrue();
        assertThat(Rebound.isResilient(EnumShape.PLAIN)).as("enum, woven").isTrue();
        assertThat(Rebound.isResilient(EnumShape.OWN_BODY)).as("enum constant's class body, woven").isTrue();
        assertThat(Rebound.isResilient(NoPolicy.Kind.PLAIN)).as("enum without policy").isFalse();
        assertThat(Rebound.isResilient(null)).isFalse();
    }

    /**
     * A logging decorator (a JDK proxy that calls its target, as a framework's client is) hides the class
     * behind it: a wrapper over it of an interface without annotations applies no policy, build() says so at
     * WARN, and isResilient answers false, through the generated class and the JDK proxy alike; a wrapper of
     * the same decorator with a builder policy applies it, and answers true.
     */
    @ParameterizedTest(name = "viaJdkProxy: {0}")
    @ValueSource(booleans = {false, true})
    void isResilientIsFalseForAWrapperThatAppliesNoPolicy(boolean viaJdkProxy) {
        WrapShapes.RetriedPlain retried = new WrapShapes.RetriedPlain();
        WrapShapes.Plain[] chat = new WrapShapes.Plain[1];
        String log = StdErr.during(() -> chat[0] = build(Rebound.wrap(WrapShapes.Plain.class, decorator(retried)),
                viaJdkProxy));

        catchThrowable(() -> chat[0].chat("hi"));

        assertThat(retried.calls.get()).as("attempts: the class's @Retry(attempts = 3) is not applied").isEqualTo(1);
        assertThat(log).contains("WARN dev.rebound - Rebound.wrap(Plain): the target is a JDK proxy (");
        assertThat(Rebound.isGenerated(chat[0])).as("generated class").isEqualTo(!viaJdkProxy);
        assertThat(Rebound.isResilient(chat[0])).as("a wrapper that applies no policy").isFalse();
        WrapShapes.Plain bare = build(Rebound.wrap(WrapShapes.Plain.class, decorator(prompt -> prompt)), viaJdkProxy);
        assertThat(Rebound.isResilient(bare)).as("a wrapper of an interface and a class without policy").isFalse();
        WrapShapes.Plain retrying = build(Rebound.wrap(WrapShapes.Plain.class, decorator(retried))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build()), viaJdkProxy);
        assertThat(Rebound.isResilient(retrying)).as("the same decorator wrapped with a builder retry").isTrue();
    }

    private static WrapShapes.Plain build(Rebound.Builder<WrapShapes.Plain> builder, boolean viaJdkProxy) {
        return (viaJdkProxy ? builder.viaJdkProxy() : builder).build();
    }

    /** A JDK proxy of {@link WrapShapes.Plain} that calls {@code target}: a decorator that hides its class. */
    private static WrapShapes.Plain decorator(WrapShapes.Plain target) {
        return (WrapShapes.Plain) Proxy.newProxyInstance(WrapShapes.Plain.class.getClassLoader(),
                new Class<?>[] {WrapShapes.Plain.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aWovenClassProvidedByGuiceGetsItsAlternativesFromTheInjectorAndItsPolicyOnce() {
        Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("backup")).to("injected backup");
            }
        });
        DeadPrimary primary = injector.getInstance(DeadPrimary.class);
        assertThat(primary.answer("q")).isEqualTo("injected backup: q");
        assertThat(primary.body.calls()).isEqualTo(3);
        assertThat(Rebound.isResilient(primary)).isTrue();
    }

    /** Another library's interceptor (a transaction, a metric), in an injector without ReboundModule. */
    static final class AuditModule extends AbstractModule {
        @Override
        protected void configure() {
            org.aopalliance.intercept.MethodInterceptor pass = invocation -> invocation.proceed();
            bindInterceptor(com.google.inject.matcher.Matchers.any(),
                    com.google.inject.matcher.Matchers.annotatedWith(GuiceReach.Audited.class), pass);
        }
    }

    static final java.util.concurrent.atomic.AtomicInteger JOB_CALLS = new java.util.concurrent.atomic.AtomicInteger();

    /** A woven class with a policy, and a method another interceptor wants. */
    public static class WovenJob {
        @dev.rebound.annotations.Retry(attempts = 3, delay = 100, jitter = false)
        public String work(String task) {
            JOB_CALLS.incrementAndGet();
            throw new IllegalStateException("down " + JOB_CALLS.get());
        }

        @GuiceReach.Audited
        public String audit() {
            return "audited";
        }
    }

    @Test
    void aWovenClassThatAnotherInjectorSubclassesKeepsItsAspectsPolicyThoughAnInjectorWithReboundModuleInterceptsIt() {
        WovenJob intercepted = Guice.createInjector(new ReboundModule()).getInstance(WovenJob.class);
        JOB_CALLS.set(0);
        assertThat(catchThrowable(() -> intercepted.work("t"))).hasMessage("down 3");

        WovenJob elsewhere = Guice.createInjector(new AuditModule()).getInstance(WovenJob.class);
        assertThat(elsewhere.getClass()).as("Guice's subclass, for @Audited").isNotEqualTo(WovenJob.class)
                .isNotEqualTo(intercepted.getClass());
        JOB_CALLS.set(0);
        assertThat(catchThrowable(() -> elsewhere.work("t"))).as("the aspect's policy").hasMessage("down 3");
        assertThat(Rebound.isResilient(elsewhere)).as("woven").isTrue();
    }

    /** Another library's interceptor on every method, in an injector with ReboundModule or without. */
    static final class EveryMethodModule extends AbstractModule {
        @Override
        protected void configure() {
            org.aopalliance.intercept.MethodInterceptor pass = invocation -> invocation.proceed();
            bindInterceptor(com.google.inject.matcher.Matchers.any(), com.google.inject.matcher.Matchers.any(), pass);
        }
    }

    /**
     * Guice shares one generated subclass between injectors that intercept the same methods: the injector without
     * ReboundModule runs the class's first call (the aspect's policy, kept for that subclass), and the injector
     * with it marks the same subclass later; its interceptor then applies the policy, once (3 attempts, not 3 x 3),
     * and events name the user's class, whether or not its name holds {@code $$}.
     */
    @ParameterizedTest
    @ValueSource(classes = {PublicShape.class, Dollar$$Shape.class})
    void aWovenClassWhoseSubclassAnotherInjectorRanFirstAppliesItsPolicyOnceUnderReboundModule(Class<? extends Flaky> type) {
        Flaky elsewhere = Guice.createInjector(new EveryMethodModule()).getInstance(type);
        assertThat(catchThrowable(() -> elsewhere.call("p"))).isInstanceOf(IllegalStateException.class);
        assertThat(elsewhere.calls()).as("the aspect's policy").isEqualTo(3);

        events.clear();
        Flaky intercepted = Guice.createInjector(new ReboundModule(), new EveryMethodModule()).getInstance(type);
        assertThat(intercepted.getClass()).as("Guice's one subclass for both").isSameAs(elsewhere.getClass());
        assertThat(catchThrowable(() -> intercepted.call("p"))).isInstanceOf(IllegalStateException.class);
        assertThat(intercepted.calls()).as("the interceptor's policy alone").isEqualTo(3);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).hasSize(3)
                .extracting(ReboundEvent::target).containsOnly(type.getSimpleName());
    }

    @Test
    void anInstanceAnotherInjectorSubclassesForItsOwnInterceptorIsNotTakenForResilientAndWrapWrapsIt() {
        GuiceReach.AuditedJob intercepted = Guice.createInjector(new ReboundModule())
                .getInstance(GuiceReach.AuditedJob.class);
        assertThat(Rebound.isResilient(intercepted)).as("before any call").isTrue();

        GuiceReach.AuditedJob elsewhere = Guice.createInjector(new AuditModule()).getInstance(GuiceReach.AuditedJob.class);
        assertThat(elsewhere.getClass()).isNotEqualTo(GuiceReach.AuditedJob.class).isNotEqualTo(intercepted.getClass());
        assertThat(Rebound.isResilient(elsewhere)).as("no door reached it").isFalse();
        GuiceReach.reset();
        assertThat(catchThrowable(() -> elsewhere.chat("q"))).hasMessage("down 1");

        GuiceReach.Model wrapped = Rebound.wrap(GuiceReach.Model.class, (GuiceReach.Model) elsewhere).build();
        GuiceReach.reset();
        assertThat(catchThrowable(() -> wrapped.chat("q"))).hasMessage("down 3");
    }

    /**
     * Another library's interceptor (a logger) on the methods that carry {@code @Retry}, in an injector without
     * ReboundModule: for a class whose only policy is such a method, exactly the methods ReboundModule intercepts,
     * so Guice shares one generated subclass between the two injectors. Records each call it sees.
     */
    static final class RetryLoggingModule extends AbstractModule {
        private final java.util.List<String> logged;

        RetryLoggingModule(java.util.List<String> logged) {
            this.logged = logged;
        }

        @Override
        protected void configure() {
            org.aopalliance.intercept.MethodInterceptor log = invocation -> {
                logged.add(invocation.getMethod().getName());
                return invocation.proceed();
            };
            bindInterceptor(com.google.inject.matcher.Matchers.any(),
                    com.google.inject.matcher.Matchers.annotatedWith(dev.rebound.annotations.Retry.class), log);
        }
    }

    /** What a woven {@link SharedWovenJob} is called through. */
    public interface Job {
        String work(String task);
    }

    /** A woven class whose only policy is one {@code @Retry} method; each instance counts its own attempts. */
    public static class SharedWovenJob implements Job {
        private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        @dev.rebound.annotations.Retry(attempts = 3, delay = 100, jitter = false)
        public String work(String task) {
            throw new IllegalStateException("down " + calls.incrementAndGet());
        }

        public int calls() {
            return calls.get();
        }
    }

    /**
     * Guice shares one generated subclass between an injector with ReboundModule and one without that intercepts
     * the same methods for a logger of its own: each instance applies the policy once, by the door that covers
     * it. The instances of the injector without ReboundModule keep their aspect's policy (3 attempts, in one call
     * of the logger), whether made before the other injector made any or after, as singletons too; those of the
     * injector with it get the policy from its interceptor alone (3 attempts, not 9), by {@code getInstance}, a
     * {@code Provider} or a child injector.
     */
    @Test
    void injectorsThatShareGuicesSubclassOfAWovenClassEachApplyItsPolicyOnceToEachOfTheirInstances()
            throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder()
                .listener(new dev.rebound.runtime.metrics.MicrometerListener(registry)).build());
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        Injector without = Guice.createInjector(new RetryLoggingModule(logged));
        SharedWovenJob madeBefore = without.getInstance(SharedWovenJob.class);
        Injector with = Guice.createInjector(new ReboundModule());
        SharedWovenJob intercepted = with.getInstance(SharedWovenJob.class);
        SharedWovenJob provided = with.getProvider(SharedWovenJob.class).get();
        SharedWovenJob childs = with.createChildInjector(new AbstractModule() {
            @Override
            protected void configure() {
                try {
                    bind(SharedWovenJob.class).annotatedWith(Names.named("child"))
                            .toConstructor(SharedWovenJob.class.getConstructor());
                } catch (NoSuchMethodException e) {
                    throw new AssertionError(e);
                }
            }
        }).getInstance(com.google.inject.Key.get(SharedWovenJob.class, Names.named("child")));
        SharedWovenJob madeAfter = without.getInstance(SharedWovenJob.class);
        SharedWovenJob singleton = Guice.createInjector(new RetryLoggingModule(logged), new AbstractModule() {
            @Override
            protected void configure() {
                bind(SharedWovenJob.class).in(com.google.inject.Singleton.class);
            }
        }).getInstance(SharedWovenJob.class);
        assertThat(java.util.List.of(madeBefore, provided, childs, madeAfter, singleton))
                .extracting(job -> (Object) job.getClass()).as("Guice's one subclass for all")
                .containsOnly(intercepted.getClass());

        // in turns, the first call an intercepted instance's: the advice resolves nothing for it, then the
        // policy for the first instance of the other injector
        java.util.List<SharedWovenJob> withReboundModule = java.util.List.of(intercepted, provided, childs);
        for (SharedWovenJob job : java.util.List.of(intercepted, madeBefore, provided, madeAfter, childs, singleton)) {
            events.clear();
            logged.clear();
            if (withReboundModule.contains(job)) {
                assertThat(catchThrowable(() -> job.work("t"))).as("the interceptor's policy alone")
                        .hasMessage("down 3");
                assertThat(job.calls()).as("3, not 3 x 3").isEqualTo(3);
                assertThat(logged).isEmpty();
            } else {
                assertThat(catchThrowable(() -> job.work("t"))).as("its aspect's policy").hasMessage("down 3");
                assertThat(job.calls()).isEqualTo(3);
                assertThat(logged).as("the logger, once around the call").containsExactly("work");
            }
            assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).hasSize(3)
                    .extracting(ReboundEvent::target) // the child's interception, named by its one qualified binding
                    .containsOnly(job == childs ? "SharedWovenJob@Named(child)" : "SharedWovenJob");
            assertThat(Rebound.isResilient(job)).as("woven, or intercepted").isTrue();
        }
        assertThat(registry.get(dev.rebound.runtime.metrics.MicrometerListener.CALLS).tag("outcome", "failure")
                .counter().count()).as("one logical call each").isEqualTo(6);

        Job wrapped = Rebound.wrap(Job.class, (Job) madeAfter).build();
        assertThat(wrapped).as("its aspect applies its policy").isSameAs(madeAfter);
        logged.clear();
        assertThat(catchThrowable(() -> wrapped.work("t"))).hasMessage("down 6");
        assertThat(logged).containsExactly("work");
    }

    /**
     * The same shared subclass of a class compiled by javac alone: an instance of the injector without
     * ReboundModule applies no policy, so it is not taken for resilient, and {@code Rebound.wrap} wraps it and
     * applies the policy once; the instances of the injector with it (by {@code getInstance}, a {@code Provider}
     * or a child injector) are resilient before any call on them, and apply the policy in its interceptor.
     */
    @Test
    void anInstanceOfGuicesSubclassSharedWithAnInjectorWithReboundModuleIsNotTakenForResilientAndWrapWrapsIt()
            throws Exception {
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        GuiceReach.SharedJob madeBefore = Guice.createInjector(new RetryLoggingModule(logged))
                .getInstance(GuiceReach.SharedJob.class);
        Injector with = Guice.createInjector(new ReboundModule());
        GuiceReach.SharedJob intercepted = with.getInstance(GuiceReach.SharedJob.class);
        GuiceReach.SharedJob provided = with.getProvider(GuiceReach.SharedJob.class).get();
        java.lang.reflect.Constructor<GuiceReach.SharedJob> constructor = GuiceReach.SharedJob.class.getConstructor();
        GuiceReach.SharedJob childs = with.createChildInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceReach.SharedJob.class).annotatedWith(Names.named("child")).toConstructor(constructor);
            }
        }).getInstance(com.google.inject.Key.get(GuiceReach.SharedJob.class, Names.named("child")));
        GuiceReach.SharedJob elsewhere = Guice.createInjector(new RetryLoggingModule(logged))
                .getInstance(GuiceReach.SharedJob.class);
        assertThat(java.util.List.of(madeBefore, provided, childs, elsewhere)).extracting(job -> (Object) job.getClass())
                .as("Guice's one subclass for all").containsOnly(intercepted.getClass());

        for (GuiceReach.SharedJob job : java.util.List.of(intercepted, provided, childs)) {
            assertThat(Rebound.isResilient(job)).as("before any call").isTrue();
            assertThat(Rebound.wrap(GuiceReach.Model.class, (GuiceReach.Model) job).build()).isSameAs(job);
        }
        for (GuiceReach.SharedJob job : java.util.List.of(madeBefore, elsewhere)) {
            assertThat(Rebound.isResilient(job)).as("no door reached it").isFalse();
            GuiceReach.reset();
            logged.clear();
            assertThat(catchThrowable(() -> job.chat("q"))).hasMessage("down 1");

            GuiceReach.Model wrapped = Rebound.wrap(GuiceReach.Model.class, (GuiceReach.Model) job).build();
            assertThat(wrapped).isNotSameAs(job);
            GuiceReach.reset();
            logged.clear();
            events.clear();
            assertThat(catchThrowable(() -> wrapped.chat("q"))).as("the wrapper's policy").hasMessage("down 3");
            assertThat(logged).as("the logger, on each attempt").containsExactly("chat", "chat", "chat");
            assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).hasSize(3);
        }
        for (GuiceReach.SharedJob job : java.util.List.of(intercepted, provided, childs)) {
            GuiceReach.reset();
            logged.clear();
            assertThat(catchThrowable(() -> job.chat("q"))).as("the interceptor's policy").hasMessage("down 3");
            assertThat(logged).isEmpty();
        }
    }

    /** A woven class that calls its own policy method while Guice makes it (from an {@code @Inject} method). */
    public static class SelfCallingJob {
        private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        String warmUp;

        @com.google.inject.Inject
        void warmUp() {
            warmUp = catchThrowable(() -> work("warm-up")).getMessage();
        }

        @dev.rebound.annotations.Retry(attempts = 3, delay = 100, jitter = false)
        public String work(String task) {
            throw new IllegalStateException("down " + calls.incrementAndGet());
        }
    }

    /**
     * A call an instance makes on itself while the injector with ReboundModule makes it comes before its provision
     * marks it: its interceptor marks it first, so its woven advice steps aside on that call too (3 attempts, not
     * 9), for the first instance of the class as for the next ones, and for those a shared injector's interceptor
     * of its own covers the same methods of.
     */
    @Test
    void aCallAWovenInstanceMakesOnItselfWhileTheInjectorMakesItAppliesItsPolicyOnce() {
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        Injector with = Guice.createInjector(new ReboundModule());
        SelfCallingJob first = with.getInstance(SelfCallingJob.class);
        SelfCallingJob next = with.getInstance(SelfCallingJob.class);
        SelfCallingJob elsewhere = Guice.createInjector(new RetryLoggingModule(logged)).getInstance(SelfCallingJob.class);

        assertThat(elsewhere.getClass()).as("Guice's one subclass for both").isSameAs(first.getClass());
        assertThat(first.warmUp).as("3, not 3 x 3").isEqualTo("down 3");
        assertThat(next.warmUp).isEqualTo("down 3");
        assertThat(elsewhere.warmUp).as("its aspect's policy").isEqualTo("down 3");
        assertThat(logged).containsExactly("work");
    }

    /** A woven {@link SharedWovenJob} that hands out copies of itself (the same Guice subclass and chain). */
    public static class CopyableWovenJob implements Job, Cloneable {
        static final java.util.concurrent.atomic.AtomicInteger CALLS = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        @dev.rebound.annotations.Retry(attempts = 3, delay = 100, jitter = false)
        public String work(String task) {
            throw new IllegalStateException("down " + CALLS.incrementAndGet());
        }

        public CopyableWovenJob copy() {
            try {
                return (CopyableWovenJob) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * A copy ({@code clone()}) of an instance the injector with ReboundModule made runs the interceptor chain of the
     * instance it copies: its policy applies once, in that interceptor (3 attempts, 3 events, not 3 x 3 inside 3),
     * whether the copy is called before the instance it copies or after; a copy of an instance of an injector
     * without ReboundModule that shares Guice's subclass keeps its aspect's policy, inside one call of its logger.
     */
    @Test
    void aCopyOfAWovenInstanceTheInjectorWithReboundModuleMadeAppliesItsPolicyOnce() {
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        CopyableWovenJob made = Guice.createInjector(new ReboundModule()).getInstance(CopyableWovenJob.class);
        CopyableWovenJob copy = made.copy();
        CopyableWovenJob elsewhere = Guice.createInjector(new RetryLoggingModule(logged))
                .getInstance(CopyableWovenJob.class).copy();
        assertThat(java.util.List.of(copy, elsewhere)).extracting(job -> (Object) job.getClass())
                .as("Guice's one subclass for all").containsOnly(made.getClass());

        for (CopyableWovenJob job : java.util.List.of(copy, made, copy.copy())) {
            CopyableWovenJob.CALLS.set(0);
            events.clear();
            logged.clear();
            assertThat(catchThrowable(() -> job.work("t"))).as("the interceptor's policy alone").hasMessage("down 3");
            assertThat(CopyableWovenJob.CALLS.get()).as("3 attempts, not 3 x 3").isEqualTo(3);
            assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).as("attempt events")
                    .hasSize(3);
            assertThat(Rebound.wrap(Job.class, (Job) job).build()).isSameAs(job);
        }
        CopyableWovenJob.CALLS.set(0);
        events.clear();
        assertThat(catchThrowable(() -> elsewhere.work("t"))).as("its aspect's policy").hasMessage("down 3");
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).hasSize(3);
        assertThat(logged).as("the logger, once around the call").containsExactly("work");
    }

    /**
     * A copy of an instance (of a class javac alone compiled) that the injector with ReboundModule made is resilient
     * as that instance is, so {@code Rebound.wrap} returns it as it is (3 attempts, not 3 x 3); a copy of an
     * instance of an injector without ReboundModule that shares Guice's subclass is not, and is wrapped.
     */
    @Test
    void aCopyOfAnInstanceTheInjectorWithReboundModuleMadeIsResilientAndWrapReturnsItAsItIs() {
        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        GuiceReach.CopyableJob made = Guice.createInjector(new ReboundModule()).getInstance(GuiceReach.CopyableJob.class);
        GuiceReach.CopyableJob copy = made.copy();
        GuiceReach.CopyableJob elsewhere = Guice.createInjector(new RetryLoggingModule(logged))
                .getInstance(GuiceReach.CopyableJob.class).copy();
        assertThat(java.util.List.of(copy, elsewhere)).extracting(job -> (Object) job.getClass())
                .as("Guice's one subclass for all").containsOnly(made.getClass());

        assertThat(Rebound.isResilient(copy)).as("isResilient(copy)").isTrue();
        GuiceReach.Model wrapped = Rebound.wrap(GuiceReach.Model.class, copy).build();
        assertThat(wrapped).isSameAs(copy);
        GuiceReach.reset();
        assertThat(catchThrowable(() -> wrapped.chat("q"))).as("3 attempts, not 3 x 3").hasMessage("down 3");

        assertThat(Rebound.isResilient(elsewhere)).as("no door reached it").isFalse();
        GuiceReach.Model wrappedElsewhere = Rebound.wrap(GuiceReach.Model.class, elsewhere).build();
        GuiceReach.reset();
        logged.clear();
        assertThat(catchThrowable(() -> wrappedElsewhere.chat("q"))).as("the wrapper's policy").hasMessage("down 3");
        assertThat(logged).as("the logger, on each attempt").containsExactly("chat", "chat", "chat");
    }

    /** A woven class whose instance escapes while Guice makes it, then fails to be made. */
    public static class EscapingJob {
        static final java.util.concurrent.atomic.AtomicReference<EscapingJob> ESCAPED =
                new java.util.concurrent.atomic.AtomicReference<>();
        static final java.util.concurrent.atomic.AtomicInteger CALLS = new java.util.concurrent.atomic.AtomicInteger();

        @com.google.inject.Inject
        void start() {
            ESCAPED.set(this); // as a thread it starts, a scheduler it registers with, would hold it
            throw new IllegalStateException("not configured");
        }

        @dev.rebound.annotations.Retry(attempts = 3, delay = 100, jitter = false)
        public String work(String task) {
            throw new IllegalStateException("down " + CALLS.incrementAndGet());
        }
    }

    /**
     * An instance that another thread gets hold of while Guice makes it, and calls after Guice made it, runs its
     * interceptor, which applies the policy once (3 attempts, not 3 x 3), whether or not its provision ended and
     * marked it: here it never does (the instance's {@code @Inject} method fails once the instance escaped).
     */
    @Test
    void aWovenInstanceThatEscapesWhileTheInjectorMakesItAppliesItsPolicyOnceWhenCalledAfter() {
        assertThat(catchThrowable(() -> Guice.createInjector(new ReboundModule()).getInstance(EscapingJob.class)))
                .isInstanceOf(com.google.inject.ProvisionException.class);
        EscapingJob escaped = EscapingJob.ESCAPED.get();
        assertThat(escaped.getClass()).as("Guice's subclass").isNotEqualTo(EscapingJob.class);

        events.clear();
        assertThat(catchThrowable(() -> escaped.work("t"))).as("the interceptor's policy alone").hasMessage("down 3");
        assertThat(EscapingJob.CALLS.get()).as("3 attempts, not 3 x 3").isEqualTo(3);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).hasSize(3);
    }

    /**
     * An instance of a class javac alone compiled that hands itself to a registry from its constructor, which
     * makes what it gets resilient with {@code Rebound.wrap}, is resilient there already, while Guice makes it: the
     * registry keeps it as it is, and a call through it applies the policy once, in Guice's interceptor (3
     * attempts, not 3 x 3). An instance of the same generated subclass that an injector without ReboundModule makes
     * is not, and is wrapped (3 attempts, each through that injector's interceptor).
     */
    @Test
    void anUnwovenInstanceThatRegistersItselfFromItsConstructorIsResilientThereAndAppliesItsPolicyOnce() {
        RegisteringModel.reset(true, false);
        RegisteringModel made = Guice.createInjector(new ReboundModule()).getInstance(RegisteringModel.class);

        RegisteringModel.CALLS.set(0);
        catchThrowable(() -> RegisteringModel.registered.chat("q"));
        assertThat(RegisteringModel.CALLS.get()).as("3 attempts through what the registry made of it, not 3 x 3")
                .isEqualTo(3);
        assertThat(RegisteringModel.registered).as("the registry keeps it as it is").isSameAs(made);
        assertThat(RegisteringModel.resilientWhileMade).as("Rebound.isResilient(this) in its constructor").isTrue();

        java.util.List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        RegisteringModel.reset(true, false);
        RegisteringModel elsewhere = Guice.createInjector(new RetryLoggingModule(logged))
                .getInstance(RegisteringModel.class);
        assertThat(elsewhere.getClass()).as("Guice's one subclass for both").isSameAs(made.getClass());
        assertThat(RegisteringModel.resilientWhileMade).as("no door reached it").isFalse();
        assertThat(RegisteringModel.registered).as("wrapped").isNotSameAs(elsewhere);
        logged.clear();
        assertThat(catchThrowable(() -> RegisteringModel.registered.chat("q"))).as("the wrapper's policy")
                .hasMessage("down 3");
        assertThat(logged).as("the logger, on each attempt").containsExactly("chat", "chat", "chat");
    }

    /**
     * A Spring proxy whose fixed target is an instance of a class javac alone compiled, made in that instance's
     * constructor, before any instance of its class is marked (the first Guice makes), is resilient as the instance
     * is, by the interceptor chain the instance runs: the registry's {@code Rebound.wrap} returns the proxy as it is,
     * and a call through it applies the policy once, in Guice's interceptor (3 attempts, not 3 x 3).
     */
    @Test
    void aSpringProxyOfAnUnwovenInstanceMadeInItsConstructorBeforeAnyIsMarkedIsResilientAndAppliesItsPolicyOnce() {
        ProxiedRegisteringModel made = Guice.createInjector(new ReboundModule())
                .getInstance(ProxiedRegisteringModel.class);
        assertThat(ProxiedRegisteringModel.classMarkedWhileMade).as("the first instance of Guice's subclass")
                .isFalse();

        assertThat(ProxiedRegisteringModel.proxyResilientWhileMade).as("Rebound.isResilient(proxy) in its constructor")
                .isTrue();
        assertThat(ProxiedRegisteringModel.registered).as("the registry keeps it as it is")
                .isSameAs(ProxiedRegisteringModel.proxy);
        events.clear();
        ProxiedRegisteringModel.CALLS.set(0);
        assertThat(catchThrowable(() -> ProxiedRegisteringModel.registered.chat("q"))).hasMessage("down 3");
        assertThat(ProxiedRegisteringModel.CALLS.get()).as("3 attempts, not 3 x 3").isEqualTo(3);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).hasSize(3);
        assertThat(Rebound.isResilient(made)).isTrue();
    }

    /**
     * An instance of a class javac alone compiled that escapes while Guice makes it, whose provision then fails,
     * is resilient, and so is a copy of it, though no provision ever ended for them: {@code Rebound.wrap} returns
     * each as it is, and a call applies the policy once (3 attempts, not 3 x 3).
     */
    @Test
    void anUnwovenInstanceWhoseProvisionFailedAfterItEscapedAndItsCopyAreResilientAndApplyTheirPolicyOnce() {
        RegisteringModel.reset(false, true);
        assertThat(catchThrowable(() -> Guice.createInjector(new ReboundModule()).getInstance(RegisteringModel.class)))
                .isInstanceOf(com.google.inject.ProvisionException.class);
        RegisteringModel escaped = RegisteringModel.made;
        assertThat(escaped.getClass()).as("Guice's subclass").isNotEqualTo(RegisteringModel.class);

        for (RegisteringModel instance : java.util.List.of(escaped.copy(), escaped)) {
            assertThat(Rebound.isResilient(instance)).isTrue();
            GuiceReach.Model wrapped = Rebound.wrap(GuiceReach.Model.class, instance).build();
            assertThat(wrapped).isSameAs(instance);
            RegisteringModel.CALLS.set(0);
            assertThat(catchThrowable(() -> wrapped.chat("q"))).hasMessage("down 3");
            assertThat(RegisteringModel.CALLS.get()).as("3 attempts, not 3 x 3").isEqualTo(3);
        }
    }
}

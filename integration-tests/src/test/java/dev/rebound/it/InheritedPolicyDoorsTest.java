package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.rebound.it.plain.shapes.InheritedShapes;
import dev.rebound.it.plain.shapes.PlainAssistants;
import dev.rebound.it.woven.shapes.InheritedShapes.Assistant;
import dev.rebound.it.woven.shapes.InheritedShapes.Body;
import dev.rebound.it.woven.shapes.InheritedShapes.Editor;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A type-level policy applies to every public method callable through its type, inherited ones
 * included, through the Guice door ({@link InheritedShapes}, compiled by javac alone) and the woven door
 * ({@code woven.shapes.InheritedShapes}, compiled by ajc); where the woven door cannot apply it, the
 * class fails its initialisation naming the method and the fix.
 */
class InheritedPolicyDoorsTest extends VirtualTime {

    // ---- Guice: classes the injector constructs

    @Test
    void guiceAppliesAnInterfacesTypeLevelPolicyToAMethodItInherits() {
        Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(InheritedShapes.Chat.class).to(InheritedShapes.ChatImpl.class);
            }
        });
        InheritedShapes.ChatImpl impl = (InheritedShapes.ChatImpl) injector.getInstance(InheritedShapes.Chat.class);
        assertThat(catchThrowable(() -> impl.apply("x"))).isSameAs(impl.body.down);
        assertThat(impl.body.calls).isEqualTo(3);
    }

    @Test
    void guiceWrappingAnInterfaceBindingAppliesItsTypeLevelPolicyToAMethodItInherits() {
        InheritedShapes.ChatImpl impl = new InheritedShapes.ChatImpl();
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(InheritedShapes.Chat.class).toInstance(impl);
            }
        }));
        InheritedShapes.Chat chat = injector.getInstance(InheritedShapes.Chat.class);
        assertThat(catchThrowable(() -> chat.apply("x"))).isSameAs(impl.body.down);
        assertThat(impl.body.calls).isEqualTo(3);
    }

    @Test
    void guiceAppliesAClassLevelPolicyToAMethodInheritedFromAConcreteSuperclass() {
        InheritedShapes.Concrete concrete = Guice.createInjector(new ReboundModule())
                .getInstance(InheritedShapes.RetriedConcrete.class);
        assertThat(catchThrowable(() -> concrete.call("x"))).isSameAs(concrete.body.down);
        assertThat(concrete.body.calls).isEqualTo(3);
    }

    @Test
    void guiceAppliesAClassLevelPolicyToAMethodInheritedFromAnAbstractSuperclass() {
        InheritedShapes.AbstractBase base = Guice.createInjector(new ReboundModule())
                .getInstance(InheritedShapes.RetriedAbstractBase.class);
        assertThat(catchThrowable(() -> base.call("x"))).isSameAs(base.body.down);
        assertThat(base.body.calls).isEqualTo(3);
    }

    @Test
    void guiceAppliesAnAbstractClassesTypeLevelPolicyToItsLeaf() {
        Injector injector = Guice.createInjector(new ReboundModule());
        InheritedShapes.AnnotatedAbstractLeaf leaf = injector.getInstance(InheritedShapes.AnnotatedAbstractLeaf.class);
        assertThat(catchThrowable(() -> leaf.call("x"))).isSameAs(leaf.body.down);
        assertThat(leaf.body.calls).isEqualTo(3);
        InheritedShapes.FunctionLeaf fn = injector.getInstance(InheritedShapes.FunctionLeaf.class);
        assertThat(catchThrowable(() -> fn.apply("x"))).isSameAs(fn.body.down);
        assertThat(fn.body.calls).isEqualTo(3);
        InheritedShapes.AnnotatedAbstractOverConcreteLeaf over = injector.getInstance(
                InheritedShapes.AnnotatedAbstractOverConcreteLeaf.class);
        assertThat(catchThrowable(() -> over.call("x"))).isSameAs(over.body.down);
        assertThat(over.body.calls).isEqualTo(3);
    }

    @Test
    void guiceAppliesAClassLevelPolicyToADefaultMethodItInherits() {
        InheritedShapes.RetriedGreeter greeter = Guice.createInjector(new ReboundModule())
                .getInstance(InheritedShapes.RetriedGreeter.class);
        assertThat(catchThrowable(() -> greeter.greet("x"))).isSameAs(greeter.body().down);
        assertThat(greeter.body().calls).isEqualTo(3);
    }

    // ---- woven by ajc

    @Test
    void wovenAppliesAClassLevelPolicyToADefaultMethodItInherits() {
        var greeter = new dev.rebound.it.woven.shapes.InheritedShapes.RetriedGreeter();
        assertThat(catchThrowable(() -> greeter.greet("x"))).isSameAs(greeter.body().down);
        assertThat(greeter.body().calls).isEqualTo(3);
    }

    @Test
    void wovenWarnsOnceAboutInheritedDefaultMethodsAjcDidNotWeave() {
        var shapes = new Object() {
            dev.rebound.it.woven.shapes.InheritedShapes.RetriedFunction fn;
        };
        String log = StdErr.during(() -> shapes.fn = new dev.rebound.it.woven.shapes.InheritedShapes.RetriedFunction());
        assertThat(StdErr.count(log, "WARN")).isEqualTo(1);
        assertThat(log).contains("dev.rebound.it.woven.shapes.InheritedShapes$RetriedFunction: Function.andThen gets "
                + "@Retry; Function.compose gets @Retry; those default methods were not woven (the interface was "
                + "compiled without Rebound's aspect), so their policies apply only to the calls made to "
                + "RetriedFunction's own methods, not around the whole call. To apply it around the call, override "
                + "the method in RetriedFunction calling Iface.super.method(...); or, for a type-level annotation, "
                + "put it on the methods you mean");
        // what the warning says: the policy runs on the class's own method the default calls
        var fn = shapes.fn;
        assertThat(catchThrowable(() -> fn.andThen(s -> s).apply("x"))).isSameAs(fn.body.down);
        assertThat(fn.body.calls).isEqualTo(3);
        assertThat(StdErr.during(dev.rebound.it.woven.shapes.InheritedShapes.RetriedFunction::new)).isEmpty();
    }

    @Test
    void wovenAppliesADefaultMethodsPolicyOnALambdaWhoseOwnMethodStaysUnwoven() {
        var body = new dev.rebound.it.woven.shapes.InheritedShapes.Body();
        dev.rebound.it.woven.shapes.InheritedShapes.Task task = () -> {
            body.calls++;
            throw body.down;
        };

        Throwable[] thrown = new Throwable[1];
        String said = StdErr.during(() -> thrown[0] = catchThrowable(task::twice));

        assertThat(thrown[0]).isSameAs(body.down);
        assertThat(body.calls).as("attempts of twice(), each failing at its first run()").isEqualTo(3);
        assertThat(said).contains(task.getClass().getName() + " is a hidden class (a lambda's, a method reference's,"
                + " or one a bytecode generator defined), which is never woven: run gets @Retry, so that policy does"
                + " not apply to its own method (a woven default method it inherits still applies its own). Wrap the"
                + " object with Rebound.wrap to apply it");
        body.calls = 0;
        assertThat(StdErr.during(() -> thrown[0] = catchThrowable(task::run))).as("said once").isEmpty();
        assertThat(thrown[0]).as("the lambda's own run(), never woven").isSameAs(body.down);
        assertThat(body.calls).isEqualTo(1);
    }

    @Test
    void wovenSaysAHiddenClassesOwnPolicyCannotApplyAndRunsItsWovenDefaultUnderItsOwn() throws Exception {
        byte[] bytes;
        try (java.io.InputStream in = dev.rebound.it.plain.shapes.HiddenGreeter.class
                .getResourceAsStream("HiddenGreeter.class")) {
            bytes = in.readAllBytes();
        }
        Class<?> hidden = dev.rebound.it.plain.shapes.HiddenGreeter.lookup().defineHiddenClass(bytes, true).lookupClass();
        var greeter = (dev.rebound.it.woven.shapes.InheritedShapes.HiddenGreeting) hidden.getConstructor().newInstance();
        Object down = hidden.getField("DOWN").get(null); // the hidden class's own statics

        Throwable[] thrown = new Throwable[1];
        String said = StdErr.during(() -> thrown[0] = catchThrowable(greeter::greet));

        assertThat(thrown[0]).isSameAs(down);
        assertThat(hidden.getField("calls").getInt(null)).as("greet()'s two attempts, one name() each").isEqualTo(2);
        assertThat(said).contains(hidden.getName() + " is a hidden class (a lambda's, a method reference's, or one a"
                + " bytecode generator defined), which is never woven: name gets @Retry, so that policy does not"
                + " apply to its own method");
        assertThat(StdErr.during(() -> catchThrowable(greeter::name))).as("said once per class").isEmpty();
        assertThat(hidden.getField("calls").getInt(null)).as("name() called directly: one call").isEqualTo(3);
    }

    // ---- a class compiled by javac alone over an interface ajc wove (an API module built with rebound-weaver)

    private static final String UNWOVEN = " was not woven (compiled without Rebound's aspect, or loaded outside the"
            + " load-time weaving scope): ";

    @Test
    void wovenAppliesAnInheritedDefaultMethodsPolicyOnAJavacClassAndSaysOnceItsOwnMethodsPolicyDoesNot() {
        var plain = new PlainAssistants.PlainAssistant();
        Throwable[] thrown = new Throwable[1];

        String said = StdErr.during(() -> thrown[0] = catchThrowable(() -> plain.summarize("t")));

        assertThat(thrown[0]).as("no configuration error: the body's own failure").isSameAs(plain.body.down);
        assertThat(plain.body.calls).as("summarize's attempts, under its woven policy").isEqualTo(3);
        assertThat(StdErr.count(said, "was not woven")).isEqualTo(1);
        assertThat(said).contains(PlainAssistants.PlainAssistant.class.getName() + UNWOVEN + "chat gets @Retry, so"
                + " that policy does not apply to its own method (a woven default method it inherits still applies"
                + " its own). Weave the class, or call the object through Rebound.wrap or Guice's ReboundModule,"
                + " which apply it");
        // what it says: chat runs as it is; said once per class
        assertThat(StdErr.during(() -> thrown[0] = catchThrowable(() -> plain.chat("c")))).isEmpty();
        assertThat(thrown[0]).isSameAs(plain.chatDown);
        assertThat(plain.chats).isEqualTo(1);
        plain.body.calls = 0;
        assertThat(StdErr.during(() -> catchThrowable(() -> plain.summarize("t")))).doesNotContain("was not woven");
        assertThat(plain.body.calls).isEqualTo(3);
    }

    @Test
    void wrapAppliesAnInheritedWovenDefaultMethodsPolicyOnceOnAJavacClassAndHasNothingToSay() {
        var target = new PlainAssistants.WrappedAssistant();
        var wrapped = Rebound.wrap(dev.rebound.it.woven.shapes.InheritedShapes.Assistant.class, target).build();
        Throwable[] thrown = new Throwable[2];

        String said = StdErr.during(() -> {
            thrown[0] = catchThrowable(() -> wrapped.summarize("t"));
            thrown[1] = catchThrowable(() -> wrapped.chat("c"));
        });

        assertThat(thrown[0]).isSameAs(target.body.down);
        assertThat(target.body.calls).as("the wrapper's 3 attempts, the woven advice inside applying none")
                .isEqualTo(3);
        assertThat(thrown[1]).isSameAs(target.chatDown);
        assertThat(target.chats).as("the wrapper applies chat's policy").isEqualTo(3);
        assertThat(said).doesNotContain("was not woven");
        // the class's first call no door makes says it
        target.body.calls = 0;
        said = StdErr.during(() -> thrown[0] = catchThrowable(() -> target.summarize("t")));
        assertThat(thrown[0]).isSameAs(target.body.down);
        assertThat(target.body.calls).isEqualTo(3);
        assertThat(said).contains(PlainAssistants.WrappedAssistant.class.getName() + UNWOVEN + "chat gets @Retry");
    }

    @Test
    void guiceAppliesAnInheritedWovenDefaultMethodsPolicyOnceOnAJavacClassAndHasNothingToSay() {
        var made = new PlainAssistants.GuicedAssistant();
        Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(dev.rebound.it.woven.shapes.InheritedShapes.Assistant.class).to(PlainAssistants.GuicedAssistant.class);
            }
        });
        var intercepted = (PlainAssistants.GuicedAssistant) injector.getInstance(dev.rebound.it.woven.shapes.InheritedShapes.Assistant.class);
        dev.rebound.it.woven.shapes.InheritedShapes.Assistant provided = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(dev.rebound.it.woven.shapes.InheritedShapes.Assistant.class).toInstance(made);
            }
        })).getInstance(dev.rebound.it.woven.shapes.InheritedShapes.Assistant.class);
        Throwable[] thrown = new Throwable[2];

        String said = StdErr.during(() -> {
            thrown[0] = catchThrowable(() -> intercepted.summarize("t"));
            thrown[1] = catchThrowable(() -> provided.summarize("t"));
        });

        assertThat(thrown[0]).isSameAs(intercepted.body.down);
        assertThat(intercepted.body.calls).as("the interceptor's 3 attempts, the woven advice applying none")
                .isEqualTo(3);
        assertThat(thrown[1]).isSameAs(made.body.down);
        assertThat(made.body.calls).as("the toInstance wrapper's 3 attempts").isEqualTo(3);
        assertThat(said).doesNotContain("was not woven");
        made.body.calls = 0;
        said = StdErr.during(() -> catchThrowable(() -> made.summarize("t")));
        assertThat(made.body.calls).isEqualTo(3);
        assertThat(said).contains(PlainAssistants.GuicedAssistant.class.getName() + UNWOVEN + "chat gets @Retry");
    }

    /**
     * A javac override that calls the woven default through {@code Assistant.super}: the override is never
     * woven, and the super call runs as it is (its policy is the override's), as for a woven class's
     * super call; the door applies the override's policy once.
     */
    @Test
    void aJavacOverrideCallingAWovenDefaultThroughIfaceSuperRunsOnceUnderWrapsPolicyAndAsItIsAlone() {
        var target = new PlainAssistants.SuperCallingAssistant();
        var wrapped = Rebound.wrap(dev.rebound.it.woven.shapes.InheritedShapes.Assistant.class, target).build();
        Throwable[] thrown = new Throwable[1];

        String said = StdErr.during(() -> thrown[0] = catchThrowable(() -> wrapped.summarize("t")));

        assertThat(thrown[0]).isSameAs(target.body.down);
        assertThat(target.body.calls).as("the wrapper's 3 attempts, each one call of the default").isEqualTo(3);
        assertThat(said).doesNotContain("was not woven");

        target.body.calls = 0;
        said = StdErr.during(() -> thrown[0] = catchThrowable(() -> target.summarize("t")));
        assertThat(thrown[0]).as("no configuration error at the call").isSameAs(target.body.down);
        assertThat(target.body.calls).as("the override alone: never woven").isEqualTo(1);
        assertThat(said).contains(PlainAssistants.SuperCallingAssistant.class.getName() + UNWOVEN + "chat gets"
                + " @Retry; summarize gets @Retry, so those policies do not apply to its own methods (a woven default"
                + " method it inherits still applies its own). Weave the class, or call the object through"
                + " Rebound.wrap or Guice's ReboundModule, which apply them");
    }

    /**
     * What a door outside is given in front of an object of a class javac alone compiled: something that hands
     * each call to it, whose own class overrides the woven default.
     */
    enum InFront {
        /** A Spring JDK proxy by the interface alone, over a fixed target: it says the instance behind it. */
        SPRING_JDK_PROXY,
        /**
         * A Spring JDK proxy whose target source makes the target per call (a prototype's): it says the class of the
         * instances behind it.
         */
        SPRING_TARGET_PER_CALL,
        /** A JDK proxy of the application's, which says nothing of what it calls. */
        OWN_JDK_PROXY,
        /**
         * A client proxy (Quarkus ArC's marker) of a bean whose type is the interface, written without weaving, that
         * says nothing of what it calls either.
         */
        CLIENT_PROXY,
        /** An application's class that delegates every method. */
        DECORATOR;

        Assistant over(Assistant target) {
            java.lang.reflect.InvocationHandler handOn = (proxy, method, args) -> {
                try {
                    return method.invoke(target, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            switch (this) {
                case SPRING_JDK_PROXY:
                case SPRING_TARGET_PER_CALL:
                    org.springframework.aop.framework.ProxyFactory factory =
                            new org.springframework.aop.framework.ProxyFactory(target);
                    if (this == SPRING_TARGET_PER_CALL) {
                        factory.setTargetSource(new org.springframework.aop.TargetSource() {
                            @Override
                            public Class<?> getTargetClass() {
                                return target.getClass();
                            }

                            @Override
                            public boolean isStatic() {
                                return false;
                            }

                            @Override
                            public Object getTarget() {
                                return target;
                            }

                            @Override
                            public void releaseTarget(Object released) {
                            }
                        });
                    }
                    factory.setInterfaces(Assistant.class);
                    factory.addAdvice((org.aopalliance.intercept.MethodInterceptor) invocation -> invocation.proceed());
                    return (Assistant) factory.getProxy();
                case OWN_JDK_PROXY:
                    return (Assistant) java.lang.reflect.Proxy.newProxyInstance(Assistant.class.getClassLoader(),
                            new Class<?>[] {Assistant.class}, handOn);
                case CLIENT_PROXY:
                    return Generators.arcClientProxy(Assistant.class, handOn);
                default:
                    return new PlainAssistants.DelegatingAssistant(target);
            }
        }
    }

    /**
     * {@code door}'s summarize fails with {@code body}'s exception after 3 attempts, each one call of {@code body},
     * and the events report 3 failed attempts: the policy applied once.
     */
    private void assertSummarizeAppliesItsPolicyOnce(Assistant door, Body body) {
        events.clear();
        assertThat(catchThrowable(() -> door.summarize("t"))).isSameAs(body.down);
        assertThat(body.calls).as("the door's 3 attempts, each one call of the default").isEqualTo(3);
        assertThat(events).filteredOn(e -> e.kind() == dev.rebound.runtime.ReboundEvent.Kind.ATTEMPT_FAILED)
                .hasSize(3);
    }

    /** The door's mark is for the instance behind a proxy that says it (or for the instances of the class it says). */
    private static final String SAYS_WHAT_IS_BEHIND = "SPRING_.*";

    private static final String NESTED = "Nested retries: Assistant.summarize(String) (3 attempts) calls"
            + " Assistant.summarize(String) (3 attempts), so one call of Assistant.summarize(String) can make up to 9"
            + " attempts of Assistant.summarize(String)";

    /**
     * A Spring proxy whose fixed target is swapped ({@code Advised.setTargetSource}) after a door was built over it:
     * the door reads the instance behind the proxy at each call, so the new target's woven default steps aside for the
     * door's mark and the policy applies once to it too (before this version the mark named the instance behind the
     * proxy when the door was built, and the new target's advice applied the policy again: 3 x 3 attempts).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Rebound.wrap", "ReboundModule.wrapping"})
    void throughADoorOverASpringProxyWhoseFixedTargetIsSwappedTheNewTargetsDefaultAppliesItsPolicyOnce(String door) {
        var first = new PlainAssistants.SwappedAssistant();
        var second = new PlainAssistants.SwappedAssistant();
        Assistant proxy = InFront.SPRING_JDK_PROXY.over(first);
        Assistant wrapped = door.equals("Rebound.wrap") ? Rebound.wrap(Assistant.class, proxy).build()
                : wrappedByGuice(proxy);
        assertSummarizeAppliesItsPolicyOnce(wrapped, first.body);

        ((org.springframework.aop.framework.Advised) proxy).setTargetSource(
                new org.springframework.aop.target.SingletonTargetSource(second));

        assertSummarizeAppliesItsPolicyOnce(wrapped, second.body);
        assertThat(first.body.calls).as("the first target, no longer called").isEqualTo(3);
    }

    /**
     * {@code Rebound.wrap} over a container's proxy that says what it hands each call to, a javac class that inherits
     * the woven default: the wrapper applies the policy, and the default's advice, on that instance behind, takes the
     * wrapper's mark and applies none (before this version, a mark on the proxy alone: 3 x 3 attempts).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = InFront.class, names = SAYS_WHAT_IS_BEHIND,
            mode = org.junit.jupiter.params.provider.EnumSource.Mode.MATCH_ALL)
    void throughWrapOverAProxyOfAJavacClassAnInheritedWovenDefaultAppliesItsPolicyOnce(InFront inFront) {
        var target = new PlainAssistants.ProxiedAssistant();
        assertSummarizeAppliesItsPolicyOnce(Rebound.wrap(Assistant.class, inFront.over(target)).build(), target.body);
    }

    /** The same through {@code ReboundModule.wrapping(...)}, which provides the proxy bound as an instance wrapped. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = InFront.class, names = SAYS_WHAT_IS_BEHIND,
            mode = org.junit.jupiter.params.provider.EnumSource.Mode.MATCH_ALL)
    void throughGuiceWrappingOverAProxyOfAJavacClassAnInheritedWovenDefaultAppliesItsPolicyOnce(InFront inFront) {
        var target = new PlainAssistants.ProxiedAssistant();
        assertSummarizeAppliesItsPolicyOnce(wrappedByGuice(inFront.over(target)), target.body);
    }

    /** What {@code ReboundModule.wrapping(...)} provides for {@code bound}, bound as an instance. */
    private static Assistant wrappedByGuice(Assistant bound) {
        return Doors.wrappedByGuice(Assistant.class, bound);
    }

    /**
     * {@code door}'s summarize fails with {@code body}'s exception after 3 attempts, each a call of an object whose
     * own door applies the same policy again: 9 calls of {@code body}. Returns what was said meanwhile.
     */
    private static String assertBothPoliciesApply(Assistant door, Body body) {
        String said = StdErr.during(() -> assertThat(catchThrowable(() -> door.summarize("t"))).isSameAs(body.down));

        assertThat(body.calls).as("the door's 3 attempts, each the 3 of the instance behind").isEqualTo(9);
        return said;
    }

    /**
     * The reference: {@code Rebound.wrap} over a decorator of a class ajc wove applies the decorator's policy, and
     * the woven class its own, a nested retry named once at WARN (once per inner class: each test its own).
     */
    @Test
    void throughWrapOverADecoratorOfAWovenClassBothPoliciesApplyAndTheNestingIsSaid() {
        var target = new dev.rebound.it.woven.shapes.InheritedShapes.DecoratedWovenAssistant();
        String said = assertBothPoliciesApply(
                Rebound.wrap(Assistant.class, new PlainAssistants.DelegatingAssistant(target)).build(), target.body);

        assertThat(StdErr.count(said, NESTED)).as(said).isEqualTo(1);
    }

    /**
     * The same over a decorator of a javac class that inherits the woven default: the door's mark is for the object
     * it calls alone, so the default's advice on the instance behind applies its policy, as behind a decorator of a
     * woven class: 3 x 3 attempts, the nesting named once (before this version that advice took the mark, on
     * whichever instance it ran, and so did any other object the call consulted, which then ran without its policy).
     */
    @Test
    void throughWrapOverADecoratorOfAJavacClassBothPoliciesApplyAndTheNestingIsSaid() {
        var target = new PlainAssistants.DecoratedAssistant();
        String said = assertBothPoliciesApply(
                Rebound.wrap(Assistant.class, new PlainAssistants.DelegatingAssistant(target)).build(), target.body);

        assertThat(StdErr.count(said, NESTED)).as(said).isEqualTo(1);
    }

    /**
     * The same over anything that says nothing of the object it hands each call to (an application's JDK proxy or
     * decorator), through {@code Rebound.wrap} and {@code ReboundModule.wrapping(...)}.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = InFront.class, names = SAYS_WHAT_IS_BEHIND,
            mode = org.junit.jupiter.params.provider.EnumSource.Mode.MATCH_NONE)
    void throughADoorOverWhatSaysNothingOfAJavacClassBehindBothPoliciesApply(InFront inFront) {
        var target = new PlainAssistants.ProxiedAssistant();
        assertBothPoliciesApply(Rebound.wrap(Assistant.class, inFront.over(target)).build(), target.body);
        var bound = new PlainAssistants.ProxiedAssistant();
        assertBothPoliciesApply(wrappedByGuice(inFront.over(bound)), bound.body);
    }

    /**
     * An override that calls the woven default with {@code Assistant.super}, behind something that hands it each
     * call: the default's advice applies no policy on an instance whose class overrides it (a super call runs
     * under the override's), so the wrapper's applies once, as over the object itself.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(InFront.class)
    void throughWrapOverAProxyOfAJavacOverrideCallingAWovenDefaultThroughIfaceSuperItsPolicyAppliesOnce(
            InFront inFront) {
        var target = new PlainAssistants.ProxiedSuperCallingAssistant();
        assertSummarizeAppliesItsPolicyOnce(Rebound.wrap(Assistant.class, inFront.over(target)).build(), target.body);
    }

    /** Another assistant that a javac override consults inside a door's call, before its {@code Assistant.super}. */
    enum Consulted {
        /** A javac class that inherits the woven default: its advice applies the policy. */
        JAVAC,
        /** A class ajc wove that inherits it. */
        WOVEN,
        /** A javac class Guice intercepts ({@code ReboundModule}). */
        GUICE;

        Assistant make() {
            switch (this) {
                case JAVAC:
                    return new PlainAssistants.ConsultedAssistant();
                case WOVEN:
                    return new dev.rebound.it.woven.shapes.InheritedShapes.WovenAssistant();
                default:
                    return Guice.createInjector(new ReboundModule()).getInstance(PlainAssistants.ConsultedAssistant.class);
            }
        }
    }

    /**
     * Each of {@code door}'s 3 attempts of {@code target}'s summarize consults {@code consulted}, whose own policy
     * applies there as it does directly (3 attempts), and then runs the default once: 3 calls of the target's body,
     * 9 of the consulted one's. The door's mark is the target's: another instance's door does not take it.
     */
    private static void assertTheConsultedAssistantKeepsItsPolicy(Assistant door,
            PlainAssistants.ConsultingAssistant target, Assistant consulted) {
        assertThat(catchThrowable(() -> door.summarize("t"))).isSameAs(target.body.down);
        assertThat(target.consultations).as("the door's 3 attempts, each one consultation").isEqualTo(3);
        assertThat(target.body.calls).as("each attempt runs the default once").isEqualTo(3);
        assertThat(consulted.body().calls).as("each consultation under its own @Retry(attempts = 3)").isEqualTo(9);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Consulted.class)
    void directlyAJavacOverrideConsultsAnotherAssistantUnderItsOwnPolicy(Consulted kind) {
        Assistant consulted = kind.make();
        var target = new PlainAssistants.ConsultingAssistant(consulted);

        assertThat(catchThrowable(() -> target.summarize("t"))).isSameAs(target.body.down);
        assertThat(target.body.calls).as("the override alone: never woven").isEqualTo(1);
        assertThat(consulted.body().calls).as("its own @Retry(attempts = 3)").isEqualTo(3);
    }

    /**
     * {@code Rebound.wrap} over a javac override of the woven default that consults another assistant before it
     * calls {@code Assistant.super}: the wrapper's mark is for the target's own call of the default, so the other
     * assistant's door (its woven default's advice, the woven class's, Guice's interceptor) applies its policy
     * (before this version it took the mark: 3 consultations in all, for 9).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Consulted.class)
    void throughWrapAJavacOverrideConsultingAnotherAssistantLeavesItItsOwnPolicy(Consulted kind) {
        Assistant consulted = kind.make();
        var target = new PlainAssistants.ConsultingAssistant(consulted);

        assertTheConsultedAssistantKeepsItsPolicy(Rebound.wrap(Assistant.class, target).build(), target, consulted);
    }

    /** The same through {@code ReboundModule.wrapping(...)}, which provides the instance bound wrapped. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Consulted.class)
    void throughGuiceWrappingAJavacOverrideConsultingAnotherAssistantLeavesItItsOwnPolicy(Consulted kind) {
        Assistant consulted = kind.make();
        var target = new PlainAssistants.ConsultingAssistant(consulted);
        assertTheConsultedAssistantKeepsItsPolicy(wrappedByGuice(target), target, consulted);
    }

    /**
     * The override's own {@code Assistant.super} call then takes the wrapper's mark: nothing is said of its class,
     * whose policies the wrapper applies (before this version the consulted assistant took the mark, and the
     * override's class was said to go without its policies).
     */
    @Test
    void throughWrapAJavacOverrideConsultingAnotherAssistantIsNotSaidToGoWithoutItsPolicies() {
        var target = new PlainAssistants.SaidConsultingAssistant(Consulted.WOVEN.make());
        Assistant door = Rebound.wrap(Assistant.class, target).build();

        String said = StdErr.during(() -> catchThrowable(() -> door.summarize("t")));

        assertThat(target.body.calls).isEqualTo(3);
        assertThat(said).doesNotContain(PlainAssistants.SaidConsultingAssistant.class.getName() + UNWOVEN);
    }

    /**
     * A javac override of one woven default ({@code draft}, no {@code Writer.super}) that calls another
     * ({@code polish}) on itself: directly, polish runs under its own policy; through a door, the door's mark
     * for draft is draft's alone, so polish, which no door called, keeps its policy there too.
     */
    @Test
    void aJavacOverrideCallingAnotherWovenDefaultOnItselfRunsItUnderItsOwnPolicy() {
        var target = new PlainAssistants.OverridingWriter();

        Throwable thrown = catchThrowable(() -> target.draft("t"));

        assertThat(thrown).isSameAs(target.body.down);
        assertThat(target.drafts).isEqualTo(1);
        assertThat(target.body.calls).as("polish's own @Retry(attempts = 3), woven").isEqualTo(3);
    }

    @Test
    void throughWrapAJavacOverridesCallOfAnotherWovenDefaultKeepsThatDefaultsPolicy() {
        var target = new PlainAssistants.WrappedWriter();
        assertEachDraftAttemptPolishesUnderPolishsOwnPolicy(target,
                Rebound.wrap(dev.rebound.it.woven.shapes.InheritedShapes.Writer.class, target).build());
    }

    @Test
    void throughGuiceWrappingAJavacOverridesCallOfAnotherWovenDefaultKeepsThatDefaultsPolicy() {
        var target = new PlainAssistants.GuicedWriter();
        assertEachDraftAttemptPolishesUnderPolishsOwnPolicy(target, Guice.createInjector(ReboundModule.wrapping(
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(dev.rebound.it.woven.shapes.InheritedShapes.Writer.class).toInstance(target);
                    }
                })).getInstance(dev.rebound.it.woven.shapes.InheritedShapes.Writer.class));
    }

    /** {@code door}'s draft, over {@code target}: draft's 2 attempts, each calling polish under its own 3. */
    private static void assertEachDraftAttemptPolishesUnderPolishsOwnPolicy(PlainAssistants.OverridingWriter target,
            dev.rebound.it.woven.shapes.InheritedShapes.Writer door) {
        Throwable[] thrown = new Throwable[1];

        String said = StdErr.during(() -> thrown[0] = catchThrowable(() -> door.draft("t")));

        assertThat(thrown[0]).isSameAs(target.body.down);
        assertThat(target.drafts).as("draft's 2 attempts, applied by the door").isEqualTo(2);
        assertThat(target.body.calls).as("each draft attempt calls polish, under polish's own 3 attempts")
                .isEqualTo(6);
        assertThat(said).as("the door applies draft's policy: nothing to say").doesNotContain("was not woven");
    }

    /** How many attempts of {@code method} failed, by the events. */
    private long attemptsFailed(String method) {
        return events.stream().filter(e -> e.kind() == dev.rebound.runtime.ReboundEvent.Kind.ATTEMPT_FAILED
                && e.method().equals(method)).count();
    }

    /**
     * {@code door}'s draft over {@code target}, whose class was never woven and inherits the woven defaults draft and
     * polish: draft's 2 attempts, the door's, each calling polish on the target under polish's own 3, each one of
     * {@code edits}, failing; nothing said of the class, whose policies the door applies (before this version polish's
     * advice, run after draft's had taken the door's mark, said the class went without them). Then, the door's call
     * over (by that failure), the first call no door makes says it, once: {@code saidAlone}, then what edit goes
     * without.
     */
    private void assertADoorsWovenDefaultCallingAnotherOnItselfSaysNothingOfTheClass(Editor door, Editor target,
            PlainAssistants.Edits edits, String saidAlone) {
        events.clear();
        Throwable[] thrown = new Throwable[1];

        String said = StdErr.during(() -> thrown[0] = catchThrowable(() -> door.draft("t")));

        assertThat(thrown[0]).isSameAs(edits.down);
        assertThat(attemptsFailed("Editor.draft(String)")).as("draft's 2 attempts, the door's").isEqualTo(2);
        assertThat(attemptsFailed("Editor.polish(String)")).as("each calling polish under its own 3").isEqualTo(6);
        assertThat(edits.count).as("one edit per polish attempt").isEqualTo(6);
        assertThat(said).doesNotContain(" was not woven", " is a hidden class");
        assertThat(dev.rebound.runtime.spi.Passthrough.pending()).as("nothing of the door's call left").isFalse();

        said = StdErr.during(() -> thrown[0] = catchThrowable(() -> target.draft("t")));

        assertThat(thrown[0]).isSameAs(edits.down);
        assertThat(edits.count).as("the defaults' own advice: 2 x 3 more").isEqualTo(12);
        assertThat(StdErr.count(said, saidAlone + "edit gets @Retry, so that policy does not apply to its own method"))
                .as(said).isEqualTo(1);
    }

    @Test
    void throughWrapAWovenDefaultCallingAnotherOnAJavacClassSaysNothingOfTheClass() {
        var target = new PlainAssistants.WrappedEditor();
        assertADoorsWovenDefaultCallingAnotherOnItselfSaysNothingOfTheClass(Rebound.wrap(Editor.class, target).build(),
                target, target.edits, target.getClass().getName() + UNWOVEN);
    }

    @Test
    void throughGuiceWrappingAWovenDefaultCallingAnotherOnAJavacClassSaysNothingOfTheClass() {
        var target = new PlainAssistants.GuicedEditor();
        assertADoorsWovenDefaultCallingAnotherOnItselfSaysNothingOfTheClass(Doors.wrappedByGuice(Editor.class, target),
                target, target.edits, target.getClass().getName() + UNWOVEN);
    }

    /** What is said of {@code lambda}'s class at the first call of a woven default on it that no door makes. */
    private static String hiddenClass(Editor lambda) {
        return lambda.getClass().getName() + " is a hidden class (a lambda's, a method reference's, or one a bytecode"
                + " generator defined), which is never woven: ";
    }

    @Test
    void throughWrapAWovenDefaultCallingAnotherOnALambdaSaysNothingOfItsHiddenClass() {
        var edits = new PlainAssistants.Edits();
        Editor lambda = edits::edit;
        assertADoorsWovenDefaultCallingAnotherOnItselfSaysNothingOfTheClass(Rebound.wrap(Editor.class, lambda).build(),
                lambda, edits, hiddenClass(lambda));
    }

    @Test
    void throughGuiceWrappingAWovenDefaultCallingAnotherOnALambdaSaysNothingOfItsHiddenClass() {
        var edits = new PlainAssistants.Edits();
        Editor lambda = edits::edit; // a hidden class of its own: what is said of it is said once
        assertADoorsWovenDefaultCallingAnotherOnItselfSaysNothingOfTheClass(Doors.wrappedByGuice(Editor.class, lambda),
                lambda, edits, hiddenClass(lambda));
    }

    @Test
    void wovenSaysNothingAboutDefaultMethodsAjcWove() {
        String log = StdErr.during(dev.rebound.it.woven.shapes.InheritedShapes.QuietGreeter::new);
        assertThat(log).doesNotContain("not woven");
    }

    @Test
    void wovenAppliesAnInterfacesTypeLevelPolicyToAMethodItInherits() {
        dev.rebound.it.woven.shapes.InheritedShapes.ChatImpl impl = new dev.rebound.it.woven.shapes.InheritedShapes.ChatImpl();
        assertThat(catchThrowable(() -> impl.apply("x"))).isSameAs(impl.body.down);
        assertThat(impl.body.calls).isEqualTo(3);
    }

    @Test
    void wovenAppliesAClassLevelPolicyToAMethodInheritedFromAnAbstractSuperclass() {
        var base = new dev.rebound.it.woven.shapes.InheritedShapes.RetriedAbstractBase();
        assertThat(catchThrowable(() -> base.call("x"))).isSameAs(base.body.down);
        assertThat(base.body.calls).isEqualTo(3);
    }

    @Test
    void wovenAppliesAnInterfacesPolicyToTheGenericSuperclassMethodJavacsBridgeCalls() {
        var chat = new dev.rebound.it.woven.shapes.InheritedShapes.GenericViaInterface();
        dev.rebound.it.woven.shapes.InheritedShapes.GenericChat viaInterface = chat;
        assertThat(catchThrowable(() -> viaInterface.call("x"))).isSameAs(chat.body.down);
        assertThat(chat.body.calls).as("attempts through GenericChat.call(String), the bridge").isEqualTo(3);
        dev.rebound.it.woven.shapes.InheritedShapes.AbstractGeneric<String> viaSuperclass = chat;
        assertThat(catchThrowable(() -> viaSuperclass.call("x"))).isSameAs(chat.body.down);
        assertThat(chat.body.calls).as("attempts through AbstractGeneric.call(Object), the same body").isEqualTo(6);
    }

    @Test
    void wovenAppliesAnAbstractClassesTypeLevelPolicyToItsLeaf() {
        var leaf = new dev.rebound.it.woven.shapes.InheritedShapes.AnnotatedAbstractLeaf();
        assertThat(catchThrowable(() -> leaf.call("x"))).isSameAs(leaf.body.down);
        assertThat(leaf.body.calls).isEqualTo(3);
        var fn = new dev.rebound.it.woven.shapes.InheritedShapes.FunctionLeaf();
        assertThat(catchThrowable(() -> fn.apply("x"))).isSameAs(fn.body.down);
        assertThat(fn.body.calls).isEqualTo(3);
    }

    @Test
    void wovenRefusesAClassLevelPolicyOverAnUnwovenConcreteSuperclassesMethod() {
        assertRefused(dev.rebound.it.woven.shapes.InheritedShapes.RetriedConcrete::new, "RetriedConcrete");
    }

    @Test
    void wovenRefusesAnAbstractClassesPolicyOverAnUnwovenConcreteSuperclassesMethod() {
        assertRefused(dev.rebound.it.woven.shapes.InheritedShapes.AnnotatedAbstractOverConcreteLeaf::new,
                "AnnotatedAbstractOverConcrete"); // its superclass initialises first
    }

    @Test
    void wovenRefusesAPolicyOverAMethodInheritedFromAnAbstractClassAjcDidNotWeave() {
        assertRefusedWith(dev.rebound.it.woven.shapes.InheritedShapes.LibraryBacked::new,
                "LibraryChat.chat(String): LibraryBacked runs LibraryClient.chat, which was not woven (LibraryClient "
                + "was compiled or loaded without Rebound's aspect: a library's class built by javac, or one outside "
                + "the load-time weaving scope), so its @Retry would not apply; override chat in LibraryBacked "
                + "(calling super)");
    }

    @Test
    void wovenRefusesAPolicyOfAMethodInheritedFromAnAnnotatedClassAjcDidNotWeave() {
        assertRefusedWith(dev.rebound.it.woven.shapes.InheritedShapes.AnnotatedLibraryBacked::new,
                "AnnotatedLibraryClient.chat(String): AnnotatedLibraryBacked runs AnnotatedLibraryClient.chat, which "
                + "was not woven (AnnotatedLibraryClient was compiled or loaded without Rebound's aspect: a library's "
                + "class built by javac, or one outside the load-time weaving scope), so its @Retry would not apply; "
                + "override chat in AnnotatedLibraryBacked (calling super)");
    }

    @Test
    void wovenAppliesThePolicyToAnOverrideCallingAnUnwovenAbstractClassesMethod() {
        var overriding = new dev.rebound.it.woven.shapes.InheritedShapes.LibraryBackedOverriding();
        assertThat(catchThrowable(() -> overriding.chat("x"))).isSameAs(overriding.down);
        assertThat(overriding.calls).isEqualTo(3);
    }

    private static void assertRefused(Supplier<?> make, String type) {
        Throwable thrown = catchThrowable(make::get);
        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(thrown.getCause()).isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("Concrete.call(String): " + type + " runs Concrete.call, which was not woven")
                .hasMessageContaining("so its @Retry would not apply; override call in " + type + " (calling super), or make Concrete abstract");
    }

    /** {@code make} fails its class's initialisation with exactly {@code problem}. */
    private static void assertRefusedWith(Supplier<?> make, String problem) {
        Throwable thrown = catchThrowable(make::get);
        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(thrown.getCause()).isInstanceOf(ReboundConfigurationException.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems()).containsExactly(problem);
    }
}

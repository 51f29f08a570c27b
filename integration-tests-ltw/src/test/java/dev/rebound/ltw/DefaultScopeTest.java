package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.ltw.app.Chat;
import dev.rebound.ltw.app.LibraryBacked;
import dev.rebound.ltw.app.Models;
import dev.rebound.ltw.generated.AnsweringChatBean;
import dev.rebound.ltw.generated.Copier;
import dev.rebound.ltw.generated.Copier$MockitoMock$12;
import dev.rebound.ltw.generated.Copier_$$_jvst1a_0;
import dev.rebound.ltw.generated.RetriedChat;
import dev.rebound.ltw.generated.RetriedChatBean;
import dev.rebound.ltw.lib.LibraryModel;
import dev.rebound.ltw.lib.Unlisted;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.internal.Sites;
import dev.rebound.weaver.internal.Slot;
import java.io.InputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.SyntheticState;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.implementation.SuperMethodCall;
import net.bytebuddy.matcher.ElementMatchers;
import org.aspectj.lang.JoinPoint;
import org.junit.jupiter.api.Test;
import org.springframework.samples.petclinic.owner.OwnerRepository;

/** Under the agent with rebound-weaver's META-INF/aop.xml as it ships. */
class DefaultScopeTest extends VirtualClock {

    @Test
    void theApplicationsClassesAreWovenWhateverTheirPackage() {
        FakeLlm.failFirst("unlisted", 1);

        String answer = new Unlisted().fetch("q");

        assertThat(List.of(Models.Gpt4.class, Chat.Primary.class, Unlisted.class)).allMatch(VirtualClock::woven);
        assertThat(answer).isEqualTo("unlisted: q");
        assertThat(FakeLlm.calls()).containsExactly("unlisted #1", "unlisted #2");
    }

    @Test
    void reboundTheToolingAndTheLibrariesAreLeftAlone() throws ClassNotFoundException {
        List<String> loadedHere = List.of(
                "dev.rebound.runtime.RetryPolicy",
                "dev.rebound.runtime.internal.chain.MethodExecutor",
                "dev.rebound.weaver.guice.ReboundModule",
                "com.google.inject.AbstractModule",
                "com.google.common.collect.ImmutableList",
                "org.slf4j.simple.SimpleLogger",
                "org.junit.jupiter.engine.JupiterTestEngine",
                "org.assertj.core.api.AbstractAssert",
                "org.apache.maven.surefire.booter.ForkedBooter");
        for (String name : loadedHere) {
            assertThat(woven(Class.forName(name))).as(name).isFalse();
            assertThat(WeaveLog.wove(name)).as(name).isFalse();
        }
        assertThat(WeaveLog.wove(Unlisted.class.getName())).isTrue();
        // every class the weaver wove in this JVM so far is the application's: no library's, whatever its name
        assertThat(WeaveLog.messages().stream().filter(m -> m.startsWith("weaving '"))
                .map(m -> m.substring("weaving '".length(), m.length() - 1)))
                .isNotEmpty()
                .allMatch(name -> name.startsWith("dev.rebound.ltw.") || name.startsWith("dev.rebound.it.")
                        || name.startsWith("org.springframework.samples.")
                        // the default package: JdkProxiesTest's DefaultPackageProxies, and the JDK's proxy there
                        || !name.contains("."));
    }

    /**
     * Subclasses Mockito and Javassist generate (named with {@code $MockitoMock$}, {@code _$$_jvst}), whatever their
     * package, are left alone as Guice's, CGLIB's, ByteBuddy's and Hibernate's: weaving one would apply the policy
     * it copied around the application's class's own, woven call.
     */
    @Test
    void subclassesMockitoAndJavassistGenerateAreNotWoven() {
        for (Copier generated : List.of(new Copier$MockitoMock$12(), new Copier_$$_jvst1a_0())) {
            String name = generated.getClass().getName();

            assertThat(catchThrowable(() -> generated.ask("q"))).as(name).hasMessage("copier down");

            assertThat(WeaveLog.wove(name)).as(name).isFalse();
            assertThat(generated.calls).as(name).isEqualTo(3);
        }
        assertThat(WeaveLog.wove(Copier.class.getName())).isTrue();
    }

    /**
     * The subclasses Quarkus's ArC ({@code Copier_Subclass}, public) and Micronaut
     * ({@code $Copier$Definition$Intercepted}, package-private) generate over a bean class sit in its package and
     * class loader, so the agent weaves them as any class in its scope; made as they make them (synthetic, top level,
     * overrides that call the bean's method), they stay generated all the same: named by the bean's class in events,
     * its policy applied once, by the bean's own woven method.
     */
    @Test
    void subclassesQuarkusAndMicronautGenerateAreWovenYetNamedByTheBeanClassAboveThem()
            throws ReflectiveOperationException {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(events::add).build());
        MethodHandles.Lookup beansPackage = MethodHandles.privateLookupIn(Copier.class, MethodHandles.lookup());
        for (String name : List.of(Copier.class.getName() + "_Subclass",
                Copier.class.getPackageName() + ".$Copier$Definition$Intercepted")) {
            Class<? extends Copier> generated = new ByteBuddy().subclass(Copier.class).name(name)
                    .modifiers(name.endsWith("_Subclass") ? Visibility.PUBLIC : Visibility.PACKAGE_PRIVATE,
                            SyntheticState.SYNTHETIC)
                    .method(ElementMatchers.named("ask")).intercept(SuperMethodCall.INSTANCE)
                    .make().load(Copier.class.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(beansPackage))
                    .getLoaded();
            Constructor<? extends Copier> constructor = generated.getDeclaredConstructor();
            constructor.setAccessible(true);
            Copier bean = constructor.newInstance();
            events.clear();

            assertThat(catchThrowable(() -> bean.ask("q"))).as(name).hasMessage("copier down");

            assertThat(WeaveLog.wove(name)).as(name).isTrue();
            assertThat(bean.calls).as(name).isEqualTo(3);
            assertThat(events.stream().map(ReboundEvent::target).distinct()).as(name).containsExactly("Copier");
        }
    }

    /**
     * ArC's client proxy of a bean whose type is an interface with a policy (a producer's bean:
     * {@code RetriedChat_ClientProxy}, synthetic, over Object) is woven by the agent as the application's classes
     * are; each call goes to the contextual instance, a woven bean here, whose own policy applies, once: the proxy's
     * steps aside (3 bean calls for @Retry(attempts = 3), not 9), and events name the bean.
     */
    @Test
    void arcsClientProxyOfAWovenBeanAppliesThePolicyOnceTheBeans() throws ReflectiveOperationException {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(events::add).build());
        RetriedChatBean bean = new RetriedChatBean();
        Class<?> proxy = OverObject.arcClientProxy(RetriedChat.class, bean);
        RetriedChat client = OverObject.instance(proxy, RetriedChat.class);
        events.clear();

        assertThat(catchThrowable(() -> client.ask("q"))).hasMessage("bean down");
        assertThat(catchThrowable(() -> client.ask("q"))).hasMessage("bean down");

        assertThat(proxy.isSynthetic()).isTrue();
        assertThat(WeaveLog.wove(proxy.getName())).isTrue();
        assertThat(woven(RetriedChatBean.class)).isTrue();
        assertThat(bean.calls).as("calls the bean got, 2 calls of @Retry(attempts = 3)").isEqualTo(6);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED)
                .map(ReboundEvent::target)).hasSize(6).containsOnly("RetriedChatBean");
    }

    /**
     * ArC's client proxy is asked where its calls go once per class, by its first call (the instance it hands them to
     * is its bean's, of one class), and the woven advice of each of the proxy's methods keeps the answer: every call
     * after it costs that advice one read more, which allocates nothing, whether the bean behind it applies the
     * policy or the proxy does (the advice's own question, measured with the JVM's per-thread allocation counter over
     * many calls: under the agent, the call itself allocates the closure AspectJ makes for an around advice it does
     * not inline).
     */
    @Test
    void aSuccessfulCallThroughArcsClientProxyCostsOneReadMore() throws ReflectiveOperationException {
        AtomicInteger asked = new AtomicInteger();
        Class<?> overWovenClass = OverObject.arcClientProxy("AnsweringChatBean_ClientProxy", RetriedChat.class,
                new AnsweringChatBean(), asked);
        RetriedChat overWoven = OverObject.instance(overWovenClass, RetriedChat.class);
        AtomicInteger askedOverProduced = new AtomicInteger();
        RetriedChat produced = q -> q;
        Class<?> overProducedClass = OverObject.arcClientProxy("AnsweringProduced_ClientProxy", RetriedChat.class,
                produced, askedOverProduced);
        RetriedChat overProduced = OverObject.instance(overProducedClass, RetriedChat.class);

        for (int i = 0; i < 1_000; i++) {
            assertThat(overWoven.ask("q")).isEqualTo("q");
            assertThat(overProduced.ask("q")).isEqualTo("q");
        }

        assertThat(asked).as("arc_contextualInstance() asked by Rebound, over a woven bean").hasValue(1);
        assertThat(askedOverProduced).as("over an instance no door reaches").hasValue(1);
        JoinPoint.StaticPart overWovenAsk = staticPart(overWovenClass, "ask");
        Slot overWovenSlot = Sites.slot(overWoven, overWovenAsk);
        JoinPoint.StaticPart overProducedAsk = staticPart(overProducedClass, "ask");
        Slot overProducedSlot = Sites.slot(overProduced, overProducedAsk);
        assertThat(bytesPerCall(q -> overWovenSlot.active(overWoven, overWovenAsk) == null ? q : "no")).isZero();
        assertThat(bytesPerCall(q -> overProducedSlot.active(overProduced, overProducedAsk) != null ? q : "no"))
                .isZero();
        assertThat(asked).hasValue(1);
        assertThat(askedOverProduced).hasValue(1);
    }

    /** The static part of the join point of {@code woven}'s own method {@code name}, as ajc keeps it in the class. */
    private static JoinPoint.StaticPart staticPart(Class<?> woven, String name) throws IllegalAccessException {
        for (Field f : woven.getDeclaredFields()) {
            if (f.getName().startsWith("ajc$tjp_")) {
                f.setAccessible(true);
                JoinPoint.StaticPart jp = (JoinPoint.StaticPart) f.get(null);
                if (jp.getSignature().getName().equals(name)) {
                    return jp;
                }
            }
        }
        throw new AssertionError("no join point " + name + " in " + woven.getName());
    }

    private static long bytesPerCall(RetriedChat chat) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int calls = 200_000;
        long sink = 0;
        for (int i = 0; i < calls; i++) { // warm up: let the JIT compile
            sink += chat.ask("q").length();
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < calls; i++) {
            sink += chat.ask("q").length();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(sink).isEqualTo(2L * calls);
        return allocated / calls;
    }

    /**
     * ArC's client proxy of a producer's bean that no door reaches (a lambda here; an AiServices assistant alike):
     * the proxy's woven policy is the only one, and applies, named by the interface the proxy stands for.
     */
    @Test
    void arcsClientProxyOfAnInstanceNoDoorReachesAppliesTheInterfacesPolicy() throws ReflectiveOperationException {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(events::add).build());
        AtomicInteger calls = new AtomicInteger();
        RetriedChat produced = q -> {
            calls.incrementAndGet();
            throw new IllegalStateException("produced down");
        };
        RetriedChat client = OverObject.instance(OverObject.arcClientProxy("RetriedChat_Produced_ClientProxy",
                RetriedChat.class, produced), RetriedChat.class);
        events.clear();

        assertThat(catchThrowable(() -> client.ask("q"))).hasMessage("produced down");

        assertThat(calls).hasValue(3);
        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("RetriedChat");
    }

    /**
     * Micronaut's declarative client of an interface with a policy ({@code RetriedChat$Intercepted}, synthetic, over
     * Object, calling no instance of the application's) is woven as the application's classes are: the interface's
     * policy applies to it, once, named by the interface.
     */
    @Test
    void micronautsClientOfAnInterfaceAppliesItsPolicyOnce() throws ReflectiveOperationException {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(events::add).build());
        AtomicInteger calls = new AtomicInteger();
        Class<?> generated = OverObject.micronautClient(RetriedChat.class, InvocationHandlerAdapter.of((p, m, a) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("server down");
        }), false);
        RetriedChat client = OverObject.instance(generated, RetriedChat.class);
        events.clear();

        assertThat(catchThrowable(() -> client.ask("q"))).hasMessage("server down");

        assertThat(generated.isSynthetic()).isTrue();
        assertThat(WeaveLog.wove(generated.getName())).isTrue();
        assertThat(calls).hasValue(3);
        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("RetriedChat");
    }

    @Test
    void anApplicationClassUnderALibrarysTopLevelNameIsWoven() {
        OwnerRepository owners = new OwnerRepository();

        Throwable thrown = catchThrowable(() -> owners.findByLastName("Davis"));

        assertThat(woven(OwnerRepository.class)).isTrue();
        assertThat(thrown).isSameAs(owners.last);
        assertThat(owners.calls).isEqualTo(3);
    }

    @Test
    void aClassInheritingItsBodyFromAWovenAbstractClassRunsItUnderItsPolicy() {
        FakeLlm.failFirst("library", Integer.MAX_VALUE);

        String answer = new LibraryBacked().chat("q");

        assertThat(WeaveLog.wove(LibraryModel.class.getName())).isTrue();
        assertThat(answer).isEqualTo("backup: q");
        assertThat(FakeLlm.calls()).containsExactly("library #1", "library #2", "library #3", "backup #1");
    }

    /** A library's interface that declares the same method, carrying no policy. */
    public interface Completer {
        String chat(String prompt);
    }

    public interface Answers {
        @Retry(attempts = 3, delay = 10, jitter = false)
        @Fallback(to = BackupAnswers.class)
        String chat(String prompt);
    }

    /** Lists the library's interface first: the method is still Answers'. */
    public static class CompleterFirst implements Completer, Answers {
        int calls;

        @Override
        public String chat(String prompt) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    public static class BackupAnswers implements Answers {
        @Override
        public String chat(String prompt) {
            return "backup: " + prompt;
        }
    }

    @Test
    void aClassListingAnUnannotatedInterfaceFirstIsWovenWithTheAnnotatedInterfacesPolicy() {
        CompleterFirst primary = new CompleterFirst(); // its initialisation resolves its policies

        assertThat(woven(CompleterFirst.class)).isTrue();
        assertThat(primary.chat("q")).isEqualTo("backup: q");
        assertThat(primary.calls).isEqualTo(3);
    }

    /** A type-level policy over an abstract method and a default method calling it, implemented by lambdas. */
    @Retry(attempts = 3, delay = 10, jitter = false)
    public interface Task {
        String run();

        default String twice() {
            return run() + run();
        }
    }

    @Test
    void aDefaultMethodCalledOnALambdaRunsUnderItsPolicyAndTheLambdasOwnMethodStaysUnwoven() {
        int[] calls = {0};
        IllegalStateException down = new IllegalStateException("down");
        Task task = () -> {
            calls[0]++;
            throw down;
        };

        assertThat(catchThrowable(task::twice)).isSameAs(down);
        assertThat(calls[0]).as("attempts of twice(), each failing at its first run()").isEqualTo(3);
        calls[0] = 0;
        assertThat(catchThrowable(task::run)).as("the lambda's own run(), never woven").isSameAs(down);
        assertThat(calls[0]).isEqualTo(1);
    }

    /** An abstract class without any policy, and a class nested in it without any policy either. */
    public abstract static class AbstractNoPolicy {
        public abstract String name();

        public static class Note implements Serializable {
            public String echo(String s) {
                return s;
            }
        }
    }

    @Test
    void aClassNestedInAnAbstractClassWithoutAnyPolicyIsNotWoven() throws Exception {
        assertThat(new AbstractNoPolicy.Note().echo("e")).isEqualTo("e");
        assertLeftAsJavacMadeIt(AbstractNoPolicy.Note.class);
    }

    /** An interface without any policy, and a class nested in it (a DTO of an API) without any policy either. */
    public interface InterfaceNoPolicy {
        String name();

        class Note implements Serializable {
            public String echo(String s) {
                return s;
            }
        }
    }

    @Test
    void aClassNestedInAnInterfaceWithoutAnyPolicyIsNotWoven() throws Exception {
        assertThat(new InterfaceNoPolicy.Note().echo("e")).isEqualTo("e");
        assertLeftAsJavacMadeIt(InterfaceNoPolicy.Note.class);
    }

    /** Its serialVersionUID and its members as javac made them, under the agent. */
    private static void assertLeftAsJavacMadeIt(Class<?> note) throws Exception {
        // the class as javac wrote it, defined by a loader that sees no aop.xml, so the agent leaves it alone
        byte[] javac;
        try (InputStream in = note.getResourceAsStream(
                note.getName().substring(note.getPackageName().length() + 1) + ".class")) {
            javac = in.readAllBytes();
        }
        Class<?> plain = new ClassLoader(null) {
            Class<?> define() {
                return defineClass(note.getName(), javac, 0, javac.length);
            }
        }.define();
        assertThat(ObjectStreamClass.lookup(note).getSerialVersionUID())
                .as("serialVersionUID of " + note.getSimpleName() + " in " + note.getEnclosingClass().getSimpleName()
                        + ", under the agent against javac")
                .isEqualTo(ObjectStreamClass.lookup(plain).getSerialVersionUID());
        assertThat(Stream.concat(Arrays.stream(note.getDeclaredFields()).map(Field::getName),
                Arrays.stream(note.getDeclaredMethods()).map(Method::getName)))
                .as("the members of the loaded " + note.getName()).containsExactly("echo");
    }
}

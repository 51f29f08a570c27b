package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provider;
import dev.rebound.it.plain.generated.Asker;
import dev.rebound.it.plain.generated.Odd$$Plain;
import dev.rebound.it.plain.generated.Picky;
import dev.rebound.it.plain.generated.RetriedBackend;
import dev.rebound.it.plain.generated.ReviewChat;
import dev.rebound.it.plain.generated.Sub$$Backend;
import dev.rebound.it.plain.generated.Sub$$Woven;
import dev.rebound.it.woven.WovenBackend;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.guice.ReboundModule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Generated subclasses and user classes named like them, through the doors (javac-only classes, real Guice). */
class GeneratedSubclassDoorsTest extends VirtualTime {

    private List<String> failedTargets() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).map(ReboundEvent::target)
                .distinct().toList();
    }

    /**
     * A user's top-level class named with $$ (javac alone, its own @Retry): its policy applies in both doors (3
     * attempts), and both name it Odd$$Plain, never the class above it.
     */
    @Test
    void wrapAndGuiceNameAJavacClassNamedWithDollarsAlike() {
        Asker wrapped = Rebound.wrap(Asker.class, new Odd$$Plain()).build();
        assertThat(catchThrowable(() -> wrapped.ask("q"))).hasMessage("odd down");
        assertThat(wrapped.calls()).isEqualTo(3);
        assertThat(failedTargets()).containsExactly("Odd$$Plain");

        events.clear();
        Odd$$Plain injected = Guice.createInjector(new ReboundModule()).getInstance(Odd$$Plain.class);
        assertThat(catchThrowable(() -> injected.ask("q"))).hasMessage("odd down");
        assertThat(injected.calls()).isEqualTo(3);
        assertThat(failedTargets()).containsExactly("Odd$$Plain");
    }

    /**
     * A handler calling one alternative by class makes that one only: the other's provider, which fails, is never
     * asked, and alternatives() lists both classes without making either.
     */
    @Test
    void aHandlerCallingAnAlternativeByClassNeverAsksAnotherAlternativesProvider() {
        Picky.PicksSteady.SEEN.clear();
        AtomicInteger flakyAsked = new AtomicInteger();
        Picky picky = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Picky.Flaky.class).toProvider((Provider<Picky.Flaky>) () -> {
                    flakyAsked.incrementAndGet();
                    throw new IllegalStateException("no flaky today");
                });
            }
        }).getInstance(Picky.class);

        assertThat(picky.answer("q")).isEqualTo("steady: q");

        assertThat(flakyAsked).hasValue(0);
        assertThat(Picky.PicksSteady.SEEN).containsExactly(Picky.Flaky.class, Picky.Steady.class);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .containsExactly("PicksSteady", "Steady");
    }

    /**
     * A javac class named with a bare $$ and no Rebound annotation of its own (Sub$$Backend extends RetriedBackend)
     * is named by the class above it through every door: Rebound.wrap, ReboundModule (which hears Sub$$Backend, the
     * class Guice subclasses) and the woven advice, over a class of its own and over a woven one, 3 attempts each.
     */
    @Test
    void everyDoorNamesAJavacClassNamedWithABareDollarPairByTheClassAboveIt() {
        Sub$$Backend direct = new Sub$$Backend();
        Asker wrapped = Rebound.wrap(Asker.class, (Asker) direct).build();
        assertThat(catchThrowable(() -> wrapped.ask("q"))).hasMessage("retried down");
        assertThat(direct.calls()).isEqualTo(3);
        assertThat(failedTargets()).as("Rebound.wrap").containsExactly("RetriedBackend");

        events.clear();
        Sub$$Backend injected = Guice.createInjector(new ReboundModule()).getInstance(Sub$$Backend.class);
        assertThat(catchThrowable(() -> injected.ask("q"))).hasMessage("retried down");
        assertThat(injected.calls()).isEqualTo(3);
        assertThat(failedTargets()).as("ReboundModule").containsExactly("RetriedBackend");

        events.clear();
        Sub$$Woven woven = new Sub$$Woven();
        assertThat(catchThrowable(() -> woven.ask("q"))).hasMessage("woven down");
        assertThat(woven.calls()).isEqualTo(3);
        assertThat(failedTargets()).as("woven").containsExactly("WovenBackend");

        events.clear();
        Sub$$Woven interceptedWoven = Guice.createInjector(new ReboundModule()).getInstance(Sub$$Woven.class);
        assertThat(catchThrowable(() -> interceptedWoven.ask("q"))).hasMessage("woven down");
        assertThat(interceptedWoven.calls()).isEqualTo(3);
        assertThat(failedTargets()).as("ReboundModule over a woven class").containsExactly("WovenBackend");
    }

    /**
     * The subclasses Quarkus's ArC ({@code RetriedBackend_Subclass}) and Micronaut
     * ({@code $RetriedBackend$Definition$Intercepted}) generate over a bean, made as they make them (synthetic, top
     * level, their own interface), are named by the bean's class through every door, with its policy once.
     */
    @Test
    void everyDoorNamesQuarkusAndMicronautSubclassesByTheBeanClassAboveThem() {
        List<Class<? extends RetriedBackend>> plain = List.of(Generators.arcSubclass(RetriedBackend.class),
                Generators.micronautIntercepted(RetriedBackend.class));
        assertThat(plain).extracting(Class::getSimpleName)
                .containsExactly("RetriedBackend_Subclass", "$RetriedBackend$Definition$Intercepted");
        for (Class<? extends RetriedBackend> generated : plain) {
            assertThat(generated.isSynthetic()).as(generated.getName()).isTrue();
            assertThat(generated.getEnclosingClass()).as(generated.getName()).isNull();
            events.clear();
            RetriedBackend direct = Generators.instance(generated, RetriedBackend.class);
            Asker wrapped = Rebound.wrap(Asker.class, (Asker) direct).build();
            assertThat(catchThrowable(() -> wrapped.ask("q"))).hasMessage("retried down");
            assertThat(direct.calls()).as(generated.getName()).isEqualTo(3);
            assertThat(failedTargets()).as("Rebound.wrap over " + generated.getName()).containsExactly("RetriedBackend");
        }

        events.clear();
        Class<? extends RetriedBackend> arc = plain.get(0);
        Asker injected = Guice.createInjector(new ReboundModule(), binder -> binder.bind(Asker.class).to(arc))
                .getInstance(Asker.class);
        assertThat(catchThrowable(() -> injected.ask("q"))).hasMessage("retried down");
        assertThat(injected.calls()).isEqualTo(3);
        assertThat(failedTargets()).as("ReboundModule over " + arc.getName()).containsExactly("RetriedBackend");

        for (Class<? extends WovenBackend> generated : List.of(Generators.arcSubclass(WovenBackend.class),
                Generators.micronautIntercepted(WovenBackend.class))) {
            events.clear();
            WovenBackend woven = Generators.instance(generated, WovenBackend.class);
            assertThat(catchThrowable(() -> woven.ask("q"))).hasMessage("woven down");
            assertThat(woven.calls()).as(generated.getName()).isEqualTo(3);
            assertThat(failedTargets()).as("woven, under " + generated.getName()).containsExactly("WovenBackend");
        }
    }

    /** A generated class's answer: it fails, counting its calls. */
    static final class Down implements InvocationHandler {
        int calls;

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            calls++;
            throw new IllegalStateException("review down");
        }
    }

    /**
     * A Mockito mock of an interface, Micronaut's generated client of one ({@code ReviewChat$Intercepted}) and ArC's
     * client proxy of a bean of that type ({@code ReviewChat_ClientProxy}, whose first interface is ArC's own), each
     * with Object as its superclass, are named by the interface they stand for, as a JDK proxy is, through
     * Rebound.wrap and ReboundModule.wrapping: never by a name that changes from run to run or from build to build.
     * No woven advice runs in them: the generator writes every method.
     */
    @Test
    void everyDoorNamesAMockOrAGeneratedClientOfAnInterfaceByTheInterface() {
        List<BiFunction<Class<ReviewChat>, InvocationHandler, ReviewChat>> generators = List.of(
                Generators::mockitoMock, Generators::micronautIntroduction, Generators::arcClientProxy);
        for (BiFunction<Class<ReviewChat>, InvocationHandler, ReviewChat> generator : generators) {
            Down down = new Down();
            ReviewChat generated = generator.apply(ReviewChat.class, down);
            String name = generated.getClass().getName();
            assertThat(generated.getClass().getSuperclass()).as(name).isEqualTo(Object.class);
            events.clear();
            ReviewChat wrapped = Rebound.wrap(ReviewChat.class, generated).build();
            assertThat(catchThrowable(() -> wrapped.review("d"))).hasMessage("review down");
            assertThat(down.calls).as(name).isEqualTo(2);
            assertThat(failedTargets()).as("Rebound.wrap over " + name).containsExactly("ReviewChat");

            events.clear();
            Down injectedDown = new Down();
            ReviewChat instance = generator.apply(ReviewChat.class, injectedDown);
            ReviewChat provided = Guice.createInjector(ReboundModule.wrapping(
                    binder -> binder.bind(ReviewChat.class).toInstance(instance))).getInstance(ReviewChat.class);
            assertThat(catchThrowable(() -> provided.review("d"))).hasMessage("review down");
            assertThat(injectedDown.calls).as(name).isEqualTo(2);
            assertThat(failedTargets()).as("ReboundModule.wrapping over " + name).containsExactly("ReviewChat");
        }
    }
}

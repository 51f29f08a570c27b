package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.TypeLiteral;
import dev.rebound.it.plain.GuardedBox;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.guice.ReboundModule;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A generic class that one injector binds under several types (a {@code TypeLiteral} per type argument, or its raw
 * type beside one), each of which Guice hears on its own: every binding of the class in one injector shares its one
 * circuit breaker, as every instance of a class does; each injector keeps its own, a private module's and a child
 * injector's included. Real Guice, over a class javac alone compiled.
 */
class GuiceGenericClassBreakerTest extends VirtualTime {

    private static final TypeLiteral<GuardedBox<String>> STRINGS = new TypeLiteral<>() { };
    private static final TypeLiteral<GuardedBox<Integer>> INTEGERS = new TypeLiteral<>() { };
    private static final TypeLiteral<GuardedBox<Long>> LONGS = new TypeLiteral<>() { };
    private static final TypeLiteral<GuardedBox<Double>> DOUBLES = new TypeLiteral<>() { };
    private static final TypeLiteral<GuardedBox<Short>> SHORTS = new TypeLiteral<>() { };

    private static final String DOWN = "IllegalStateException";
    private static final String OPEN = "CircuitBreakerOpenException";

    /** How each call on {@code boxes}, in order, failed, then how many calls reached the class. */
    private static List<String> callEach(List<GuardedBox<?>> boxes) {
        GuardedBox.CALLS.set(0);
        List<String> outcomes = new ArrayList<>();
        for (GuardedBox<?> box : boxes) {
            outcomes.add(catchThrowable(() -> box.open("item")).getClass().getSimpleName());
        }
        outcomes.add("calls=" + GuardedBox.CALLS.get());
        return outcomes;
    }

    private static <T> T get(Injector injector, TypeLiteral<T> type) {
        return injector.getInstance(Key.get(type));
    }

    /**
     * {@code GuardedBox<String>} and {@code GuardedBox<Integer>} bound in one injector: the two failures through the
     * first open the class's breaker, which the second's calls find open (each type had a breaker of its own: the
     * Integer box reached the class twice more after the String box's breaker opened, and "circuit opened" was logged
     * twice under one name).
     */
    @Test
    void aGenericClassBoundUnderTwoTypeArgumentsKeepsOneBreakerInOneInjector() {
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), binder -> {
                binder.bind(STRINGS);
                binder.bind(INTEGERS);
            });
            GuardedBox<String> strings = get(injector, STRINGS);
            GuardedBox<Integer> integers = get(injector, INTEGERS);

            assertThat(callEach(List.of(strings, strings, get(injector, STRINGS), integers, integers)))
                    .containsExactly(DOWN, DOWN, OPEN, OPEN, OPEN, "calls=2");
        });

        assertThat(log.lines().filter(l -> l.contains("circuit opened"))).hasSize(1);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED).map(ReboundEvent::target))
                .containsExactly("GuardedBox");
    }

    /** The raw type bound beside a type argument: one class, one breaker (they kept one each). */
    @Test
    void aRawBindingBesideATypeArgumentSharesTheClasssBreaker() {
        Injector injector = Guice.createInjector(new ReboundModule(), binder -> {
            binder.bind(GuardedBox.class);
            binder.bind(STRINGS);
        });
        GuardedBox<?> raw = injector.getInstance(GuardedBox.class);
        GuardedBox<String> strings = get(injector, STRINGS);

        assertThat(callEach(List.of(raw, raw, strings))).containsExactly(DOWN, DOWN, OPEN, "calls=2");
    }

    /**
     * A type Guice binds just in time, after the injector is created, shares the breaker of the class's types bound
     * at its creation; so do two types first bound just in time (one whose binding was asked for before the other
     * was provided too).
     */
    @Test
    void aTypeArgumentBoundJustInTimeSharesTheBreakerOfTheClassInItsInjector() {
        Injector bound = Guice.createInjector(new ReboundModule(), binder -> binder.bind(STRINGS));
        GuardedBox<String> strings = get(bound, STRINGS);
        assertThat(callEach(List.of(strings, strings, get(bound, LONGS)))).containsExactly(DOWN, DOWN, OPEN, "calls=2");

        Injector justInTime = Guice.createInjector(new ReboundModule());
        GuardedBox<Long> longs = get(justInTime, LONGS);
        assertThat(callEach(List.of(longs, longs, get(justInTime, DOUBLES)))).containsExactly(DOWN, DOWN, OPEN,
                "calls=2");

        Injector asked = Guice.createInjector(new ReboundModule());
        assertThat(asked.getBinding(Key.get(SHORTS))).isNotNull();
        assertThat(asked.getBinding(Key.get(INTEGERS))).isNotNull();
        GuardedBox<Integer> integers = get(asked, INTEGERS);
        assertThat(callEach(List.of(integers, integers, get(asked, SHORTS)))).containsExactly(DOWN, DOWN, OPEN,
                "calls=2");
    }

    /**
     * Breakers are per injector: the parent's types share one, a private module's types another, a child injector's
     * types a third; opening one leaves the others closed.
     */
    @Test
    void eachInjectorAPrivateModulesAndAChildsIncludedKeepsOneBreakerForAllTypesOfTheClass() {
        Injector parent = Guice.createInjector(new ReboundModule(), binder -> binder.bind(STRINGS), new PrivateModule() {
            @Override
            protected void configure() {
                bind(INTEGERS);
                bind(LONGS);
                expose(INTEGERS);
                expose(LONGS);
            }
        });
        Injector child = parent.createChildInjector(binder -> {
            binder.bind(DOUBLES);
            binder.bind(SHORTS);
        });
        GuardedBox<String> strings = get(parent, STRINGS);
        GuardedBox<Integer> integers = get(parent, INTEGERS);
        GuardedBox<Double> doubles = get(child, DOUBLES);

        assertThat(callEach(List.of(strings, strings, get(child, STRINGS), integers, integers, get(parent, LONGS),
                doubles, doubles, get(child, SHORTS)))).containsExactly(DOWN, DOWN, OPEN, DOWN, DOWN, OPEN, DOWN, DOWN,
                        OPEN, "calls=6");
    }

    /** A child injector per request that binds the class under two types, then dropped: nothing of Rebound's keeps it. */
    @Test
    void aDroppedChildInjectorThatBoundAGenericClassUnderTwoTypesIsCollected() {
        Injector parent = Guice.createInjector(new ReboundModule());
        WeakReference<Injector> last = null;
        for (int i = 0; i < 20; i++) {
            Injector child = parent.createChildInjector(binder -> {
                binder.bind(STRINGS);
                binder.bind(INTEGERS);
            });
            GuardedBox<String> strings = get(child, STRINGS);
            assertThat(callEach(List.of(strings, strings, get(child, INTEGERS)))).containsExactly(DOWN, DOWN, OPEN,
                    "calls=2");
            last = new WeakReference<>(child);
        }
        for (int i = 0; i < 50 && last.get() != null; i++) {
            System.gc();
        }

        assertThat(last.get()).as("the last dropped child injector, after GC").isNull();
    }
}

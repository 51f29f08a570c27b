package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.StdErr;
import java.lang.reflect.InvocationHandler;
import org.junit.jupiter.api.Test;

/**
 * What a container door's marks say of an instance: its interceptor chain carries the door's interceptor, or not.
 * The chain, Guice's {@code GUICE$HANDLERS} array, is shared by the instances of one binding and by every copy of
 * one; a class whose chain cannot be read is marked instance by instance, as a WARN says.
 */
class ContainerInterceptionTest {

    private static InvocationHandler[] chain() {
        return new InvocationHandler[] {(proxy, method, args) -> null};
    }

    @Test
    void aMarkedChainCoversEveryInstanceThatRunsItAndItsCopiesAndNoOtherChain() {
        InvocationHandler[] withDoor = chain();
        Relay$$EnhancerByGuice$$7e8f made = new Relay$$EnhancerByGuice$$7e8f(withDoor);
        Relay$$EnhancerByGuice$$7e8f sameBinding = new Relay$$EnhancerByGuice$$7e8f(withDoor);
        Relay$$EnhancerByGuice$$7e8f otherInjector = new Relay$$EnhancerByGuice$$7e8f(chain());
        Relay$$EnhancerByGuice$$7e8f unread = new Relay$$EnhancerByGuice$$7e8f(null);
        assertThat(ContainerInterception.intercepts(made.getClass())).as("nothing marked yet").isFalse();

        String log = StdErr.during(() -> ContainerInterception.registerInstance(made));

        assertThat(log).as("its chain is read: nothing to say").isEmpty();
        assertThat(ContainerInterception.carries(made)).isTrue();
        assertThat(ContainerInterception.carries(made.copy())).as("a copy: the same chain").isTrue();
        assertThat(ContainerInterception.carries(sameBinding)).as("the same binding's chain").isTrue();
        assertThat(ContainerInterception.carries(otherInjector)).as("another chain").isFalse();
        assertThat(ContainerInterception.carries(otherInjector.copy())).isFalse();
        assertThat(ContainerInterception.carries(unread)).as("no chain: the instance is its own").isFalse();
        assertThat(ContainerInterception.intercepts(made.getClass())).isTrue();
        ContainerInterception.Carriers carriers = ContainerInterception.carriersOf(made.getClass());
        assertThat(carriers.carries(made.copy())).isTrue();
        assertThat(carriers.carries(otherInjector)).isFalse();
    }

    @Test
    void anInterceptorsMarkerMarksTheChainOfEachInstanceItRunsOn() {
        ContainerInterception.Marker marker = ContainerInterception.marker();
        InvocationHandler[] first = chain();
        InvocationHandler[] second = chain();
        Relay$$EnhancerByGuice$$7e8f a = new Relay$$EnhancerByGuice$$7e8f(first);
        Relay$$EnhancerByGuice$$7e8f b = new Relay$$EnhancerByGuice$$7e8f(second);
        Relay$$EnhancerByGuice$$7e8f unmarked = new Relay$$EnhancerByGuice$$7e8f(chain());

        marker.mark(a);
        marker.mark(a); // known: one look-up
        marker.mark(b.copy());
        marker.mark(a.copy()); // a copy of an instance known: found by its chain, and known from now on

        assertThat(ContainerInterception.carries(a)).isTrue();
        assertThat(ContainerInterception.carries(new Relay$$EnhancerByGuice$$7e8f(second))).isTrue();
        assertThat(ContainerInterception.carries(unmarked)).isFalse();
    }

    @Test
    void aClassWhoseChainCannotBeReadIsMarkedInstanceByInstanceAndSaysSoOnce() {
        Legacy$$EnhancerByGuice$$0a1b made = new Legacy$$EnhancerByGuice$$0a1b();
        Legacy$$EnhancerByGuice$$0a1b copy = made.copy();

        String log = StdErr.during(() -> ContainerInterception.registerInstance(made));
        String again = StdErr.during(() -> ContainerInterception.registerInstance(new Legacy$$EnhancerByGuice$$0a1b()));

        assertThat(log).contains("WARN", "ReboundModule: cannot read the interceptor chain of "
                + Legacy$$EnhancerByGuice$$0a1b.class.getName() + ": it declares no field GUICE$HANDLERS",
                "a copy of one (clone()) of a class ajc never wove is taken for an instance no ReboundModule"
                + " intercepts: Rebound.isResilient says false of it and Rebound.wrap wraps it again (each policy"
                + " applied twice, never dropped)");
        assertThat(again).as("once per class").isEmpty();
        assertThat(ContainerInterception.carries(made)).isTrue();
        assertThat(ContainerInterception.carries(copy)).as("a copy, when the chain cannot be read").isFalse();
        ContainerInterception.marker().mark(copy); // as the interceptor of a class with woven advice does
        assertThat(ContainerInterception.carries(copy)).isTrue();
    }

    /** A class a door registers; Guice's subclasses of it stand below, as {@code Relay$$EnhancerByGuice$$7e8f}. */
    public static class Escaper {
    }

    /**
     * Stands for Guice's subclass of {@link Escaper}: each instance keeps its chain from its constructor on. Its
     * chains' handlers are read ({@link Handler}) or not ({@link Unreadable}): only the latter says something, once.
     */
    public static class Escaper$$EnhancerByGuice$$3c4d extends Escaper implements Cloneable {

        private final InvocationHandler[] GUICE$HANDLERS;

        public Escaper$$EnhancerByGuice$$3c4d(InvocationHandler[] handlers) {
            this.GUICE$HANDLERS = handlers;
        }

        Escaper$$EnhancerByGuice$$3c4d copy() {
            try {
                return (Escaper$$EnhancerByGuice$$3c4d) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Stands for Guice's handler of one intercepted method ({@code InterceptorStackCallback}). */
    static final class Handler implements InvocationHandler {
        final Object[] interceptors;

        Handler(Object... interceptors) {
            this.interceptors = interceptors;
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            return null;
        }
    }

    /** Stands for a handler of another version of Guice, which keeps its interceptors elsewhere. */
    static final class Unreadable implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            return null;
        }
    }

    /** Stands for ReboundModule's interceptor. */
    static final class Door implements ContainerInterception.DoorInterceptor {
    }

    @Test
    void anInstanceNoMarkCoversIsJudgedOncePerChainByWhetherItsChainHoldsADoorsInterceptor() {
        ContainerInterception.register(Escaper.class);
        Object own = new Object(); // an application's interceptor
        Object[] heldWithout = {own};
        InvocationHandler[] withDoor = {new Handler(own), new Handler(own, new Door())};
        InvocationHandler[] without = {new Handler(heldWithout)};
        Escaper$$EnhancerByGuice$$3c4d beingMade = new Escaper$$EnhancerByGuice$$3c4d(withDoor);
        Escaper$$EnhancerByGuice$$3c4d otherInjector = new Escaper$$EnhancerByGuice$$3c4d(without);
        ContainerInterception.Carriers carriers = ContainerInterception.carriersOf(beingMade.getClass());

        String log = StdErr.during(() -> {
            assertThat(ContainerInterception.carries(beingMade)).as("no mark: its chain holds the door's").isTrue();
            assertThat(ContainerInterception.carries(otherInjector)).as("its chain holds none").isFalse();
        });

        assertThat(log).as("its handlers are read: nothing to say").isEmpty();
        assertThat(ContainerInterception.carries(new Escaper$$EnhancerByGuice$$3c4d(withDoor).copy()))
                .as("a copy of another instance of the chain").isTrue();
        assertThat(carriers.carries(new Escaper$$EnhancerByGuice$$3c4d(withDoor)))
                .as("a chain judged to hold it is marked: the marks alone say so").isTrue();
        heldWithout[0] = new Door();
        assertThat(ContainerInterception.carries(otherInjector.copy())).as("judged once: a chain never changes")
                .isFalse();
        assertThat(ContainerInterception.carries(new Escaper$$EnhancerByGuice$$3c4d(null))).as("no chain").isFalse();
        assertThat(ContainerInterception.carries(new Relay$$EnhancerByGuice$$7e8f(withDoor)))
                .as("a subclass of a class no door registered is not judged").isFalse();
    }

    @Test
    void aChainWhoseHandlersCannotBeReadIsKnownByItsMarksAloneAndSaysSoOnce() {
        ContainerInterception.register(Escaper.class);
        InvocationHandler[] chain = {new Unreadable()};
        Escaper$$EnhancerByGuice$$3c4d beingMade = new Escaper$$EnhancerByGuice$$3c4d(chain);
        Escaper$$EnhancerByGuice$$3c4d copy = beingMade.copy();

        String log = StdErr.during(() -> assertThat(ContainerInterception.carries(beingMade)).isFalse());
        String again = StdErr.during(() -> ContainerInterception.carries(new Escaper$$EnhancerByGuice$$3c4d(chain)));

        assertThat(log).contains("WARN", "ReboundModule: cannot read the interceptors in the chain of "
                + Escaper$$EnhancerByGuice$$3c4d.class.getName() + ": its handler " + Unreadable.class.getName()
                + " declares no field interceptors (another version of Guice?); an instance is known to carry"
                + " ReboundModule's interceptor from the end of its provision on, so one still being made (a call from"
                + " its constructor) or whose provision failed, of a class ajc never wove, is taken for an instance no"
                + " ReboundModule intercepts: Rebound.isResilient says false of it and Rebound.wrap wraps it again"
                + " (each policy applied twice, never dropped)");
        assertThat(again).as("once per class").isEmpty();
        ContainerInterception.registerInstance(beingMade); // as its provision ends
        assertThat(ContainerInterception.carries(beingMade)).isTrue();
        assertThat(ContainerInterception.carries(copy)).as("its chain is marked").isTrue();
    }
}

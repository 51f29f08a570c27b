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
}

package dev.rebound.runtime.spi;

import dev.rebound.runtime.internal.WeakIdentitySet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The classes and instances a container door (Guice's {@code ReboundModule}) makes resilient by generating a
 * subclass: so that {@code Rebound.isResilient} recognises those instances, and so that the woven door steps
 * aside for them (the container's interceptor applies the policy, with alternatives from the container). Two
 * marks: the user's class, when a door binds it ({@link #register}), and each instance the door's container
 * made with the door's interceptor ({@link #registerInstance}). An instance, not its class: a container may
 * share one generated subclass between a container with the door and one without it (Guice does for two
 * injectors that intercept exactly the same methods of a class), whose instances run no interceptor of the
 * door's. Configuration, not call state: an instance is marked once, before any call on it returns.
 */
public final class ContainerInterception {

    /**
     * The marks, kept in each class itself (a {@code ClassValue} whose value refers to nothing): a static set
     * of classes would keep an application's classes, and its class loader, for as long as Rebound's own
     * classes live (a web application redeployed under a Rebound in the server's shared libraries).
     */
    private static final ClassValue<AtomicBoolean> INTERCEPTED = new ClassValue<>() {
        @Override
        protected AtomicBoolean computeValue(Class<?> type) {
            return new AtomicBoolean();
        }
    };

    /** The marked instances of each generated subclass, in the class itself as {@link #INTERCEPTED}. */
    private static final ClassValue<Carriers> GENERATED = new ClassValue<>() {
        @Override
        protected Carriers computeValue(Class<?> type) {
            return new Carriers();
        }
    };

    private ContainerInterception() {
    }

    /** Records that a container intercepts the policy methods of (some of) {@code type}'s generated subclasses. */
    public static void register(Class<?> type) {
        INTERCEPTED.get(type).set(true);
    }

    /** Whether a container door has registered {@code type}: it intercepts the instances it makes of it. */
    public static boolean registered(Class<?> type) {
        return INTERCEPTED.get(type).get();
    }

    /**
     * Records that {@code instance}, of a subclass a container generated for a class it registered, carries the
     * door's interceptor: its calls apply their policies there. Called for each instance the door's container
     * made, before any call on it returns to the caller (at its provision, and by the interceptor on the calls
     * the instance gets while it is made); idempotent. Holds the instance weakly: it is let go with its class.
     *
     * @throws NullPointerException if {@code instance} is null
     */
    public static void registerInstance(Object instance) {
        Carriers carriers = GENERATED.get(instance.getClass());
        WeakIdentitySet marked = carriers.instances;
        if (marked == null) {
            synchronized (carriers) {
                marked = carriers.instances;
                if (marked == null) {
                    marked = new WeakIdentitySet();
                    marked.add(instance);
                    carriers.instances = marked;
                    return;
                }
            }
        }
        marked.add(instance);
    }

    /**
     * Whether {@code instance} carries a door's interceptor ({@link #registerInstance}): false for an instance of
     * the same generated subclass that a container without the door made. For an instance of a class none of
     * whose instances was marked, a class-keyed read; else also an identity look-up. Allocates nothing.
     */
    public static boolean carries(Object instance) {
        WeakIdentitySet marked = GENERATED.get(instance.getClass()).instances;
        return marked != null && marked.contains(instance);
    }

    /**
     * Whether some instance of {@code runtimeClass} carries a door's interceptor ({@link #registerInstance}):
     * what can be said of a class without an instance (the class behind a container's proxy that makes its
     * target per call). Every instance of it may not: ask {@link #carries} of an instance.
     */
    public static boolean intercepts(Class<?> runtimeClass) {
        return GENERATED.get(runtimeClass).instances != null;
    }

    /** The instances of one generated subclass that carry a door's interceptor: none until one is marked. */
    private static final class Carriers {
        volatile WeakIdentitySet instances;
    }
}

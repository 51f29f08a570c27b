package dev.rebound.runtime.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The classes whose instances a container door (Guice's {@code ReboundModule}) makes resilient by
 * generating a subclass: so that {@code Rebound.isResilient} recognises those instances, and so that the
 * woven door steps aside for them (the container's interceptor applies the policy, with alternatives
 * from the container). Two marks: the user's class, when a door binds it ({@link #register}), and each
 * generated subclass that carries the door's interceptor ({@link #registerSubclass}), since another
 * container (an injector without the door, for an interceptor of its own) may generate a subclass of the
 * same class that applies no policy. Configuration, not call state: a class is marked once.
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

    private static final ClassValue<AtomicBoolean> GENERATED = new ClassValue<>() {
        @Override
        protected AtomicBoolean computeValue(Class<?> type) {
            return new AtomicBoolean();
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
     * Records that {@code generated}, a subclass a container generated for a class it registered, carries the
     * door's interceptor: its instances apply their policies there. Called with the class of an instance the
     * door's container made, before any call on it.
     */
    public static void registerSubclass(Class<?> generated) {
        AtomicBoolean mark = GENERATED.get(generated);
        if (!mark.get()) {
            mark.set(true);
        }
    }

    /**
     * Whether {@code runtimeClass} is a subclass that a container generated with the door's interceptor
     * ({@link #registerSubclass}); a subclass another container generated of the same class, for interceptors
     * of its own, is not, unless the container shares one generated class between both (Guice does for two
     * injectors that intercept exactly the same methods of a class: guice.md says what follows).
     */
    public static boolean intercepts(Class<?> runtimeClass) {
        return GENERATED.get(runtimeClass).get();
    }
}

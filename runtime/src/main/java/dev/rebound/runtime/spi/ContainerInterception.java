package dev.rebound.runtime.spi;

import dev.rebound.runtime.internal.WeakIdentitySet;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The classes and instances a container door (Guice's {@code ReboundModule}) makes resilient by generating a
 * subclass: so that {@code Rebound.isResilient} recognises those instances, and so that the woven door steps
 * aside for them (the container's interceptor applies the policy, with alternatives from the container). Two
 * marks: the user's class, when a door binds it ({@link #register}), and the interceptor chain of each instance
 * the door's container made with the door's interceptor ({@link #registerInstance}). A chain, not a class: a
 * container may share one generated subclass between a container with the door and one without it (Guice does
 * for two injectors that intercept exactly the same methods of a class), whose instances run another chain,
 * without the door's interceptor. A chain, not an instance: a copy of an instance ({@code clone()}) runs the same
 * chain as the instance it was copied from, and so do all the instances one binding makes. Configuration, not
 * call state.
 *
 * <p>Guice 5 to 7 keep an instance's chain in a field of the class they generate, {@value #GUICE_CHAIN} (an array
 * of handlers, one array per binding, set before the user's constructor runs, copied by {@code clone()}): the
 * chain is that array, read through a handle found once per class. Each instance found to run a marked chain is
 * remembered too, so that asking again of it is one identity look-up, as cheap as asking of a class. An instance
 * no mark covers yet (one the container is still making, from its constructor on; one whose provision failed; a
 * copy of either) is judged by what its chain holds when {@link #carries} asks, once per chain: whether a handler
 * holds a {@link DoorInterceptor} (Guice's handler keeps its interceptors in an array field, {@value
 * #GUICE_INTERCEPTORS}, read through a handle found once per handler class). Where the chain's field is absent
 * (another version of Guice) or cannot be read (the class's package, in a named module, is not open to Rebound),
 * the instances marked are the only marks, and a WARN says once per class what that costs: a copy of an instance
 * is marked only by the door's interceptor (which asks on each call of a class with woven advice, before that
 * advice does: a call is exact), so a copy of an instance of a class ajc never wove is taken for one no door
 * intercepts: {@code Rebound.isResilient} says false of it and {@code Rebound.wrap} wraps it again, a policy
 * applied twice, never none. Where the chain is read but its handlers' interceptors cannot be, a chain is known
 * by its marks alone, and a WARN says so once per class: an instance is known from the end of its provision on.
 */
public final class ContainerInterception {

    /** The field in which Guice's generated subclasses keep each instance's interceptor chain (Guice 5, 6, 7). */
    static final String GUICE_CHAIN = "GUICE$HANDLERS";

    /** The array field in which each handler of a Guice chain keeps its method's interceptors (Guice 5, 6, 7). */
    static final String GUICE_INTERCEPTORS = "interceptors";

    /**
     * Implemented by a door's interceptor (Guice's {@code ReboundModule}'s): a chain whose handlers hold one
     * carries the door's interceptor, which is how {@link #carries} judges an instance no mark covers yet.
     */
    public interface DoorInterceptor {
    }

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

    /**
     * The marks on the instances of each generated subclass, with the handle that reads an instance's chain, in the
     * class itself as {@link #INTERCEPTED}: what they refer to is that class's and its loader's.
     */
    private static final ClassValue<Carriers> GENERATED = new ClassValue<>() {
        @Override
        protected Carriers computeValue(Class<?> type) {
            return new Carriers(type);
        }
    };

    /** How the interceptors of a chain's handler are read, found once per handler class (Guice's own). */
    private static final ClassValue<Handlers> HANDLERS = new ClassValue<>() {
        @Override
        protected Handlers computeValue(Class<?> type) {
            return Handlers.of(type);
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
     * door's interceptor: its calls apply their policies there; and with it every instance that runs the same
     * interceptor chain (its copies, the other instances of the binding that made it). Called for each instance
     * the door's container made, at its provision; a door's interceptor marks through its {@link #marker()}.
     * Idempotent. Holds the chain and the instance weakly: they are let go with their class.
     *
     * @throws NullPointerException if {@code instance} is null
     */
    public static void registerInstance(Object instance) {
        carriersOf(instance.getClass()).mark(instance);
    }

    /**
     * Whether {@code instance} carries a door's interceptor: its interceptor chain was marked ({@link
     * #registerInstance}) through it or through another instance that runs the same chain (the instance it was
     * copied from), or, for an instance of a generated subclass of a class a door {@linkplain #register registered}
     * that no mark covers yet, its chain holds a {@link DoorInterceptor}: so an instance the container is still
     * making (from its constructor on), one whose provision failed, and a copy of either, are known before any
     * mark. False for an instance of the same generated subclass that a container without the door made. As {@link
     * Carriers#carries}, after a class-keyed read; judging a chain not met before reads its handlers once, and marks
     * it (or keeps it as one without the door). For {@code Rebound.isResilient}, {@code Rebound.wrap} and a woven
     * site's first call, not a call's path.
     */
    public static boolean carries(Object instance) {
        return carriersOf(instance.getClass()).judge(instance);
    }

    /**
     * Whether some instance of {@code runtimeClass} carries a door's interceptor ({@link #registerInstance}):
     * what can be said of a class without an instance (the class behind a container's proxy that makes its
     * target per call). Every instance of it may not: ask {@link #carries} of an instance.
     */
    public static boolean intercepts(Class<?> runtimeClass) {
        return carriersOf(runtimeClass).known != null;
    }

    /**
     * The marks on the instances of {@code runtimeClass}, for a door that asks them of many instances of one class
     * it knows (the woven advice's slot of a generated subclass), without finding the class's marks on each call.
     *
     * @throws NullPointerException if {@code runtimeClass} is null
     */
    public static Carriers carriersOf(Class<?> runtimeClass) {
        return GENERATED.get(runtimeClass);
    }

    /**
     * A new marker for one interceptor of a door: {@link Marker#mark} on each call it intercepts, before the
     * woven advice of the method asks ({@link #carries}).
     */
    public static Marker marker() {
        return new Marker();
    }

    /**
     * Marks the instances one interceptor of a door runs on, as {@link #registerInstance} does, once each:
     * remembering the marks of the class it met last, a call on an instance known to carry the door's interceptor
     * costs a compare and one identity look-up. Any thread reads and writes its field without a lock: a stale
     * value only costs a class-keyed read. It refers to the class of the instances it marks, which its interceptor
     * runs on anyway.
     */
    public static final class Marker {

        /** The marks of the class of the instance met last: their final fields make a racy read safe. */
        private Carriers carriers;

        private Marker() {
        }

        /**
         * Marks the interceptor chain of {@code instance}, of a subclass the door's container generated, as {@link
         * ContainerInterception#registerInstance}, unless it {@linkplain Carriers#carries carries} the door's
         * interceptor already: then allocates nothing.
         *
         * @throws NullPointerException if {@code instance} is null
         */
        public void mark(Object instance) {
            Class<?> type = instance.getClass();
            Carriers c = carriers;
            if (c == null || c.type != type) {
                carriers = c = carriersOf(type);
            }
            if (!c.carries(instance)) {
                c.mark(instance);
            }
        }
    }

    /**
     * The marks on one class's instances: the interceptor chains that carry a door's interceptor (none until one is
     * marked), how an instance's chain is read, and the instances known to run a marked chain.
     */
    public static final class Carriers {

        private final Class<?> type;
        /** Reads an instance's chain ({@code (Object) -> Object}); null when the class's chain cannot be read. */
        private final MethodHandle chain;
        /** Why {@link #chain} is null, for the WARN; null when it is not. */
        private final String unread;
        /** The chains marked; null until one is, and when {@link #chain} is null. */
        private volatile WeakIdentitySet chains;
        /**
         * The instances marked, or found to run a marked chain: where a chain is read, what is known already of an
         * instance, so that it is asked with one look-up; else the marks themselves. Null until one is marked, and
         * set after {@link #chains}.
         */
        private volatile WeakIdentitySet known;
        /** The chains judged to hold no door's interceptor ({@link #judge}); null until one is. */
        private volatile WeakIdentitySet foreign;
        /** Whether the WARN that a chain's handlers cannot be read was said; under the lock. */
        private boolean unjudgedSaid;

        private Carriers(Class<?> type) {
            this.type = type;
            Field field = null;
            for (Field f : declaredFields(type)) {
                if (f.getName().equals(GUICE_CHAIN) && !Modifier.isStatic(f.getModifiers()) && f.getType().isArray()) {
                    field = f;
                }
            }
            MethodHandle reader = null;
            String why = null;
            if (field == null) {
                why = "it declares no field " + GUICE_CHAIN + " (another version of Guice?)";
            } else {
                try {
                    field.setAccessible(true);
                    reader = MethodHandles.lookup().unreflectGetter(field)
                            .asType(MethodType.methodType(Object.class, Object.class));
                } catch (RuntimeException | IllegalAccessException closed) { // InaccessibleObjectException, ...
                    why = "Rebound may not read its field " + GUICE_CHAIN + " (" + closed.getClass().getSimpleName()
                            + "; a named module must open " + type.getPackageName() + " to dev.rebound.runtime)";
                }
            }
            this.chain = reader;
            this.unread = why;
        }

        /**
         * Whether {@code instance}, of this class, carries a door's interceptor by the marks alone (an instance no
         * mark covers is not judged by its chain here, as {@link ContainerInterception#carries} judges it: a door's
         * interceptor marks it before the woven advice asks). For an instance marked, or found so before, one
         * identity look-up; for another, a read of its chain and a look-up of it, and an instance that runs a marked
         * chain (a copy) is remembered (allocating once). Otherwise allocates nothing.
         */
        public boolean carries(Object instance) {
            WeakIdentitySet k = known;
            if (k == null) {
                return false;
            }
            if (k.contains(instance)) {
                return true;
            }
            WeakIdentitySet c = chains;
            if (c == null || !c.contains(chainOf(instance))) {
                return false;
            }
            k.add(instance);
            return true;
        }

        /**
         * As {@link #carries}, and, for an instance no mark covers of a generated subclass of a class a door
         * registered, by what its chain holds ({@link #holdsDoor}), judged once per chain: a chain that holds a door's
         * interceptor is marked with the instance, one that holds none is kept as such (a chain never changes). A
         * chain whose handlers cannot be read is not judged: the marks answer.
         */
        private boolean judge(Object instance) {
            if (carries(instance)) {
                return true;
            }
            Class<?> user = type.getSuperclass();
            if (chain == null || user == null || !registered(user)) {
                return false;
            }
            Object handlers = chainOf(instance);
            WeakIdentitySet f = foreign;
            if (!(handlers instanceof Object[]) || f != null && f.contains(handlers)) {
                return false; // no chain: made without its constructor, as a mock is
            }
            Boolean holds = holdsDoor((Object[]) handlers);
            if (holds == null) {
                return false;
            }
            if (holds) {
                mark(instance);
            } else {
                foreignChains().add(handlers);
            }
            return holds;
        }

        /**
         * Whether a handler of {@code handlers}, a chain, holds a {@link DoorInterceptor}; null when it holds none
         * and some handler's interceptors cannot be read (said once per class).
         */
        private Boolean holdsDoor(Object[] handlers) {
            String unread = null;
            for (Object handler : handlers) {
                if (handler == null) {
                    continue;
                }
                Handlers reader = HANDLERS.get(handler.getClass());
                if (reader.interceptors == null) {
                    unread = reader.unread;
                } else if (reader.holdsDoor(handler)) {
                    return true;
                }
            }
            if (unread != null) {
                warnUnjudged(unread);
                return null;
            }
            return false;
        }

        private WeakIdentitySet foreignChains() {
            WeakIdentitySet f = foreign;
            if (f == null) {
                synchronized (this) {
                    f = foreign;
                    if (f == null) {
                        foreign = f = new WeakIdentitySet();
                    }
                }
            }
            return f;
        }

        /** Marks {@code instance} and its chain, as {@link ContainerInterception#registerInstance}. */
        void mark(Object instance) {
            WeakIdentitySet k = known;
            if (k == null) {
                synchronized (this) {
                    k = known;
                    if (k == null) {
                        if (chain != null) {
                            chains = new WeakIdentitySet();
                        } else {
                            warnUnread();
                        }
                        k = new WeakIdentitySet();
                        known = k; // after chains: a thread that finds it finds them
                    }
                }
            }
            WeakIdentitySet c = chains;
            if (c != null) {
                Object handlers = chainOf(instance);
                if (handlers != null) {
                    c.add(handlers);
                }
            }
            k.add(instance);
        }

        /**
         * The chain {@code instance} runs: its {@value #GUICE_CHAIN} array, or null when it holds none (an instance
         * made without its constructor, as a mock is) or the class's chain cannot be read.
         */
        private Object chainOf(Object instance) {
            if (chain == null) {
                return null;
            }
            try {
                return (Object) chain.invokeExact(instance);
            } catch (Throwable cannot) { // a getter of a field of the instance's own class throws nothing
                throw new IllegalStateException(cannot);
            }
        }

        /**
         * Says once, as the first instance of this class is marked, under the lock, that its chain cannot be read,
         * and what that costs: a copy of an instance is marked only by the door's interceptor, which asks only on
         * the calls of a class with woven advice (before that advice does).
         */
        private void warnUnread() {
            Policies.warn("ReboundModule: cannot read the interceptor chain of " + type.getName() + ": " + unread
                    + "; each instance is marked instead, as the injector makes it, so a copy of one (clone()) of a"
                    + " class ajc never wove is taken for an instance no ReboundModule intercepts: Rebound.isResilient"
                    + " says false of it and Rebound.wrap wraps it again (each policy applied twice, never dropped)");
        }

        /**
         * Says once per class that the handlers of its chains cannot be read ({@code why}), and what that costs: an
         * instance is known from the end of its provision on (or, a copy, once an instance of its chain is).
         */
        private synchronized void warnUnjudged(String why) {
            if (unjudgedSaid) {
                return;
            }
            unjudgedSaid = true;
            Policies.warn("ReboundModule: cannot read the interceptors in the chain of " + type.getName() + ": " + why
                    + "; an instance is known to carry ReboundModule's interceptor from the end of its provision on, so"
                    + " one still being made (a call from its constructor) or whose provision failed, of a class ajc"
                    + " never wove, is taken for an instance no ReboundModule intercepts: Rebound.isResilient says"
                    + " false of it and Rebound.wrap wraps it again (each policy applied twice, never dropped)");
        }

        private static Field[] declaredFields(Class<?> type) {
            try {
                return type.getDeclaredFields();
            } catch (LinkageError | SecurityException unreadable) {
                return new Field[0];
            }
        }
    }

    /**
     * How one class of a chain's handlers (Guice's {@code InterceptorStackCallback}) is read: a handle on its array
     * of interceptors, {@value #GUICE_INTERCEPTORS} ({@code (Object) -> Object}), or why there is none.
     */
    private record Handlers(MethodHandle interceptors, String unread) {

        static Handlers of(Class<?> type) {
            Field field = null;
            for (Field f : Carriers.declaredFields(type)) {
                if (f.getName().equals(GUICE_INTERCEPTORS) && !Modifier.isStatic(f.getModifiers())
                        && f.getType().isArray() && !f.getType().getComponentType().isPrimitive()) {
                    field = f;
                }
            }
            if (field == null) {
                return new Handlers(null, "its handler " + type.getName() + " declares no field "
                        + GUICE_INTERCEPTORS + " (another version of Guice?)");
            }
            try {
                field.setAccessible(true);
                return new Handlers(MethodHandles.lookup().unreflectGetter(field)
                        .asType(MethodType.methodType(Object.class, Object.class)), null);
            } catch (RuntimeException | IllegalAccessException closed) { // InaccessibleObjectException, ...
                return new Handlers(null, "Rebound may not read the field " + GUICE_INTERCEPTORS + " of its handler "
                        + type.getName() + " (" + closed.getClass().getSimpleName() + ")");
            }
        }

        /** Whether {@code handler}, of this class, holds a {@link DoorInterceptor}. */
        boolean holdsDoor(Object handler) {
            Object[] held;
            try {
                held = (Object[]) (Object) interceptors.invokeExact(handler);
            } catch (Throwable cannot) { // a getter of a field of the handler's own class throws nothing
                throw new IllegalStateException(cannot);
            }
            if (held != null) {
                for (Object interceptor : held) {
                    if (interceptor instanceof DoorInterceptor) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}

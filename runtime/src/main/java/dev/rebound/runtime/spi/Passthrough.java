package dev.rebound.runtime.spi;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marks the one call the engine makes on an alternative, so that the alternative's own door (its
 * woven advice, its Guice interceptor, its wrapper) lets it through instead of applying a second
 * chain: the chain is flat and each policy applies exactly once.
 *
 * <p>Costs a door one static read per call: the counter is non-zero only while some thread is inside
 * such a call, and only then is the thread-local consulted.
 */
public final class Passthrough {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    private static final ThreadLocal<Object> TARGET = new ThreadLocal<>();

    private Passthrough() {
    }

    /**
     * Whether this call on {@code self} is the engine's own call and must run as it is. True at most
     * once per {@link #enter}: calls that the target makes from inside keep their policies.
     */
    public static boolean claim(Object self) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        if (self != null && TARGET.get() == self) {
            TARGET.set(null);
            return true;
        }
        return false;
    }

    /** Marks the next call on {@code target} from this thread; returns what to hand to {@link #exit}. */
    public static Object enter(Object target) {
        Object previous = TARGET.get();
        TARGET.set(target);
        ACTIVE.incrementAndGet();
        return previous;
    }

    /** Ends a mark made by {@link #enter}, restoring the enclosing one. */
    public static void exit(Object previous) {
        ACTIVE.decrementAndGet();
        // set, never remove: re-creating the thread-local's entry on every fallback would allocate
        TARGET.set(previous);
    }
}

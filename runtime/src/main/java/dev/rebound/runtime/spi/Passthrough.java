package dev.rebound.runtime.spi;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marks the one call the engine makes on an alternative, so that the alternative's own door (its
 * woven advice, its Guice interceptor, its wrapper) lets it through instead of applying a second
 * chain: the chain is flat and each policy applies exactly once.
 *
 * <p>Costs a door one static read per call: the counter is non-zero only while some thread is inside
 * such a call, and only then is the thread's mark consulted (found by {@link PerThread}: a thread-local
 * lookup missed its first slot in JMH's threads, and was a fifth of a fallback's time through Guice).
 */
public final class Passthrough {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /** Each thread's mark: the one element is the object whose next call is the engine's, or null. */
    private static final PerThread<Object[]> TARGET = new PerThread<>(() -> new Object[1]);

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
        Object[] mark = TARGET.get();
        if (self != null && mark[0] == self) {
            mark[0] = null;
            return true;
        }
        return false;
    }

    /** Marks the next call on {@code target} from this thread; returns what to hand to {@link #exit}. */
    public static Object enter(Object target) {
        Object[] mark = TARGET.get();
        Object previous = mark[0];
        mark[0] = target;
        ACTIVE.incrementAndGet();
        return previous;
    }

    /** Ends a mark made by {@link #enter}, restoring the enclosing one. */
    public static void exit(Object previous) {
        ACTIVE.decrementAndGet();
        TARGET.get()[0] = previous;
    }
}

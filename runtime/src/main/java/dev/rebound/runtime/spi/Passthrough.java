package dev.rebound.runtime.spi;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marks the one call the engine makes on an alternative, so that the alternative's own door (its
 * woven advice, its Guice interceptor, its wrapper) lets it through instead of applying a second
 * chain: the chain is flat and each policy applies exactly once.
 *
 * <p>The door that lets the call through is the first one this thread reaches for it: the door of the
 * instance called, or, when that instance is a container's proxy (Spring's, JDK or CGLIB) that calls
 * another instance, its target: that very instance when the proxy has one fixed target (a singleton
 * bean's), else the first instance of exactly the class behind the proxy that a door reaches (a
 * prototype's, a pooled one's: another instance of that class the proxy's advice calls first would take
 * it; a fixed target swapped by another thread between the engine's read and the proxy's own would not
 * take it either). A proxy that calls its target on another thread (an {@code @Async} one) leaves the mark
 * here, and the target's door applies its policy there too.
 *
 * <p>Costs a door one static read per call: the counter is non-zero only while some thread is inside
 * such a call, and only then is the thread's mark consulted (found by {@link PerThread}: a thread-local
 * lookup missed its first slot in JMH's threads, and was a fifth of a fallback's time through Guice).
 */
public final class Passthrough {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /**
     * Each thread's mark: the object whose next call is the engine's, or null; and the class behind it
     * when it is a container's proxy that calls another instance, or null.
     */
    private static final PerThread<Object[]> TARGET = new PerThread<>(() -> new Object[2]);

    private Passthrough() {
    }

    /**
     * Whether this call on {@code self} is the engine's own call and must run as it is: {@code self} is
     * the instance marked, or an instance of exactly the class behind it. True at most once per
     * {@link #enter}: calls that the target makes from inside keep their policies.
     */
    public static boolean claim(Object self) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        if (marks(mark, self)) {
            mark[0] = null;
            mark[1] = null;
            return true;
        }
        return false;
    }

    /**
     * Whether {@link #claim} would answer true for {@code self} now, leaving the mark in place: for a door
     * that resolves a policy on such a call and must not take it for one the door itself applies.
     */
    public static boolean marked(Object self) {
        return ACTIVE.get() != 0 && marks(TARGET.get(), self);
    }

    private static boolean marks(Object[] mark, Object self) {
        Object behind = mark[1];
        return self != null && (mark[0] == self || behind != null && (behind == self || behind == self.getClass()));
    }

    /** Marks the next call on {@code target} from this thread; returns what to hand to {@link #exit}. */
    public static Object enter(Object target) {
        return enter(target, null);
    }

    /**
     * Marks the next call on {@code target} from this thread, a container's proxy whose calls reach
     * {@code behind}: the instance behind it, or, when the proxy has no one fixed target, the class of the
     * instances behind it (null: {@code target} itself runs the call); returns what to hand to
     * {@link #exit}.
     */
    public static Object enter(Object target, Object behind) {
        Object[] mark = TARGET.get();
        // an enclosing proxy's mark, not claimed yet, is kept whole (the one case that allocates)
        Object previous = mark[1] == null ? mark[0] : new Enclosing(mark[0], mark[1]);
        mark[0] = target;
        mark[1] = behind;
        ACTIVE.incrementAndGet();
        return previous;
    }

    /** Ends a mark made by {@link #enter}, restoring the enclosing one. */
    public static void exit(Object previous) {
        ACTIVE.decrementAndGet();
        Object[] mark = TARGET.get();
        if (previous instanceof Enclosing) {
            mark[0] = ((Enclosing) previous).target;
            mark[1] = ((Enclosing) previous).behind;
        } else {
            mark[0] = previous;
            mark[1] = null;
        }
    }

    /** A proxy's mark that an inner one replaced for a while. */
    private static final class Enclosing {
        final Object target;
        final Object behind;

        Enclosing(Object target, Object behind) {
            this.target = target;
            this.behind = behind;
        }
    }
}

package dev.rebound.runtime.spi;

import dev.rebound.runtime.internal.NestedCalls;
import java.lang.reflect.Method;
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
 * <p>A door that applies a woven default method's policy to an object ajc never wove ({@code Rebound.wrap},
 * {@code ReboundModule.wrapping}) marks its call for that method alone ({@link #enterMethod}): only that
 * default's advice takes it ({@link #claim(Object, Method)}), whether the object inherits the body or an
 * override reaches it with {@code Iface.super}. An override that never does leaves the mark untaken, and the
 * other woven defaults it calls on itself keep their policies.
 *
 * <p>An alternative given to {@code Rebound.wrap(...).withFallbacks} whose own door applies its own policy
 * (woven, intercepted by Guice, or a container's proxy over either) is called as it is, under a mark of
 * another kind ({@link #enterNested}): the door that reaches it first, by the same rule, takes it and still
 * applies its policy ({@link #claim(Object, ResilientMethod)} answers false), and that policy's call is
 * then part of the enclosing call, one logical call ({@link NestedCalls}). No other claim takes such a mark.
 *
 * <p>Costs a door one static read per call: the counter is non-zero only while some thread is inside
 * such a call, and only then is the thread's mark consulted (found by {@link PerThread}: a thread-local
 * lookup missed its first slot in JMH's threads, and was a fifth of a fallback's time through Guice).
 */
public final class Passthrough {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /**
     * Each thread's mark: the object whose next call is the engine's, or null; the class behind it
     * when it is a container's proxy that calls another instance, or null; the one method whose advice
     * may take the mark ({@link #enterMethod}), or null for any door; {@link #NESTED} when the door that takes
     * it applies its policy as part of the enclosing call ({@link #enterNested}), else null.
     */
    private static final PerThread<Object[]> TARGET = new PerThread<>(() -> new Object[4]);

    /** The kind of a mark made by {@link #enterNested}. */
    private static final Object NESTED = new Object();

    private Passthrough() {
    }

    /**
     * Whether this call on {@code self} is the engine's own call and must run as it is: {@code self} is
     * the instance marked, or an instance of exactly the class behind it. True at most once per
     * {@link #enter}: calls that the target makes from inside keep their policies. Never a mark made for
     * one method ({@link #enterMethod}).
     */
    public static boolean claim(Object self) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return mark[2] == null && mark[3] == null && take(mark, self);
    }

    /**
     * As {@link #claim(Object)}, for a door about to apply {@code policy} to this call on {@code self}: a mark
     * {@link #enterNested} made for {@code self} is taken too, and then the door applies {@code policy} (false)
     * as part of the enclosing call ({@link NestedCalls}).
     */
    public static boolean claim(Object self, ResilientMethod policy) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return mark[2] == null && takeOrNest(mark, self, policy);
    }

    /** As {@link #claim(Object, Method)}, and a mark {@link #enterNested} made, as {@link #claim(Object, ResilientMethod)}. */
    public static boolean claim(Object self, Method method, ResilientMethod policy) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return (mark[2] == null || mark[2].equals(method)) && takeOrNest(mark, self, policy);
    }

    /** Takes a mark on {@code self}: true to let the call through, false when {@code policy} applies, nested. */
    private static boolean takeOrNest(Object[] mark, Object self, ResilientMethod policy) {
        boolean nested = mark[3] != null;
        if (!take(mark, self)) {
            return false;
        }
        if (nested) {
            NestedCalls.claim(policy);
            return false;
        }
        return true;
    }

    /**
     * As {@link #claim(Object)}, for the advice of {@code method} (a woven default method, or a method of an
     * enum, found from its join point): it also takes a mark made for that very method
     * ({@link #enterMethod}), and only for it.
     */
    public static boolean claim(Object self, Method method) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return (mark[2] == null || mark[2].equals(method)) && mark[3] == null && take(mark, self);
    }

    /**
     * Whether some mark is in place on this or another thread: one static read. A door that must find
     * something before it {@link #claim(Object, Method) claims} (its method) asks this first, so that it
     * does nothing more while no thread is inside a marked call.
     */
    public static boolean pending() {
        return ACTIVE.get() != 0;
    }

    /**
     * Whether a door is calling {@code self} now: a mark on it is in place, for any door or for one
     * method, left in place: for a door that resolves a policy on such a call and must neither take the
     * mark for one the door itself applies nor keep what it finds as if no door were calling. Never a mark
     * {@link #enterNested} made: the door that takes it applies its policy, as when no door is calling.
     */
    public static boolean marked(Object self) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return mark[3] == null && marks(mark, self);
    }

    private static boolean take(Object[] mark, Object self) {
        if (marks(mark, self)) {
            mark[0] = null;
            mark[1] = null;
            mark[2] = null;
            mark[3] = null;
            return true;
        }
        return false;
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
        return enter(target, behind, null);
    }

    /**
     * Marks the next call of {@code method} on {@code target} from this thread, for that method's own
     * woven advice alone ({@link #claim(Object, Method)}): a door that applies the policy of {@code method},
     * a woven default method, to an object ajc never wove, and calls it. Any other door, and any other
     * method's advice, leave it in place (an override that never reaches the default leaves it untaken for
     * the call: the other woven defaults it calls keep their policies). Returns what to hand to {@link #exit}.
     */
    public static Object enterMethod(Object target, Method method) {
        return enter(target, null, method);
    }

    /**
     * Marks the next call on {@code target} from this thread (a container's proxy whose calls reach {@code
     * behind}, as {@link #enter(Object, Object)}) for a door that applies its own policy to it: the engine calls
     * {@code target} as an alternative that applies its policy itself, and its door's call is part of the
     * enclosing call, inside a {@link NestedCalls} mark the engine made. Returns what to hand to {@link #exit}.
     */
    public static Object enterNested(Object target, Object behind) {
        return enter(target, behind, null, NESTED);
    }

    private static Object enter(Object target, Object behind, Method method) {
        return enter(target, behind, method, null);
    }

    private static Object enter(Object target, Object behind, Method method, Object kind) {
        Object[] mark = TARGET.get();
        // an enclosing proxy's, method's or nested mark, not claimed yet, is kept whole (the one case that allocates)
        Object previous = mark[1] == null && mark[2] == null && mark[3] == null ? mark[0]
                : new Enclosing(mark[0], mark[1], (Method) mark[2], mark[3]);
        mark[0] = target;
        mark[1] = behind;
        mark[2] = method;
        mark[3] = kind;
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
            mark[2] = ((Enclosing) previous).method;
            mark[3] = ((Enclosing) previous).kind;
        } else {
            mark[0] = previous;
            mark[1] = null;
            mark[2] = null;
            mark[3] = null;
        }
    }

    /** A proxy's, one method's or a nested mark that an inner one replaced for a while. */
    private static final class Enclosing {
        final Object target;
        final Object behind;
        final Method method;
        final Object kind;

        Enclosing(Object target, Object behind, Method method, Object kind) {
            this.target = target;
            this.behind = behind;
            this.method = method;
            this.kind = kind;
        }
    }
}

package dev.rebound.runtime.spi;

import dev.rebound.runtime.internal.NestedCalls;
import dev.rebound.runtime.internal.Shortcut;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marks the one call the engine makes on an alternative, so that the alternative's own door (its
 * woven advice, its Guice interceptor, its wrapper) lets it through instead of applying a second
 * chain: the chain is flat and each policy applies exactly once.
 *
 * <p>A mark names the instance called and the one method called on it, and only a door of that method takes
 * it ({@link #claim(Object, Method)}): what something in front of the door calls first on the same instance (an
 * application's Guice interceptor on {@code getThis()}, a Spring proxy's advice on its target), another method
 * with a policy of its own, leaves the mark in place and runs under that policy, a call of its own. A method is
 * the door's when it is the one marked or has its name and parameter types (an interface's method and its
 * class's, a JDK proxy's and its target's): the door that marks it, knowing the instance's class, names the
 * method doors intercept there, never a bridge ({@link
 * dev.rebound.runtime.internal.MethodScan#intercepted}).
 *
 * <p>The door that lets the call through is the first one this thread reaches for it: the door of the
 * instance called, or, when that instance is a container's proxy (Spring's, JDK or CGLIB) that calls
 * another instance, its target: that very instance when the proxy has one fixed target (a singleton
 * bean's), else the first instance of exactly the class behind the proxy that a door reaches (a
 * prototype's, a pooled one's: another instance of that class the proxy's advice calls first, the same method,
 * would take it; a fixed target swapped by another thread between the engine's read and the proxy's own would
 * not take it either). A proxy that calls its target on another thread (an {@code @Async} one) leaves the mark
 * here, and the target's door applies its policy there too.
 *
 * <p>A door that applies a woven default method's policy to an object ajc never wove ({@code Rebound.wrap},
 * {@code ReboundModule.wrapping}) marks its call of that method ({@link #enterMethod}): only that default's advice
 * takes it, and only on the instance the door calls, whether it inherits the body or an override reaches it with
 * {@code Iface.super}, or, when that object is a container's proxy that says what it hands the call to, on the
 * instance behind it by the rule above (its fixed target; without one, an instance of exactly the class behind). An
 * override that never does leaves the mark untaken, and the other woven defaults it calls on itself keep their
 * policies; so does any other instance the object calls meanwhile (one it consults, one an application's JDK proxy or
 * decorator hands the call to: which instance that is, nothing says), whose door applies its policy as called directly,
 * a nested retry the enclosing call's first failure may name. Taken or not, such a mark leaves the door calling that
 * object ({@link #marked}) until the door's call ends ({@link #exit}, however it ends): another woven default that the
 * default calls on itself applies its own policy there, and the advice says nothing of the class, whose policies the
 * door applies.
 *
 * <p>An alternative given to {@code Rebound.wrap(...).withFallbacks} whose own door applies its own policy
 * (woven, intercepted by Guice, or a container's proxy over either) is called as it is, under a mark of
 * another kind ({@link #enterNested}): the door that reaches it first, by the same rule, takes it and still
 * applies its policy ({@link #claim(Object, Method, ResilientMethod)} answers false), and that policy's call is
 * then part of the enclosing call, one logical call ({@link NestedCalls}). No other claim takes such a mark.
 *
 * <p>Costs a door one static read per call ({@link #pending}): the counter is non-zero only while some thread is
 * inside such a call, and only then does the door find its method and is the thread's mark consulted (found by
 * {@link PerThread}: a thread-local lookup missed its first slot in JMH's threads, and was a fifth of a
 * fallback's time through Guice).
 */
public final class Passthrough {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /**
     * Each thread's mark: the object whose next call is the engine's, or null; the class behind it
     * when it is a container's proxy that calls another instance, or null; the one method whose door
     * may take the mark; {@link #NESTED} when the door that takes it applies its policy as part of the
     * enclosing call ({@link #enterNested}), else null. Then, apart from the mark and never taken, the object
     * a door that applies a woven default's policy is calling ({@link #enterMethod}) and what is behind it, until
     * that door's call ends, or nulls.
     */
    private static final PerThread<Object[]> TARGET = new PerThread<>(() -> new Object[6]);

    /** The kind of a mark made by {@link #enterNested}. */
    private static final Object NESTED = new Object();

    /** The kind of a mark made by {@link #enterMethod}. */
    private static final Object DEFAULT = new Object();

    private Passthrough() {
    }

    /**
     * Whether this call of {@code method} on {@code self} is the engine's own call and must run as it is:
     * {@code self} is the instance marked, or an instance of exactly the class behind it, and {@code method} the
     * method marked ({@link #sameMethod}). True at most once per {@link #enter}: calls that the target makes from
     * inside keep their policies. Never a mark {@link #enterNested} or {@link #enterMethod} made.
     *
     * @param method the method the door intercepts: the woven advice's join point's, the one a proxy is called with
     */
    public static boolean claim(Object self, Method method) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return mark[3] == null && marks(mark[0], mark[1], self) && sameMethod((Method) mark[2], method) && clear(mark);
    }

    /**
     * As {@link #claim(Object, Method)}, for a door about to apply {@code policy} to this call of {@code method} on
     * {@code self}: a mark {@link #enterNested} made for them is taken too, and then the door applies {@code
     * policy} (false) as part of the enclosing call ({@link NestedCalls}); a mark {@link #enterMethod} made is taken
     * by a door of exactly the woven default method marked, on the instance marked or the one behind it.
     *
     * @param method the method the door intercepts: the woven advice's join point's, Guice's invocation's
     */
    public static boolean claim(Object self, Method method, ResilientMethod policy) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        if (!marks(mark[0], mark[1], self)) {
            return false; // another instance (one the target consults, one a decorator calls) keeps its policy
        }
        if (mark[3] == DEFAULT) {
            return mark[2].equals(method) && clear(mark);
        }
        if (!sameMethod((Method) mark[2], method)) {
            return false;
        }
        boolean nested = mark[3] != null;
        clear(mark);
        if (nested) {
            NestedCalls.claim(policy);
            return false;
        }
        return true;
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
     * Whether a door is calling {@code self} now: a mark on it is in place, for whichever method, left in place:
     * for a door that resolves a policy on such a call and must neither take the mark for one the door itself
     * applies nor keep what it finds as if no door were calling. Never a mark {@link #enterNested} made: the door
     * that takes it applies its policy, as when no door is calling. A mark {@link #enterMethod} made is on the
     * instance its door calls, or on the one behind it (or the instances of the class behind it) when that is a
     * container's proxy that says it, and that door is calling them until its call ends, the mark taken or not
     * (the default it marked calling another woven default on itself).
     */
    public static boolean marked(Object self) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = TARGET.get();
        return mark[3] != NESTED && marks(mark[0], mark[1], self) || marks(mark[4], mark[5], self);
    }

    /** Takes the mark, leaving the object a door is calling ({@link #enterMethod}): always true. */
    private static boolean clear(Object[] mark) {
        mark[0] = null;
        mark[1] = null;
        mark[2] = null;
        mark[3] = null;
        return true;
    }

    /** Whether {@code self} is {@code target}, or {@code behind} (the instance behind it, or one of that class). */
    private static boolean marks(Object target, Object behind, Object self) {
        return self != null && (target == self || behind != null && (behind == self || behind == self.getClass()));
    }

    /**
     * Whether a door of {@code method} may take a mark for {@code marked}: the same method, or one with its name
     * and parameter types (declared elsewhere: an interface's and its class's, a JDK proxy's interface's and its
     * target's). Reads the parameter types (two copies) only for a method of the marked instance named alike, as
     * the door reaches it, and not the one marked.
     */
    private static boolean sameMethod(Method marked, Method method) {
        return marked == method || marked.equals(method) || marked.getName().equals(method.getName())
                && marked.getParameterCount() == method.getParameterCount()
                && Arrays.equals(marked.getParameterTypes(), method.getParameterTypes());
    }

    /**
     * Marks the next call of {@code method} on {@code target} from this thread, a container's proxy whose calls
     * reach {@code behind}: the instance behind it, or, when the proxy has no one fixed target, the class of the
     * instances behind it (null: {@code target} itself runs the call); returns what to hand to {@link #exit}.
     *
     * @param method the method the doors there intercept (of the class behind a proxy; of the interface for a JDK
     *     proxy that is itself a door): another method called on the instance first leaves the mark in place
     */
    public static Object enter(Object target, Object behind, Method method) {
        return enter(target, behind, method, null);
    }

    /**
     * Marks the next call of {@code method} from this thread, for that method's own woven advice ({@link
     * #claim(Object, Method, ResilientMethod)}): a door that applies the policy of {@code method}, a woven default
     * method, to {@code target}, an object no door has reached, and calls it. The advice of that very method takes
     * the mark on {@code target}, or on {@code behind} when {@code target} is a container's proxy that says what it
     * hands the call to: the instance behind it (its fixed target), or the class of the instances behind it (a
     * target made per call), as {@link #enter} says; null when nothing says it (an application's JDK proxy or
     * decorator: the instance it calls applies its own policy). Any other method's advice, and the same method's on
     * any other instance, leaves it in place (an override that never reaches the default leaves it untaken for the
     * call: the other woven defaults it calls, and the other objects it consults, keep their policies). A door is
     * calling ({@link #marked}) {@code target} and {@code behind} until {@link #exit}, the mark taken or not.
     * Returns what to hand to {@link #exit}.
     */
    public static Object enterMethod(Object target, Object behind, Method method) {
        return enter(target, behind, method, DEFAULT);
    }

    /**
     * Marks the next call of {@code method} on {@code target} from this thread (a container's proxy whose calls
     * reach {@code behind}, as {@link #enter}) for a door that applies its own policy to it: the engine calls
     * {@code target} as an alternative that applies its policy itself, and its door's call is part of the
     * enclosing call, inside a {@link NestedCalls} mark the engine made. Returns what to hand to {@link #exit}.
     */
    public static Object enterNested(Object target, Object behind, Method method) {
        return enter(target, behind, method, NESTED);
    }

    private static Object enter(Object target, Object behind, Method method, Object kind) {
        Object[] mark = TARGET.get();
        // an enclosing mark not taken yet, or the object an enclosing door is calling, is kept whole (the one case
        // that allocates)
        Object previous = mark[0] == null && mark[4] == null ? null : mark.clone();
        mark[0] = target;
        mark[1] = behind;
        mark[2] = method;
        mark[3] = kind;
        if (kind == DEFAULT) {
            mark[4] = target;
            mark[5] = behind;
        }
        Shortcut.close();
        ACTIVE.incrementAndGet();
        return previous;
    }

    /**
     * Ends a mark made by {@link #enter}, restoring the enclosing one and what an enclosing door is calling: nothing of
     * the call it ends is left on the thread.
     */
    public static void exit(Object previous) {
        ACTIVE.decrementAndGet();
        Shortcut.reopen();
        Object[] mark = TARGET.get();
        if (previous instanceof Object[]) {
            System.arraycopy((Object[]) previous, 0, mark, 0, mark.length);
        } else {
            Arrays.fill(mark, null);
        }
    }
}

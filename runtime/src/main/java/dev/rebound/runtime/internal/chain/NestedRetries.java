package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.internal.Branches;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when a retrying method is about to retry inside another retrying method, once for each outer
 * method a method's executor is found in (a wrapper built anew warns anew; a wrapper over an object that
 * retries itself, once per pair of names): the attempts multiply (3 x 3 = 9 calls to the inner dependency). Every door's methods are
 * registered by {@link Chains#executorOf}, so it works whichever door made them, {@code Rebound.wrap}
 * included.
 *
 * <p>Checked only when an inner first attempt has failed, by walking the stack for frames where the code
 * of a live retrying executor runs, so a successful call pays nothing. A frame tells the method, not the
 * wrapper whose call it is: an executor dropped since is no longer registered (once collected), but one
 * still in use takes every frame of its method for its own, another wrapper's or an unwrapped call. A walk
 * costs tens of microseconds and kilobytes, so it runs on failures number 1, 2, 4, 8, ... of each method and on one in
 * {@link #SAMPLE} after that: a nesting that happens at all happens often, and is still found. An
 * inner call in a {@code Parallel} or {@code Batch} branch is checked on its own stack, then on the
 * stack of the thread that submitted the branch, when that thread stops waiting for its branches.
 */
final class NestedRetries {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /**
     * Shows hidden frames: a target written as a lambda (or any other hidden class) runs its method in
     * a hidden class, whose frames a default walker skips, and would never be found as the outer method.
     */
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.SHOW_HIDDEN_FRAMES);
    /**
     * "class#method" where the code of resolved methods that retry runs -> their executors, each weakly with
     * its name and attempts: several when one body serves several policies (a base class's method under
     * its subclasses' interfaces, a class under several wrappers). A wrapper dropped is no caller once it
     * is collected, and leaves nothing here from the next registration on (no class loader is held).
     */
    private static final Map<String, Set<Registered>> RUNS_IN = new ConcurrentHashMap<>();
    /** The registrations whose executor was collected, removed at the next registration. */
    private static final ReferenceQueue<ResilientMethod> DROPPED = new ReferenceQueue<>();
    /**
     * Pairs of methods (by name) already warned about when a door wraps an object that retries itself
     * ({@link Chains#warnNestedRetries}); a pair found on the stack is remembered by the inner method's
     * executor instead (see {@link #check}), so that it goes with it.
     */
    private static final Set<List<String>> WARNED = ConcurrentHashMap.newKeySet();

    /**
     * An executor, weakly, as the check needs it: where its code runs, its method's name and its attempts,
     * and the descriptors of the methods of that name its class declares, bridges left out ({@link #ownCode}).
     */
    private static final class Registered extends WeakReference<ResilientMethod> {
        final String at;
        final String name;
        final int attempts;
        final Set<String> ownCode;

        Registered(ResilientMethod policy, String at, int attempts, Set<String> ownCode) {
            super(policy, DROPPED);
            this.at = at;
            this.name = policy.name();
            this.attempts = attempts;
            this.ownCode = ownCode;
        }

        boolean live() {
            return get() != null;
        }
    }

    static final int SAMPLE = 1 << 16;

    private NestedRetries() {
    }

    /** Records {@code policy}, whose code runs in {@code type}'s method {@code method}, if it retries, while it lives. */
    static void register(Class<?> type, String method, ResilientMethod policy) {
        int attempts = attempts(policy);
        if (type == null || attempts < 2) {
            return;
        }
        for (Reference<?> r = DROPPED.poll(); r != null; r = DROPPED.poll()) {
            Registered gone = (Registered) r;
            RUNS_IN.computeIfPresent(gone.at, (k, set) -> set.remove(gone) && set.isEmpty() ? null : set);
        }
        String at = type.getName() + '#' + method;
        Registered registered = new Registered(policy, at, attempts, ownCode(type, method));
        RUNS_IN.compute(at, (k, set) -> {
            Set<Registered> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(registered); // under the key's lock: a set emptied by a purge is never added to
            return s;
        });
    }

    /**
     * The descriptors of {@code type}'s own methods named {@code name}, bridges left out: a frame of one of
     * them is that method's code running. A frame of a bridge javac added (for an erased or covariant
     * signature, or to make a non-public superclass's method public, with the same descriptor) is only the
     * way into the method's code, and never taken for a recursive call.
     */
    private static Set<String> ownCode(Class<?> type, String name) {
        try {
            Set<String> own = new HashSet<>();
            for (Method m : type.getDeclaredMethods()) {
                if (m.getName().equals(name) && !m.isBridge()) {
                    own.add(MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString());
                }
            }
            return Set.copyOf(own);
        } catch (LinkageError | SecurityException e) {
            return Set.of(); // its methods can't be read: no frame of it is taken for a recursive call
        }
    }

    /** Whether the {@code n}th failure (1-based) of a method is one to check. */
    static boolean sampled(int n) {
        return (n & (n - 1)) == 0 || (n & (SAMPLE - 1)) == 0;
    }

    /**
     * Called when {@code inner}'s first attempt failed, before its retries start, from inside the
     * execution of its method {@code methodName}: the first frame of that name is the inner call itself
     * (its code may live in a superclass, or a generated subclass or proxy), so the search for an
     * outer retrying method starts below it. {@code warned} holds the names of the outer methods
     * {@code inner}'s executor has warned about: once each.
     *
     * <p>A method that calls itself is its own outer method: below the inner call, a frame of {@code inner}'s
     * own method (in the class where its code runs, {@code runsIn}) with the inner call's descriptor is an
     * execution of that method, one level up (its door's frame for a woven method, its body for Guice and
     * {@code Rebound.wrap}). A frame of that name in that class with another descriptor is not: the bridge
     * javac adds for an erased or covariant signature is the inner call's way in, as is a bridge with the same
     * descriptor (javac's, making a non-public superclass's method public); an overload of the method, running
     * its own code, is another method, an outer one if it retries. A frame of another class is another
     * method's, whatever its name: a decorator's method calling the same contract method on another object
     * is an outer method of a pair, not a recursion.
     *
     * <p>When this thread runs a branch of {@code Parallel} or {@code Batch}, its stack ends at its pool
     * thread's loop, and the method that made the branches is on the submitting thread's: when no outer
     * method shows here, the search goes on there, from the top, once that thread stops waiting for the
     * branches ({@link Branches#atSubmitter}), and so on up through branches of branches.
     */
    static void check(ResilientMethod inner, Class<?> runsIn, String methodName, Set<String> warned) {
        if (mayNest(inner)) {
            Inner in = new Inner(inner.name(), runsIn == null ? null : runsIn.getName() + '#' + methodName);
            Below below = WALKER.walk(frames -> below(frames.iterator(), methodName, in));
            found(inner, in, warned, below.outer(), below.entry());
        }
    }

    /** The inner call's method, as frames and registrations tell it: its name, and where its code runs ({@code at}). */
    private record Inner(String name, String at) {
    }

    /** The inner call's frame, by its descriptor (null if not found), and the first outer retrying method below it. */
    private record Below(String entry, Registered outer) {
    }

    private static Below below(Iterator<StackWalker.StackFrame> frames, String methodName, Inner inner) {
        while (frames.hasNext()) {
            StackWalker.StackFrame f = frames.next();
            if (f.getMethodName().equals(methodName)) {
                String entry = f.getDescriptor();
                return new Below(entry, outer(frames, inner, entry));
            }
        }
        return new Below(null, null);
    }

    /** Whether any live retrying method is registered, {@code inner}'s own included, which could be found around it. */
    private static boolean mayNest(ResilientMethod inner) {
        if (attempts(inner) < 2) {
            return false;
        }
        for (Set<Registered> at : RUNS_IN.values()) {
            for (Registered r : at) {
                if (r.live()) {
                    return true;
                }
            }
        }
        return false; // nothing registered (inner a spec without runsIn, and no other): no outer retry
    }

    /**
     * The first of {@code frames} in a live retrying method: another than {@code inner}'s, or that one
     * called again (a frame with the inner call's descriptor {@code entry}, when it is known); or null.
     */
    private static Registered outer(Iterator<StackWalker.StackFrame> frames, Inner inner, String entry) {
        while (frames.hasNext()) {
            StackWalker.StackFrame f = frames.next();
            Registered r = retryingAt(RUNS_IN.get(f.getClassName() + '#' + f.getMethodName()), inner, f, entry);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /**
     * Of the live executors registered at {@code frame}'s method, every one considered (one name of a class
     * holds all its overloads' executors, and every wrapper's over it):
     * <ul>
     * <li>in {@code inner}'s class and of its name: itself when the frame has the inner call's descriptor
     * {@code entry} and is the code of a method the class declares, not a bridge (a recursive call); else
     * nothing (the inner call's way in, a bridge);
     * <li>in {@code inner}'s class, of another name (an overload): that one, when the frame is the code of a
     * method the class declares, not a bridge into the inner call;
     * <li>in another class, of {@code inner}'s name (a decorator over another implementation of the same
     * contract method): that one, when the frame is the code of a method the class declares;
     * <li>in another class, of another name: that one.
     * </ul>
     * A recursive call is taken first; else the first other one; else null.
     */
    private static Registered retryingAt(Set<Registered> at, Inner inner, StackWalker.StackFrame frame,
            String entry) {
        if (at == null) {
            return null;
        }
        String descriptor = frame.getDescriptor();
        Registered other = null;
        for (Registered r : at) {
            if (!r.live()) {
                continue; // a dropped wrapper is no caller
            }
            boolean innersName = r.name.equals(inner.name());
            if (r.at.equals(inner.at())) {
                boolean innersCode = descriptor.equals(entry);
                if (innersName && innersCode && r.ownCode.contains(entry)) {
                    return r;
                }
                if (!innersName && !innersCode && other == null && r.ownCode.contains(descriptor)) {
                    other = r;
                }
            } else if (other == null && (!innersName || r.ownCode.contains(descriptor))) {
                other = r;
            }
        }
        return other;
    }

    /** Whether {@code outer}, found around {@code inner}'s call, is {@code inner}'s method called again. */
    private static boolean recursion(Registered outer, Inner inner) {
        return outer.at.equals(inner.at()) && outer.name.equals(inner.name());
    }

    /**
     * Warns of {@code outer}, once for {@code inner}; else goes on on the thread that submitted this branch,
     * if any, where a frame with {@code inner}'s descriptor {@code entry} is a recursive call too.
     */
    private static void found(ResilientMethod inner, Inner in, Set<String> warned, Registered outer, String entry) {
        if (outer == null) {
            Branches.atSubmitter(() -> found(inner, in, warned,
                    WALKER.walk(frames -> outer(frames.iterator(), in, entry)), entry));
        } else if (warned.add(outer.name)) {
            warn(outer.name, outer.attempts, inner.name(), attempts(inner), recursion(outer, in));
        }
    }

    /** Logs the nested-retry warning for a pair of methods, the first time the pair (by name) is seen. */
    static void warnOnce(String outer, int outerAttempts, String inner, int innerAttempts) {
        if (WARNED.add(List.of(outer, inner))) {
            warn(outer, outerAttempts, inner, innerAttempts, false);
        }
    }

    private static void warn(String outer, int outerAttempts, String inner, int innerAttempts, boolean itself) {
        if (itself) {
            LOG.warn("Nested retries: {} ({} attempts) calls {} ({} attempts), itself: each level of the recursion "
                    + "retries, so the attempts multiply ({} at two levels, {} at three). Retry outside the "
                    + "recursion: keep @Retry on a method that calls {}, not on {} itself, or narrow its @Retry.on.",
                    outer, outerAttempts, inner, innerAttempts, outerAttempts * innerAttempts,
                    outerAttempts * outerAttempts * innerAttempts, inner, inner);
            return;
        }
        LOG.warn("Nested retries: {} ({} attempts) calls {} ({} attempts), so one call of {} can make up "
                + "to {} attempts of {}. Retry at one level only: drop @Retry from one of them, or "
                + "narrow its @Retry.on.", outer, outerAttempts, inner, innerAttempts,
                outer, outerAttempts * innerAttempts, inner);
    }

    private static int attempts(ResilientMethod policy) {
        return policy.diagnostics().primaryRetry().attempts();
    }
}

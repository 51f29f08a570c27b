package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.internal.Branches;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
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

    /** An executor, weakly, as the check needs it: where its code runs, its method's name and its attempts. */
    private static final class Registered extends WeakReference<ResilientMethod> {
        final String at;
        final String name;
        final int attempts;

        Registered(ResilientMethod policy, String at, int attempts) {
            super(policy, DROPPED);
            this.at = at;
            this.name = policy.name();
            this.attempts = attempts;
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
        Registered registered = new Registered(policy, at, attempts);
        RUNS_IN.compute(at, (k, set) -> {
            Set<Registered> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(registered); // under the key's lock: a set emptied by a purge is never added to
            return s;
        });
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
     * <p>When this thread runs a branch of {@code Parallel} or {@code Batch}, its stack ends at its pool
     * thread's loop, and the method that made the branches is on the submitting thread's: when no outer
     * method shows here, the search goes on there, from the top, once that thread stops waiting for the
     * branches ({@link Branches#atSubmitter}), and so on up through branches of branches.
     */
    static void check(ResilientMethod inner, String methodName, Set<String> warned) {
        if (mayNest(inner)) {
            found(inner, warned, WALKER.walk(frames -> outer(frames
                    .dropWhile(f -> !f.getMethodName().equals(methodName))
                    .skip(1), inner.name())));
        }
    }

    /** Whether any live retrying method but {@code inner} is registered, which could be found around it. */
    private static boolean mayNest(ResilientMethod inner) {
        if (attempts(inner) < 2) {
            return false;
        }
        String innerName = inner.name();
        for (Set<Registered> at : RUNS_IN.values()) {
            for (Registered r : at) {
                if (!r.name.equals(innerName) && r.live()) {
                    return true;
                }
            }
        }
        return false; // nothing else registered (nor anything at all: a spec without runsIn): no outer retry
    }

    /** The first of {@code frames} in a live retrying method other than {@code innerName}'s, or null. */
    private static Registered outer(Stream<StackWalker.StackFrame> frames, String innerName) {
        return frames
                .map(f -> retryingAt(RUNS_IN.get(f.getClassName() + '#' + f.getMethodName()), innerName))
                .filter(r -> r != null)
                .findFirst().orElse(null);
    }

    /** Of the executors registered at one frame's method: the first live one, when none is {@code innerName}'s. */
    private static Registered retryingAt(Set<Registered> at, String innerName) {
        if (at == null) {
            return null;
        }
        Registered first = null;
        for (Registered r : at) {
            if (!r.live()) {
                continue; // a dropped wrapper is no caller
            }
            if (r.name.equals(innerName)) {
                return null;
            }
            if (first == null) {
                first = r;
            }
        }
        return first;
    }

    /** Warns of {@code outer}, once for {@code inner}; else goes on on the thread that submitted this branch, if any. */
    private static void found(ResilientMethod inner, Set<String> warned, Registered outer) {
        if (outer == null) {
            Branches.atSubmitter(() -> found(inner, warned, WALKER.walk(frames -> outer(frames, inner.name()))));
        } else if (warned.add(outer.name)) {
            warn(outer.name, outer.attempts, inner.name(), attempts(inner));
        }
    }

    /** Logs the nested-retry warning for a pair of methods, the first time the pair (by name) is seen. */
    static void warnOnce(String outer, int outerAttempts, String inner, int innerAttempts) {
        if (WARNED.add(List.of(outer, inner))) {
            warn(outer, outerAttempts, inner, innerAttempts);
        }
    }

    private static void warn(String outer, int outerAttempts, String inner, int innerAttempts) {
        LOG.warn("Nested retries: {} ({} attempts) calls {} ({} attempts), so one call of {} can make up "
                + "to {} attempts of {}. Retry at one level only: drop @Retry from one of them, or "
                + "narrow its @Retry.on.", outer, outerAttempts, inner, innerAttempts,
                outer, outerAttempts * innerAttempts, inner);
    }

    private static int attempts(ResilientMethod policy) {
        return policy.diagnostics().primaryRetry().attempts();
    }
}

package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.internal.Branches;
import dev.rebound.runtime.spi.ResilientMethod;
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
 * <p>Checked only when an inner first attempt has failed, by walking the stack for frames of
 * registered retrying methods, so a successful call pays nothing. A walk costs tens of microseconds
 * and kilobytes, so it runs on failures number 1, 2, 4, 8, ... of each method and on one in
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
     * "class#method" where the code of resolved methods that retry runs -> the policies run there, by
     * name and attempts: several when one body serves several policies (a base class's method under
     * its subclasses' interfaces). Names and counts only, never an executor: a wrapper built per
     * tenant and dropped leaves nothing here but its method's name (and no class loader is held).
     */
    private static final Map<String, Set<Retrying>> RETRYING = new ConcurrentHashMap<>();
    /**
     * Pairs of methods (by name) already warned about when a door wraps an object that retries itself
     * ({@link Chains#warnNestedRetries}); a pair found on the stack is remembered by the inner method's
     * executor instead (see {@link #check}), so that it goes with it.
     */
    private static final Set<List<String>> WARNED = ConcurrentHashMap.newKeySet();

    /** A retrying policy as the check needs it: its method's name and its attempts. */
    private record Retrying(String name, int attempts) {
    }
    static final int SAMPLE = 1 << 16;

    private NestedRetries() {
    }

    /** Records {@code policy}, whose code runs in {@code type}'s method {@code method}, if it retries. */
    static void register(Class<?> type, String method, ResilientMethod policy) {
        int attempts = attempts(policy);
        if (type != null && attempts > 1) {
            RETRYING.computeIfAbsent(type.getName() + '#' + method, k -> ConcurrentHashMap.newKeySet())
                    .add(new Retrying(policy.name(), attempts));
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

    /** Whether any retrying method but {@code inner} is registered, which could be found around it. */
    private static boolean mayNest(ResilientMethod inner) {
        String innerName = inner.name();
        // nothing else registered (nor anything at all: a spec without runsIn): no outer retry to find
        return attempts(inner) >= 2 && !RETRYING.isEmpty() && (RETRYING.size() >= 2
                || !RETRYING.values().iterator().next().stream().allMatch(p -> p.name().equals(innerName)));
    }

    /** The first of {@code frames} in a retrying method other than {@code innerName}'s, or null. */
    private static Retrying outer(Stream<StackWalker.StackFrame> frames, String innerName) {
        return frames
                .map(f -> RETRYING.get(f.getClassName() + '#' + f.getMethodName()))
                .filter(ps -> ps != null && !ps.isEmpty() && ps.stream().noneMatch(p -> p.name().equals(innerName)))
                .map(ps -> ps.iterator().next())
                .findFirst().orElse(null);
    }

    /** Warns of {@code outer}, once for {@code inner}; else goes on on the thread that submitted this branch, if any. */
    private static void found(ResilientMethod inner, Set<String> warned, Retrying outer) {
        if (outer == null) {
            Branches.atSubmitter(() -> found(inner, warned, WALKER.walk(frames -> outer(frames, inner.name()))));
        } else if (warned.add(outer.name())) {
            warn(outer.name(), outer.attempts(), inner.name(), attempts(inner));
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

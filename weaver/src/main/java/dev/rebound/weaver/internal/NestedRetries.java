package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per pair, when a retrying method is about to retry inside another retrying method:
 * the attempts multiply (3 x 3 = 9 calls to the inner dependency). Checked only when an inner first
 * attempt has failed, by walking the stack for frames of registered retrying methods, so a
 * successful call pays nothing. A walk costs tens of microseconds and kilobytes, so it runs on the
 * first failure of each policy and then on one failure in {@link #SAMPLE}: a nesting that happens
 * at all happens often, and is still found.
 */
public final class NestedRetries {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    private static final StackWalker WALKER = StackWalker.getInstance();
    /** "class#method" of every resolved policy that retries -> that policy. */
    private static final Map<String, ResilientMethod> RETRYING = new ConcurrentHashMap<>();
    /** Pairs of policies (compared by identity) already warned about. */
    private static final Set<List<ResilientMethod>> WARNED = ConcurrentHashMap.newKeySet();
    /** Inner policies whose first failure was checked. */
    private static final Set<ResilientMethod> CHECKED = ConcurrentHashMap.newKeySet();
    static final int SAMPLE = 1024;
    /** Failures seen after the first of each policy; racy on purpose: a lost count only shifts the sample. */
    private static int failures;

    private NestedRetries() {
    }

    /** Records {@code method} of {@code type} as resilient, if its policy retries. */
    public static void register(Class<?> type, Method method, ResilientMethod policy) {
        if (attempts(policy) > 1) {
            RETRYING.put(type.getName() + '#' + method.getName(), policy);
        }
    }

    /** Called when {@code inner}'s first attempt failed, before its retries start. */
    public static void check(ResilientMethod inner) {
        int innerAttempts = attempts(inner);
        if (innerAttempts < 2 || RETRYING.size() < 2 && RETRYING.containsValue(inner)) {
            return;
        }
        if (CHECKED.contains(inner) && (++failures & (SAMPLE - 1)) != 0) {
            return;
        }
        CHECKED.add(inner);
        ResilientMethod outer = WALKER.walk(frames -> frames
                .map(f -> RETRYING.get(f.getClassName() + '#' + f.getMethodName()))
                .filter(p -> p != null && !p.name().equals(inner.name()))
                .findFirst().orElse(null));
        if (outer != null && WARNED.add(List.of(outer, inner))) {
            int outerAttempts = attempts(outer);
            LOG.warn("Nested retries: {} ({} attempts) calls {} ({} attempts), so one call of {} can make up "
                    + "to {} attempts of {}. Retry at one level only: drop @Retry from one of them, or "
                    + "narrow its @Retry.on.", outer.name(), outerAttempts, inner.name(), innerAttempts,
                    outer.name(), outerAttempts * innerAttempts, inner.name());
        }
    }

    private static int attempts(ResilientMethod policy) {
        return policy.diagnostics().primaryRetry().attempts();
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Rebound.wrap} over an object that applies its policies already (woven, intercepted by Guice, or
 * itself a wrapper): each policy applies exactly once, and a builder policy layered over it is a nested
 * retry, said before the first call.
 */
public final class AlreadyResilient {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private AlreadyResilient() {
    }

    /**
     * Says once per type and target class (and, for a container's proxy that says it, the class behind it) that
     * the target is returned as it is; a warning when the builder was given settings or a name, which the target's
     * own policies do not use.
     */
    public static void logOnce(Class<?> type, Object target, boolean settingsGiven, boolean nameGiven) {
        String targetName = nameOf(target);
        Class<?> behind = ContainerProxies.targetClassOf(target); // one $ProxyN class serves many beans
        String targetClass = target.getClass().getName() + (behind != null ? " " + behind.getName() : "");
        if (!LOGGED.add(type.getName() + ' ' + targetClass + ' ' + settingsGiven + nameGiven)) {
            return;
        }
        if (settingsGiven || nameGiven) {
            LOG.warn("Rebound.wrap({}): {} applies its policies already, with its own settings and names; "
                    + "this wrapper's {} not used and the target is returned as it is. Give a woven class "
                    + "its clock and listeners with ReboundSettings.setGlobal, a Guice one with "
                    + "new ReboundModule(settings), or wrap an object no door reached",
                    type.getSimpleName(), targetName,
                    settingsGiven && nameGiven ? "settings(...) and named(...) are" : settingsGiven
                            ? "settings(...) are" : "named(...) is");
        } else {
            LOG.info("Rebound.wrap({}): {} applies its policies already; returned as it is, so each policy "
                    + "applies once", type.getSimpleName(), targetName);
        }
    }

    /** Warns for each method whose builder retry would run around the target's own retry. */
    public static void warnIfNested(Class<?> type, Object target, Map<Method, ResilientMethod> outer) {
        outer.forEach((m, executor) -> {
            int innerAttempts = ownAttempts(type, target, m);
            String inner = AnnotationLookup.describe(type, m) + " on " + nameOf(target);
            Chains.warnNestedRetries(executor.name() + " (Rebound.wrap)",
                    executor.diagnostics().primaryRetry().attempts(), inner, innerAttempts);
        });
    }

    /**
     * How a log names {@code target}: a wrapper's name; the user's class behind a container's proxy that
     * says which; else its own simple name.
     */
    private static String nameOf(Object target) {
        Class<?> user = ResilientProxy.isWrapper(target) ? null : ContainerProxies.targetClassOf(target);
        return user != null ? AnnotationLookup.simpleName(user) : ResilientProxy.nameOf(target);
    }

    /** How many attempts {@code target} makes of {@code m} by itself. */
    private static int ownAttempts(Class<?> type, Object target, Method m) {
        ResilientMethod own = ResilientProxy.isWrapper(target) ? ResilientProxy.policyOf(target, m) : null;
        if (own != null) {
            return own.diagnostics().primaryRetry().attempts();
        }
        // a container's proxy or generated subclass: the user's class behind it (a Spring JDK proxy says which)
        Class<?> impl = ContainerProxies.userClassOf(target);
        Retry retry = AnnotationLookup.find(Retry.class, impl, type, m);
        return retry == null ? 1 : retry.attempts();
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.AlternativeResolver;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternatives that policies on the global settings (woven classes, {@code Rebound.wrap} without
 * settings) have the global resolver make, noted per resolver: a policy keeps what it was given, so a
 * resolver that {@code ReboundSettings.setGlobal} replaces after it made some is never asked again for
 * them, and the new one is not asked at all. Said once per replaced resolver, at WARN, naming the classes
 * (never instances or arguments), when either resolver is one the user gave: a test that stubs the
 * resolver after a woven class was first used (or restores it after a test that did) would otherwise get
 * the other resolver's alternatives in silence.
 */
public final class GlobalAlternatives {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /** Per resolver (weakly), the names of the alternative classes it made for policies on the global settings. */
    private static final Map<AlternativeResolver, Set<String>> MADE = Collections.synchronizedMap(new WeakHashMap<>());

    private GlobalAlternatives() {
    }

    /**
     * The global resolver's instance of {@code type}, noted as made by it.
     *
     * @throws RuntimeException what the resolver throws
     */
    public static Object instanceOf(Class<?> type) {
        AlternativeResolver resolver = ReboundSettings.global().alternatives();
        Object instance = resolver.instanceOf(type);
        MADE.computeIfAbsent(resolver, r -> ConcurrentHashMap.newKeySet()).add(type.getName());
        return instance;
    }

    /** {@code setGlobal} replaces resolver {@code before} with {@code after}. */
    public static void replaced(AlternativeResolver before, AlternativeResolver after) {
        if (before == after) {
            return;
        }
        Set<String> made = MADE.remove(before);
        if (made == null || made.isEmpty()) {
            return;
        }
        if (before instanceof DefaultAlternativeResolver && after instanceof DefaultAlternativeResolver) {
            return; // one default for another: both make the same classes the same way
        }
        LOG.warn("ReboundSettings.setGlobal: the new settings' alternatives resolver is not asked for the "
                + "alternatives the previous one made for policies resolved before ({}): those policies keep "
                + "them. Set the resolver before the first call of a woven class (or the build of a wrapper on "
                + "the global settings)", String.join(", ", new TreeSet<>(made)));
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.AlternativeResolver;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternatives that policies on the global settings (woven classes, {@code Rebound.wrap} without
 * settings) have the global resolver make, noted per resolver: a policy keeps what it was given, so a
 * resolver that {@code ReboundSettings.setGlobal} replaces after it made some is never asked again for
 * them, and the new one is not asked at all. Said once per replaced resolver, at WARN, naming the classes
 * (never instances or arguments) of the alternatives a policy in use still holds, when either resolver
 * is one the user gave (one default for another passes its notes on). Each alternative is noted before
 * the resolver is asked (so that a resolver replaced meanwhile is said too) by the supplier the policy
 * holds, weakly: a dropped wrapper holds nothing. Resolvers are held weakly too.
 */
public final class GlobalAlternatives {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /** Per resolver, the suppliers it made alternatives for, each weakly. */
    private static final Map<AlternativeResolver, List<WeakReference<Made>>> MADE =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** An alternative the global resolver made: what a policy holds. */
    private static final class Made implements Supplier<Object> {
        final String type;
        volatile Object instance;

        Made(String type) {
            this.type = type;
        }

        @Override
        public Object get() {
            return instance;
        }
    }

    private GlobalAlternatives() {
    }

    /**
     * The global resolver's instance of {@code type}, as the supplier the policy is to hold, noted as
     * made by that resolver.
     *
     * @throws RuntimeException what the resolver throws
     */
    public static Supplier<Object> supplier(Class<?> type) {
        Made made = new Made(type.getName());
        AlternativeResolver resolver;
        synchronized (ReboundSettings.class) { // setGlobal's lock: the resolver read and the note are one step
            resolver = ReboundSettings.global().alternatives();
            List<WeakReference<Made>> noted = MADE.computeIfAbsent(resolver, r -> new ArrayList<>());
            synchronized (noted) {
                noted.add(new WeakReference<>(made));
            }
        }
        made.instance = resolver.instanceOf(type);
        return made;
    }

    /** {@code setGlobal} replaces resolver {@code before} with {@code after}; called under its lock. */
    public static void replaced(AlternativeResolver before, AlternativeResolver after) {
        if (before == after) {
            return;
        }
        List<WeakReference<Made>> noted = MADE.remove(before);
        if (noted == null) {
            return;
        }
        TreeSet<String> held = new TreeSet<>();
        synchronized (noted) {
            noted.removeIf(r -> r.get() == null);
            for (WeakReference<Made> r : noted) {
                Made m = r.get();
                if (m != null) {
                    held.add(m.type);
                }
            }
        }
        if (held.isEmpty()) {
            return;
        }
        if (before instanceof DefaultAlternativeResolver && after instanceof DefaultAlternativeResolver) {
            // one default for another: both make the same classes the same way; a resolver set after this
            // one is said as after the first
            List<WeakReference<Made>> next = MADE.computeIfAbsent(after, r -> new ArrayList<>());
            synchronized (next) {
                next.addAll(noted);
            }
            return;
        }
        LOG.warn("ReboundSettings.setGlobal: the new settings' alternatives resolver is not asked for the "
                + "alternatives the previous one made for policies resolved before ({}): those policies keep "
                + "them. Set the resolver before the first call of a woven class (or the build of a wrapper on "
                + "the global settings)", String.join(", ", held));
    }
}

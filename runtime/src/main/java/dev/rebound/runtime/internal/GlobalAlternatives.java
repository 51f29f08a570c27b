package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.AlternativeResolver;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private static final Map<AlternativeResolver, Notes> MADE = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * One resolver's notes: the suppliers, weakly; the ones a collection cleared (a dropped wrapper's) are
     * removed at the next note, so wrappers built and dropped per request leave nothing. Guarded by itself.
     */
    private static final class Notes {
        final Set<WeakReference<Made>> refs = new HashSet<>(); // references compare by identity
        private final ReferenceQueue<Made> cleared = new ReferenceQueue<>();

        void add(Made made) {
            for (Reference<? extends Made> r = cleared.poll(); r != null; r = cleared.poll()) {
                refs.remove(r);
            }
            refs.add(new WeakReference<>(made, cleared));
        }

        /** {@code made}'s note, when the resolver could not make it. */
        void forget(Made made) {
            refs.removeIf(r -> r.get() == made);
        }

        /** For tests: how many notes there are. */
        int size() {
            return refs.size();
        }
    }

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
        Notes noted;
        synchronized (ReboundSettings.class) { // setGlobal's lock: the resolver read and the note are one step
            resolver = ReboundSettings.global().alternatives();
            noted = MADE.computeIfAbsent(resolver, r -> new Notes());
            synchronized (noted) {
                noted.add(made);
            }
        }
        try {
            made.instance = resolver.instanceOf(type);
        } catch (RuntimeException | Error notMade) {
            synchronized (noted) {
                noted.forget(made); // no policy will hold it
            }
            throw notMade;
        }
        return made;
    }

    /** How many alternatives {@code resolver} is noted for (dropped wrappers' included until the next note). */
    static int notes(AlternativeResolver resolver) {
        Notes n = MADE.get(resolver);
        if (n == null) {
            return 0;
        }
        synchronized (n) {
            return n.size();
        }
    }

    /** {@code setGlobal} replaces resolver {@code before} with {@code after}; called under its lock. */
    public static void replaced(AlternativeResolver before, AlternativeResolver after) {
        if (before == after) {
            return;
        }
        Notes noted = MADE.remove(before);
        if (noted == null) {
            return;
        }
        TreeSet<String> held = new TreeSet<>();
        List<Made> live = new ArrayList<>();
        synchronized (noted) {
            for (WeakReference<Made> r : noted.refs) {
                Made m = r.get();
                if (m != null) {
                    held.add(m.type);
                    live.add(m);
                }
            }
        }
        if (held.isEmpty()) {
            return;
        }
        if (before instanceof DefaultAlternativeResolver && after instanceof DefaultAlternativeResolver) {
            // one default for another: both make the same classes the same way; a resolver set after this
            // one is said as after the first
            Notes next = MADE.computeIfAbsent(after, r -> new Notes());
            synchronized (next) {
                live.forEach(next::add);
            }
            return;
        }
        LOG.warn("ReboundSettings.setGlobal: the new settings' alternatives resolver is not asked for the "
                + "alternatives the previous one made for policies resolved before ({}): those policies keep "
                + "them. Set the resolver before the first call of a woven class (or the build of a wrapper on "
                + "the global settings)", String.join(", ", held));
    }
}

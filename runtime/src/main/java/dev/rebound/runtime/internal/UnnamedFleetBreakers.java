package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.SharedCircuitState;
import dev.rebound.runtime.rules.BreakerRules;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breakers of {@code Rebound.wrap} wrappers built without a name, of Guice's
 * {@code ReboundModule.wrapping} wrappers over bindings without a qualifier, and of the classes Guice's
 * {@code ReboundModule} intercepts that no binding qualifier names, by fleet name: two such wrappers of one class
 * (or two lambdas of one outer class, or two clients generated for one interface, or one class two injectors
 * construct) in use at once, on a store that shares breakers with the fleet, share one open state there, which a
 * WARN says once per name and store, with the remedy of each door that built one. A
 * wrapper on fixed settings is filed under its settings' store; one built without settings reads the
 * global settings live, so it is filed under the global settings whatever store they have, and is checked
 * again when {@code setGlobal} brings a store that shares breakers. Each wrapper is held weakly (one
 * dropped shares nothing), and each store too.
 */
public final class UnnamedFleetBreakers {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /** The key of the wrappers that read the global settings live. */
    private static final Object GLOBAL = new Object();
    /** Per store (or {@link #GLOBAL}), per fleet name, the wrappers' executors, weakly. */
    private static final Map<Object, Map<Breaker, Wrappers>> BUILT =
            Collections.synchronizedMap(new WeakHashMap<>());
    /** Per store, the fleet names already warned about. */
    private static final Map<RateLimitStore, Set<String>> WARNED = Collections.synchronizedMap(new WeakHashMap<>());

    /** One fleet name: the method and the target, as {@link BreakerRules#sharedInTheFleet} names them. */
    private record Breaker(String method, String target) {
    }

    /** Which door built a breaker: each has its own remedy. */
    public enum Door {
        /** {@code Rebound.wrap} without a name. */
        WRAP,
        /** {@code ReboundModule.wrapping}'s wrapper over a binding without a qualifier. */
        BINDING,
        /** A class {@code ReboundModule} intercepts that no binding qualifier names. */
        INTERCEPTED
    }

    /** The executors of the wrappers of one fleet name, weakly; which doors built them. */
    private static final class Wrappers {
        final List<WeakReference<Object>> executors = new ArrayList<>();
        /** Guarded by the instance. */
        final EnumSet<Door> doors = EnumSet.noneOf(Door.class);
    }

    private UnnamedFleetBreakers() {
    }

    /**
     * An unnamed wrapper's breaker of {@code method} on {@code target} was built, its calls run by
     * {@code executor}; {@code fixed} is the wrapper's own store, or null when it reads the global settings;
     * {@code door}: what built it. Warns as {@code where} when another such wrapper in use shares it on a store
     * that shares breakers.
     */
    public static void built(String where, RateLimitStore fixed, String method, String target, Object executor,
            Door door) {
        RateLimitStore store = fixed != null ? fixed : ReboundSettings.global().rateLimitStore();
        if (fixed != null && !(fixed instanceof SharedCircuitState)) {
            return;
        }
        Breaker b = new Breaker(method, target);
        Map<Breaker, Wrappers> byName =
                BUILT.computeIfAbsent(fixed != null ? fixed : GLOBAL, k -> new ConcurrentHashMap<>());
        Wrappers wrappers = byName.computeIfAbsent(b, k -> new Wrappers());
        synchronized (wrappers) {
            wrappers.executors.add(new WeakReference<>(executor));
            wrappers.doors.add(door);
        }
        if (inUse(store, b) > 1) {
            warnOnce(where, store, b);
        }
    }

    /**
     * The wrappers in use whose breaker {@code b} is on {@code store} now: those given it, and those on the
     * global settings while these have it.
     */
    private static int inUse(RateLimitStore store, Breaker b) {
        int n = inUse(BUILT.get(store), b);
        return ReboundSettings.global().rateLimitStore() == store ? n + inUse(BUILT.get(GLOBAL), b) : n;
    }

    private static int inUse(Map<Breaker, Wrappers> byName, Breaker b) {
        Wrappers wrappers = byName == null ? null : byName.get(b);
        if (wrappers == null) {
            return 0;
        }
        synchronized (wrappers) {
            wrappers.executors.removeIf(r -> r.get() == null);
            return wrappers.executors.size();
        }
    }

    /** {@code setGlobal} brings {@code store}: the live wrappers that now share a breaker there are said. */
    public static void globalStore(RateLimitStore before, RateLimitStore store) {
        if (store == before || !(store instanceof SharedCircuitState)) {
            return;
        }
        Map<Breaker, Wrappers> byName = BUILT.get(GLOBAL);
        if (byName == null) {
            return;
        }
        Map<Breaker, Wrappers> given = BUILT.get(store);
        byName.keySet().forEach(b -> {
            if (inUse(byName, b) + inUse(given, b) > 1) {
                warnOnce("ReboundSettings.setGlobal", store, b);
            }
        });
    }

    private static void warnOnce(String where, RateLimitStore store, Breaker b) {
        if (store instanceof SharedCircuitState
                && WARNED.computeIfAbsent(store, k -> ConcurrentHashMap.newKeySet()).add(b.method + '/' + b.target)) {
            boolean global = ReboundSettings.global().rateLimitStore() == store;
            LOG.warn("{}: {}", where, BreakerRules.sharedInTheFleet(b.method, b.target,
                    built(BUILT.get(store), b, Door.BINDING) || global && built(BUILT.get(GLOBAL), b, Door.BINDING),
                    built(BUILT.get(store), b, Door.INTERCEPTED)
                            || global && built(BUILT.get(GLOBAL), b, Door.INTERCEPTED)));
        }
    }

    /** Whether {@code door} built the breaker {@code b} among {@code byName}'s. */
    private static boolean built(Map<Breaker, Wrappers> byName, Breaker b, Door door) {
        Wrappers wrappers = byName == null ? null : byName.get(b);
        if (wrappers == null) {
            return false;
        }
        synchronized (wrappers) {
            return wrappers.doors.contains(door);
        }
    }
}

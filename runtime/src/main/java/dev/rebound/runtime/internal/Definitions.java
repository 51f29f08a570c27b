package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundConfigurationException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shared names one build defines (the rate-limit keys and retry budgets of a {@code Rebound.wrap}, of a
 * class a door resolves): each checked against the names defined before it and the build's own, and
 * registered only by {@link #register()}, once the whole build has no problem. A build that fails defines
 * nothing, and the next build may define the name otherwise.
 *
 * <p>A definition lasts as long as what defined it: each build is made with its classes (the wrapped
 * interface and the target's class, and the class that called {@code build()} when its loader is not
 * Rebound's; the resolved class), and a name is held with the class loaders of
 * every build that defined it, weakly. Once each of those builds has lost a loader (its application
 * undeployed and collected, Rebound staying in the server's shared lib), the name is free: the next build
 * defines it anew, with its own values. Classes of the bootstrap loader never go. Used at resolution,
 * never per call.
 *
 * <p>A method that reads the global settings live runs on whatever settings {@code setGlobal} brings: its
 * names are defined among all such methods (a registry of their own, whatever the global settings), and in
 * the registry of the global settings of the moment, into which {@link #carry} brings them when
 * {@code setGlobal} brings others. So a later build on the new settings is held to them, live or not.
 */
public final class Definitions {

    /** Where one kind of name is defined (a store's rate-limit keys, a lineage's retry budgets). */
    static final class Registry {
        private final Map<String, Defined> names = new ConcurrentHashMap<>();

        /** The values {@code name} is defined with while a build that defined it lives; else null. */
        Object live(String name) {
            Defined d = names.get(name);
            return d != null && d.live() ? d.value : null;
        }
    }

    /** A name's values, and the loaders of each build that defined it so (never the classes themselves). */
    private record Defined(Object value, List<Definer> definers) {
        boolean live() {
            for (Definer d : definers) {
                if (d.live()) {
                    return true;
                }
            }
            return false;
        }

        /** These values defined by {@code definer} too: the builds gone are dropped, one already here kept. */
        Defined with(Definer definer) {
            List<Definer> kept = new ArrayList<>(definers.size() + 1);
            boolean known = false;
            for (Definer d : definers) {
                if (d.live()) {
                    kept.add(d);
                    known |= d.sameAs(definer);
                }
            }
            if (!known) {
                kept.add(definer);
            }
            return new Defined(value, List.copyOf(kept));
        }

        /** These values defined by the builds of {@code other} too. */
        Defined withAll(Defined other) {
            Defined all = this;
            for (Definer d : other.definers) {
                all = all.with(d);
            }
            return all;
        }
    }

    /** One build's class loaders, weakly held: it lives while all of them do (none: for good). */
    private static final class Definer {
        private final List<WeakReference<ClassLoader>> loaders;

        Definer(Class<?>... definedBy) {
            List<WeakReference<ClassLoader>> own = new ArrayList<>(definedBy.length);
            for (Class<?> c : definedBy) {
                ClassLoader l = c == null ? null : c.getClassLoader();
                if (l != null && own.stream().noneMatch(r -> r.get() == l)) {
                    own.add(new WeakReference<>(l));
                }
            }
            this.loaders = List.copyOf(own);
        }

        boolean live() {
            for (WeakReference<ClassLoader> r : loaders) {
                if (r.get() == null) {
                    return false;
                }
            }
            return true;
        }

        boolean sameAs(Definer other) {
            if (loaders.size() != other.loaders.size()) {
                return false;
            }
            for (int i = 0; i < loaders.size(); i++) {
                if (loaders.get(i).get() != other.loaders.get(i).get()) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * One name of {@code registry} that this build defines as {@code value}, and of the registry {@code also}
     * gives when it registers (null: none); {@code problem}: the configuration problem, in full, when another
     * definition is found.
     */
    private record Pending(Registry registry, Supplier<Registry> also, String name, Object value,
            Function<Object, String> problem) {

        /** The value a build that lives defines the name with otherwise, in either registry; else null. */
        Object otherwise() {
            Object found = registry.live(name);
            if ((found == null || found.equals(value)) && also != null) {
                found = also.get().live(name);
            }
            return found == null || found.equals(value) ? null : found;
        }
    }

    /** What {@link #carry} says of a name defined otherwise where it is carried: the live value, the one there. */
    @FunctionalInterface
    interface Conflict {
        String of(String name, Object live, Object there);
    }

    private final Definer definer;
    private final List<Pending> pending = new ArrayList<>();

    /**
     * A build by {@code definedBy}: the classes whose application the definitions belong to (the wrapped
     * interface and the target's class, or the class resolved and the method's declaring class).
     */
    public Definitions(Class<?>... definedBy) {
        this.definer = new Definer(definedBy);
    }

    /**
     * Defines {@code name} in {@code registry} as {@code value} once the build registers: null, or, when
     * the registry (a build that still lives) or this build already defines it otherwise, {@code problem} of
     * the value found there (the whole problem, naming its method). Writes nothing to {@code registry}.
     */
    String define(Registry registry, String name, Object value, Function<Object, String> problem) {
        return define(registry, null, name, value, problem);
    }

    /**
     * As {@link #define(Registry, String, Object, Function)}, in {@code registry} and in the registry
     * {@code also} gives, asked again when the build registers: for a method reading the global settings
     * live, {@code registry} is where all such methods define the name, {@code also} the global settings' own.
     */
    String define(Registry registry, Supplier<Registry> also, String name, Object value,
            Function<Object, String> problem) {
        for (Pending p : pending) {
            if (p.registry == registry && p.name.equals(name)) {
                return p.value.equals(value) ? null : problem.apply(p.value);
            }
        }
        Pending p = new Pending(registry, also, name, value, problem);
        Object first = p.otherwise();
        if (first != null) {
            return problem.apply(first);
        }
        pending.add(p); // the same values: this build defines them too
        return null;
    }

    /**
     * Registers every name this build defined: call it once the build has no problem.
     *
     * @throws ReboundConfigurationException when a build that registered meanwhile defined one otherwise
     *     (then none of this build's is registered)
     */
    public void register() {
        if (pending.isEmpty()) {
            return;
        }
        synchronized (Definitions.class) {
            List<String> problems = new ArrayList<>();
            for (Pending p : pending) {
                Object first = p.otherwise();
                if (first != null) {
                    problems.add(p.problem.apply(first));
                }
            }
            if (!problems.isEmpty()) {
                throw new ReboundConfigurationException(problems);
            }
            for (Pending p : pending) {
                add(p.registry, p.name, p.value);
                if (p.also != null) {
                    add(p.also.get(), p.name, p.value);
                }
            }
        }
        pending.clear();
    }

    private void add(Registry registry, String name, Object value) {
        registry.names.compute(name, (n, d) -> d == null || !d.live()
                ? new Defined(value, List.of(definer)) : d.with(definer));
    }

    /**
     * Defines in {@code into} (the registry of the settings {@code setGlobal} brings) each name {@code live}
     * holds while a build that defined it lives, with those builds; a name {@code into} holds otherwise is
     * left as it is, and said by {@code conflict}. Taken under the lock {@link #register()} takes, after the
     * global settings changed: a build registering meanwhile is in {@code live} by then, or registers into
     * the new settings' registry itself.
     *
     * @return what {@code conflict} said of each name defined otherwise, by name
     */
    static List<String> carry(Registry live, Registry into, Conflict conflict) {
        List<String> problems = new ArrayList<>();
        synchronized (Definitions.class) {
            live.names.forEach((name, d) -> {
                if (!d.live()) {
                    return;
                }
                Defined there = into.names.get(name);
                if (there == null || !there.live()) {
                    into.names.put(name, d);
                } else if (there.value.equals(d.value)) {
                    into.names.put(name, there.withAll(d));
                } else {
                    problems.add(conflict.of(name, d.value, there.value));
                }
            });
        }
        problems.sort(null);
        return problems;
    }
}

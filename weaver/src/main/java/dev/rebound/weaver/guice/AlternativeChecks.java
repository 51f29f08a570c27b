package dev.rebound.weaver.guice;

import com.google.inject.ConfigurationException;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.spi.Message;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.AlternativeUnavailable;
import dev.rebound.runtime.spi.Policies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Whether the injector can make each {@code @Fallback.to} alternative of the classes {@link ReboundModule}
 * resolved while the injector was created, asked once every binding is known (an alternative may be an
 * abstract class bound in another module), and said in the rule set's words, naming the method and the
 * attribute, as {@code Rebound.wrap} says it: {@code Chat.chat(String): @Fallback.to app.Backup cannot be
 * provided: ...}. Guice would otherwise report a lookup made while a type was heard in its own words
 * ({@code No implementation for Backup was bound.}), naming neither.
 */
final class AlternativeChecks {

    /** A class whose policies name alternatives, and how they were resolved. */
    private record Pending(Class<?> implClass, Class<?> methodsOf, ReboundSettings settings, Set<Class<?>> alternatives) {
    }

    private final List<Pending> pending = new ArrayList<>();
    /** The alternatives whose binding to a subclass was looked at: each said once per injector. */
    private final Set<Class<?>> lookedAt = new HashSet<>();
    private boolean checked;

    /**
     * Whether the injector's bindings are complete: until then an alternative is {@link #defer deferred},
     * after it (a just-in-time binding made later) it is looked up at once.
     */
    synchronized boolean checked() {
        return checked;
    }

    /** Checks {@code alternatives} of {@code implClass} once the injector's bindings are complete. */
    synchronized void defer(Class<?> implClass, Class<?> methodsOf, ReboundSettings settings,
            Set<Class<?>> alternatives) {
        if (!alternatives.isEmpty()) {
            pending.add(new Pending(implClass, methodsOf, settings, Set.copyOf(alternatives)));
        }
    }

    /**
     * At the injector's creation, once its bindings are complete: every alternative it cannot make, as
     * errors of the creation, and every one it binds to a subclass whose own policies would not apply, as a
     * warning ({@link #warnIfBoundBelow}). An alternative made here just in time may name alternatives of
     * its own: they are checked too.
     */
    @Inject
    synchronized void check(Injector injector) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) { // grows while alternatives are bound just in time
            Pending p = pending.get(i);
            boolean all = true;
            for (Class<?> alt : p.alternatives()) {
                if (whyNot(injector, alt) == null) {
                    warnIfBoundBelow(injector, alt);
                } else {
                    all = false;
                }
            }
            if (all) {
                continue;
            }
            try { // again, to say each problem in the rule set's words, with its method
                Policies.resolveAll(p.implClass(), p.methodsOf(), p.settings(), alt -> {
                    String why = whyNot(injector, alt);
                    if (why != null) {
                        throw new AlternativeUnavailable(why);
                    }
                    return (Supplier<Object>) () -> null;
                });
            } catch (ReboundConfigurationException e) {
                problems.addAll(e.problems());
            }
        }
        pending.clear();
        checked = true;
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems.stream().distinct().map(Message::new).toList());
        }
    }

    /**
     * Warns, once per alternative, when {@code injector} binds {@code alternative} to a subclass that
     * declares policies of its own, which the engine would not apply to it as an alternative
     * ({@link InjectedAlternative#boundBelow}). Asked once the binding is known: at the injector's creation,
     * when a wrapped instance's policies are resolved, and otherwise at the first fallback.
     */
    synchronized void warnIfBoundBelow(Injector injector, Class<?> alternative) {
        if (lookedAt.add(alternative)) {
            String warning = InjectedAlternative.boundBelow(injector, alternative);
            if (warning != null) {
                Policies.warn(warning);
            }
        }
    }

    /** Why {@code injector} cannot make {@code alternative}, or null when it can. */
    static String whyNot(Injector injector, Class<?> alternative) {
        try {
            injector.getBinding(alternative);
            return null;
        } catch (ConfigurationException e) {
            return reason(e);
        }
    }

    /** Guice's first reason, its first line: {@code the injector cannot make it (No implementation ...)}. */
    static String reason(ConfigurationException e) {
        String guice = e.getErrorMessages().isEmpty() ? e.getClass().getName()
                : e.getErrorMessages().iterator().next().getMessage().strip().lines().findFirst().orElse("");
        return "the injector cannot make it (" + guice + ")";
    }
}

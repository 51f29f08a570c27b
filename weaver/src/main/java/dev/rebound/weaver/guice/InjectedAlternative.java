package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Provider;
import com.google.inject.Scopes;
import com.google.inject.spi.LinkedKeyBinding;
import com.google.inject.spi.ProviderInstanceBinding;
import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Policies;
import java.util.function.Supplier;

/**
 * An alternative's instance, from the injector. A singleton is asked for once and kept: a Guice
 * {@code Provider.get()} builds a context and a map even for a singleton, on every fallback. Any
 * other scope is asked for on every fallback, as Guice's own semantics want.
 *
 * <p>An alternative bound by {@link ReboundModule#wrapping} comes from its original binding, not
 * through the wrapper: the engine applies the alternative's own retry itself, so the wrapper would
 * only let the call through (a proxy, a reflective call and the pass-through mark per fallback).
 */
final class InjectedAlternative implements Supplier<Object> {

    private final Class<?> type;
    private final Provider<?> provider;
    private final Provider<Injector> injector;
    /** Where to say, at the first fallback, a binding to a subclass; null when it was looked at before. */
    private final AlternativeChecks late;
    private volatile Object singleton;
    /** Where instances come from, once known (written after {@link #keep}). */
    private volatile Provider<?> source;
    private volatile boolean keep;
    /** How warnings name the door whose policy falls back here: {@code ReboundModule(Assistant)}. */
    private final String door;
    /**
     * The class of the last instance checked for retries of its own ({@link Policies#checkAlternative}): each
     * class is checked at its first instance (a provider's instances are made alike), not on every fallback.
     */
    private volatile Class<?> checked;

    /**
     * @param provider the alternative's provider; null to take the injector's when first called
     * @param late where its binding to a subclass is said at the first fallback, when no earlier moment knows
     *     the binding (a just-in-time binding heard after the injector's creation); null when
     *     {@link AlternativeChecks} looked at it already
     * @param door how warnings name the door whose policy falls back here, {@code ReboundModule(Assistant)}
     */
    InjectedAlternative(Class<?> type, Provider<?> provider, Provider<Injector> injector, AlternativeChecks late,
            String door) {
        this.type = type;
        this.door = door;
        this.provider = provider;
        this.injector = injector;
        this.late = late;
    }

    @Override
    public Object get() {
        Object kept = singleton;
        if (kept != null) {
            return kept;
        }
        Provider<?> from = source;
        if (from == null) {
            from = choose();
        }
        Object instance = from.get();
        if (instance != null && instance.getClass() != checked) {
            checked = instance.getClass();
            Policies.checkAlternative(instance, door + " @Fallback.to " + type.getSimpleName());
        }
        if (keep) {
            singleton = instance;
        }
        return instance;
    }

    /**
     * The warning that {@code in} binds {@code type}, an alternative, to a subclass that declares policies
     * of its own (on itself or its methods, below {@code type}): the engine, reading the class
     * {@code @Fallback.to} names, would not apply them. Null when it does not.
     */
    static String boundBelow(Injector in, Class<?> type) {
        Binding<?> binding = original(in, in.getBinding(type));
        if (binding instanceof LinkedKeyBinding<?>) {
            Class<?> target = ((LinkedKeyBinding<?>) binding).getLinkedKey().getTypeLiteral().getRawType();
            if (declaresPoliciesBelow(target, type)) {
                return "ReboundModule: @Fallback.to names " + type.getSimpleName() + ", which the injector binds to "
                        + target.getSimpleName() + ": as an alternative it runs the policies of " + type.getSimpleName()
                        + " (read from the class @Fallback.to names), not those " + target.getSimpleName()
                        + " declares; name " + target.getSimpleName() + " in @Fallback.to";
            }
        }
        return null;
    }

    /** The binding that makes the instances of {@code binding}'s key: a {@code wrapping(...)} wrapper's original one. */
    private static Binding<?> original(Injector in, Binding<?> binding) {
        if (binding instanceof ProviderInstanceBinding<?>
                && ((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider() instanceof ResilientProvider<?>) {
            return in.getBinding(((ResilientProvider<?>) ((ProviderInstanceBinding<?>) binding)
                    .getUserSuppliedProvider()).originalKey());
        }
        return binding;
    }

    /**
     * Whether {@code target} or a superclass of it below {@code named} declares a policy of its own, on
     * itself or on one of its methods: one the engine, reading {@code named}, would not apply.
     */
    private static boolean declaresPoliciesBelow(Class<?> target, Class<?> named) {
        for (Class<?> c = target; c != null && c != named && c != Object.class; c = c.getSuperclass()) {
            if (carriesPolicy(c)) {
                return true;
            }
            for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                if (carriesPolicy(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean carriesPolicy(java.lang.reflect.AnnotatedElement e) {
        return e.getDeclaredAnnotation(Retry.class) != null || e.getDeclaredAnnotation(Fallback.class) != null
                || e.getDeclaredAnnotation(CircuitBreaker.class) != null
                || e.getDeclaredAnnotation(RateLimit.class) != null;
    }

    /** The binding that makes the instances, and whether it is a singleton. */
    private Provider<?> choose() {
        Injector in = injector.get();
        if (late != null) {
            late.warnIfBoundBelow(in, type);
        }
        Binding<?> bound = in.getBinding(type);
        Binding<?> binding = original(in, bound);
        Provider<?> from = binding != bound || provider == null ? binding.getProvider() : provider;
        keep = Scopes.isSingleton(binding);
        source = from;
        return from;
    }
}

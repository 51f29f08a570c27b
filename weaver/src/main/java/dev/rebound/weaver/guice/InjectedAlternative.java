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
    private volatile Object singleton;
    /** Where instances come from, once known (written after {@link #keep}). */
    private volatile Provider<?> source;
    private volatile boolean keep;

    /** @param provider the alternative's provider; null to take the injector's when first called */
    InjectedAlternative(Class<?> type, Provider<?> provider, Provider<Injector> injector) {
        this.type = type;
        this.provider = provider;
        this.injector = injector;
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
        if (keep) {
            singleton = instance;
        }
        return instance;
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
        Binding<?> binding = in.getBinding(type);
        Provider<?> from = provider != null ? provider : binding.getProvider();
        if (binding instanceof ProviderInstanceBinding<?>
                && ((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider() instanceof ResilientProvider<?>) {
            binding = in.getBinding(((ResilientProvider<?>) ((ProviderInstanceBinding<?>) binding)
                    .getUserSuppliedProvider()).originalKey());
            from = binding.getProvider();
        }
        if (binding instanceof LinkedKeyBinding<?>) {
            Class<?> target = ((LinkedKeyBinding<?>) binding).getLinkedKey().getTypeLiteral().getRawType();
            if (declaresPoliciesBelow(target, type)) {
                Policies.warn("ReboundModule: @Fallback.to names " + type.getSimpleName() + ", which the injector"
                        + " binds to " + target.getSimpleName() + ": as an alternative it runs the policies of "
                        + type.getSimpleName() + " (read from the class @Fallback.to names), not those "
                        + target.getSimpleName() + " declares; name " + target.getSimpleName() + " in @Fallback.to");
            }
        }
        keep = Scopes.isSingleton(binding);
        source = from;
        return from;
    }
}

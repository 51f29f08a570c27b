package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Provider;
import com.google.inject.Scopes;
import com.google.inject.spi.ProviderInstanceBinding;
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

    /** The binding that makes the instances, and whether it is a singleton. */
    private Provider<?> choose() {
        Injector in = injector.get();
        Binding<?> binding = in.getBinding(type);
        Provider<?> from = provider;
        if (binding instanceof ProviderInstanceBinding<?>
                && ((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider() instanceof ResilientProvider<?>) {
            binding = in.getBinding(((ResilientProvider<?>) ((ProviderInstanceBinding<?>) binding)
                    .getUserSuppliedProvider()).originalKey());
            from = binding.getProvider();
        }
        keep = Scopes.isSingleton(binding);
        source = from;
        return from;
    }
}

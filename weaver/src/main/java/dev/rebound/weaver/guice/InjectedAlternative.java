package dev.rebound.weaver.guice;

import com.google.inject.Injector;
import com.google.inject.Provider;
import com.google.inject.Scopes;
import java.util.function.Supplier;

/**
 * An alternative's instance, from the injector. A singleton is asked for once and kept: a Guice
 * {@code Provider.get()} builds a context and a map even for a singleton, on every fallback. Any
 * other scope is asked for on every fallback, as Guice's own semantics want.
 */
final class InjectedAlternative implements Supplier<Object> {

    private final Class<?> type;
    private final Provider<?> provider;
    private final Provider<Injector> injector;
    private volatile Object singleton;
    private volatile boolean scopeKnown;

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
        Object instance = provider.get();
        if (!scopeKnown) {
            if (Scopes.isSingleton(injector.get().getBinding(type))) {
                singleton = instance;
            }
            scopeKnown = true;
        }
        return instance;
    }
}

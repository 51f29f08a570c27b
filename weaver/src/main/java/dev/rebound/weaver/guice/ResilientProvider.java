package dev.rebound.weaver.guice;

import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Provider;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.internal.SelfRetryCheck;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.internal.NestedRetries;
import dev.rebound.weaver.internal.WovenPolicies;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Provides an annotated interface by wrapping what its original binding provides (an instance the
 * injector did not construct: {@code toInstance}, {@code @Provides}, {@code toProvider}) in a
 * resilient proxy. Policies are resolved once per implementation class, alternatives come from the
 * injector. An instance that is already resilient (woven, intercepted, wrapped) is returned as is.
 */
final class ResilientProvider<T> implements Provider<T> {

    private final Class<T> type;
    private final Provider<? extends T> original;
    private final ReboundSettings settings;
    private final ResilientTypes interceptedTypes;
    private final ClassValue<Map<Method, ResilientMethod>> policies = new ClassValue<>() {
        @Override
        protected Map<Method, ResilientMethod> computeValue(Class<?> implClass) {
            return resolve(implClass);
        }
    };
    private Injector injector;
    /** The last instance wrapped and its proxy: scoped originals (singletons) get one proxy. */
    private volatile Object[] last = {null, null};

    ResilientProvider(Class<T> type, Provider<? extends T> original, ReboundSettings settings,
            ResilientTypes interceptedTypes) {
        this.type = type;
        this.original = original;
        this.settings = settings;
        this.interceptedTypes = interceptedTypes;
    }

    @Inject
    void setInjector(Injector injector) {
        this.injector = injector;
    }

    @Override
    public T get() {
        T instance = original.get();
        if (instance == null || instance instanceof Woven || ResilientProxy.isResilient(instance)
                || interceptedTypes.isIntercepted(instance)) {
            return instance;
        }
        Object[] pair = last;
        if (pair[0] == instance) {
            return type.cast(pair[1]);
        }
        Map<Method, ResilientMethod> resolved = policies.get(instance.getClass());
        if (!resolved.isEmpty()) {
            SelfRetryCheck.warnIfSelfRetrying(instance, "ReboundModule(" + type.getSimpleName() + ")");
        }
        T proxy = ResilientProxy.create(type, instance, ResilientProxy.nameOf(instance), resolved, true);
        last = new Object[] {instance, proxy};
        return proxy;
    }

    private Map<Method, ResilientMethod> resolve(Class<?> implClass) {
        Map<Method, ResilientMethod> out = new LinkedHashMap<>();
        for (Method m : type.getMethods()) {
            if (!WovenPolicies.interceptable(m)) {
                continue;
            }
            ResilientMethod rm = Policies.resolve(implClass, m, settings,
                    alt -> new InjectedAlternative(alt, injector.getProvider(alt), () -> injector));
            if (rm != null) {
                out.put(m, rm);
                NestedRetries.register(implClass, m, rm);
            }
        }
        return out;
    }
}

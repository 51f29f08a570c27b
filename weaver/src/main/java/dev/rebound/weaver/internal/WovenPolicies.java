package dev.rebound.weaver.internal;

import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * The policies of a woven class, resolved once per class (when it is initialised) with alternatives
 * from the global {@code AlternativeResolver}. A misconfigured class fails its initialisation with a
 * {@link ReboundConfigurationException}, never a call.
 */
public final class WovenPolicies {

    private static final ClassValue<Map<Method, ResilientMethod>> BY_CLASS = new ClassValue<>() {
        @Override
        protected Map<Method, ResilientMethod> computeValue(Class<?> type) {
            return resolveAll(type);
        }
    };

    private WovenPolicies() {
    }

    /**
     * Resolves every policy of {@code type} now.
     *
     * @throws ReboundConfigurationException listing every problem of the class
     */
    public static void validate(Class<?> type) {
        try {
            BY_CLASS.get(type);
        } catch (LinkageError missingType) {
            // a signature names a class absent at run time: the class stays usable, its methods
            // resolve on their first call (and fail there only if they are the ones concerned)
        }
    }

    /**
     * The policy of {@code method} on instances of {@code type}, or null. A method that {@code type}
     * overrides has none (a {@code super} call runs under the override's policy already).
     */
    public static ResilientMethod of(Class<?> type, Method method) {
        return BY_CLASS.get(type).get(method);
    }

    private static Map<Method, ResilientMethod> resolveAll(Class<?> type) {
        if (type.isInterface() || !Policies.annotated(type)) {
            return Map.of();
        }
        return Map.copyOf(Policies.resolveAll(type));
    }
}

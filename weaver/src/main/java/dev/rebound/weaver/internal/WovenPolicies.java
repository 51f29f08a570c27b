package dev.rebound.weaver.internal;

import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
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
        Map<Method, ResilientMethod> policies = Policies.resolveAll(type);
        List<String> problems = new ArrayList<>();
        policies.forEach((m, policy) -> {
            if (!advised(m)) {
                String base = m.getDeclaringClass().getSimpleName();
                problems.add(policy.name() + ": " + type.getSimpleName() + " runs " + base + "." + m.getName()
                        + ", which was not woven (" + base + " carries no policy and is not abstract), so the "
                        + "policy would not apply; override " + m.getName() + " in " + type.getSimpleName()
                        + " (calling super), or make " + base + " abstract");
            }
        });
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        return Map.copyOf(policies);
    }

    /** Whether the aspect advises the body of {@code m} (see the pointcut of {@code ResilientMethods}). */
    private static boolean advised(Method m) {
        Class<?> c = m.getDeclaringClass();
        return Woven.class.isAssignableFrom(c) || DeclaresPolicy.class.isAssignableFrom(c)
                || Modifier.isAbstract(c.getModifiers()) || Policies.annotated(c);
    }
}

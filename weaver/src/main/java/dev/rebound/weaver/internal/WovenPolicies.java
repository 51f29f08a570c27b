package dev.rebound.weaver.internal;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** Whether any Rebound annotation appears on {@code type}, its supertypes or their methods. */
    public static boolean annotated(Class<?> type) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (c == null || c == Object.class || !seen.add(c)) {
                continue;
            }
            if (hasPolicy(c)) {
                return true;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (hasPolicy(m)) {
                    return true;
                }
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(List.of(c.getInterfaces()));
        }
        return false;
    }

    private static boolean hasPolicy(AnnotatedElement e) {
        return e.isAnnotationPresent(Retry.class) || e.isAnnotationPresent(Fallback.class)
                || e.isAnnotationPresent(CircuitBreaker.class);
    }

    /** Whether {@code type} belongs to Rebound itself (never given a policy). */
    public static boolean isRebound(Class<?> type) {
        String n = type.getName();
        return n.startsWith("dev.rebound.annotations.") || n.startsWith("dev.rebound.runtime.")
                || n.startsWith("dev.rebound.weaver.");
    }

    /** Public instance methods a door may intercept: not Object's, static, bridge or synthetic. */
    public static boolean interceptable(Method m) {
        int mod = m.getModifiers();
        return !Modifier.isStatic(mod) && m.getDeclaringClass() != Object.class && !m.isBridge()
                && !m.isSynthetic() && !isObjectMethod(m);
    }

    /**
     * The methods of {@code type} a door intercepts: its public instance methods, where javac's access
     * bridges (the copies a public class gets of the public methods it inherits from a non-public
     * class) stand for the methods they call, which run the body and carry the annotations.
     */
    public static List<Method> interceptableMethods(Class<?> type) {
        List<Method> out = new ArrayList<>();
        for (Method m : type.getMethods()) {
            Method real = m.isBridge() ? accessBridgeTarget(m) : m;
            if (real != null && interceptable(real)) {
                out.add(real);
            }
        }
        return out;
    }

    /** The superclass method an access bridge calls (same name and parameters), or null for a generic bridge. */
    private static Method accessBridgeTarget(Method bridge) {
        for (Class<?> c = bridge.getDeclaringClass().getSuperclass(); c != null && c != Object.class;
                c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(bridge.getName(), bridge.getParameterTypes());
                if (!m.isBridge() && m.getReturnType() == bridge.getReturnType()) {
                    return m;
                }
            } catch (NoSuchMethodException e) {
                // not declared here: look further up
            }
        }
        return null;
    }

    private static boolean isObjectMethod(Method m) {
        String n = m.getName();
        int p = m.getParameterCount();
        return p == 0 && (n.equals("hashCode") || n.equals("toString"))
                || p == 1 && n.equals("equals") && m.getParameterTypes()[0] == Object.class;
    }

    private static Map<Method, ResilientMethod> resolveAll(Class<?> type) {
        if (type.isInterface() || !annotated(type)) {
            return Map.of();
        }
        Map<Method, ResilientMethod> out = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Method m : interceptableMethods(type)) {
            try {
                ResilientMethod rm = Policies.resolve(type, m);
                if (rm != null) {
                    out.put(m, rm);
                    NestedRetries.register(type, m, rm);
                }
            } catch (ReboundConfigurationException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        return Map.copyOf(out);
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which methods of a type a door may give a policy, and resolving all of them at once with every
 * problem collected: the one loop every door and {@code Rebound.wrap} use.
 */
public final class MethodScan {

    /** Resolves one method: its executor, or null for none; may throw a configuration exception. */
    @FunctionalInterface
    public interface Resolver {
        ResilientMethod resolve(Method method);
    }

    private MethodScan() {
    }

    /**
     * The executors of the interceptable methods of {@code methodsOf}, in order; each method's
     * problems are added to {@code problems} (the caller throws them all together), each distinct one once.
     */
    public static Map<Method, ResilientMethod> resolveEach(Class<?> methodsOf, List<String> problems,
            Resolver each) {
        Map<Method, ResilientMethod> out = new LinkedHashMap<>();
        Map<Method, Method> generic = new LinkedHashMap<>();
        for (Method found : methodsOf.getMethods()) {
            Method m = found.isBridge() ? accessBridgeTarget(found) : found;
            if (m == null && found.isBridge()) {
                Method target = genericBridgeTarget(methodsOf, found);
                Method implemented = target == null ? null : interfaceMethod(methodsOf, found);
                if (implemented != null) {
                    generic.put(implemented, target);
                }
            }
            if (m == null || !interceptable(m)) {
                continue;
            }
            resolveInto(out, m, m, each, problems);
        }
        // after the others: a policy of the body's own (on its method, its class) comes first, as for any method
        generic.forEach((implemented, target) -> {
            if (!out.containsKey(target)) {
                resolveInto(out, target, implemented, each, problems);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The method of an interface of {@code type} that {@code bridge} implements (its very signature), or null. */
    private static Method interfaceMethod(Class<?> type, Method bridge) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        Set<Class<?>> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (!seen.add(i)) {
                continue;
            }
            try {
                Method m = i.getDeclaredMethod(bridge.getName(), bridge.getParameterTypes());
                if (!Modifier.isStatic(m.getModifiers()) && !m.isBridge() && !m.isSynthetic()) {
                    return m;
                }
            } catch (NoSuchMethodException e) {
                // not declared here: look in the interfaces it extends
            }
            todo.addAll(Arrays.asList(i.getInterfaces()));
        }
        return null;
    }

    private static void resolveInto(Map<Method, ResilientMethod> out, Method key, Method m, Resolver each,
            List<String> problems) {
        try {
            ResilientMethod rm = each.resolve(m);
            if (rm != null) {
                out.put(key, rm);
            }
        } catch (ReboundConfigurationException e) {
            // one problem may be found through several methods: two unrelated interfaces that declare
            // the same method differently are both listed by getMethods(), each naming the conflict
            for (String p : e.problems()) {
                if (!problems.contains(p)) {
                    problems.add(p);
                }
            }
        }
    }

    /**
     * The generic superclass method a javac bridge of a class calls, or null: {@code class Impl extends
     * AbstractChat<String> implements Chat} gets a bridge {@code call(String)} (for {@code Chat.call(String)})
     * that calls {@code AbstractChat.call(Object)}, whose body runs the call. The bridge carries the signature
     * the interface's annotations are found by; the body is the method doors and the advice intercept (a bridge
     * is never intercepted), so the interface method's policy is the body's on instances of {@code type}, unless
     * the body has one of its own (on its method or its class: the most specific first). Only a public
     * body of a superclass, not overridden below it, that takes the bridge's arguments, and only one such.
     */
    private static Method genericBridgeTarget(Class<?> type, Method bridge) {
        Class<?> owner = bridge.getDeclaringClass();
        if (owner.isInterface() || Modifier.isStatic(bridge.getModifiers())) {
            return null;
        }
        Method target = null;
        for (Method m : type.getMethods()) {
            if (m.isBridge() || m.isSynthetic() || !m.getName().equals(bridge.getName())
                    || m.getParameterCount() != bridge.getParameterCount() || m.getDeclaringClass() == owner
                    || m.getDeclaringClass().isInterface() || !m.getDeclaringClass().isAssignableFrom(owner)
                    || Arrays.equals(m.getParameterTypes(), bridge.getParameterTypes())
                    || !m.getReturnType().isAssignableFrom(bridge.getReturnType()) || !interceptable(m)) {
                continue;
            }
            Class<?>[] params = m.getParameterTypes();
            Class<?>[] bridged = bridge.getParameterTypes();
            boolean takes = true;
            for (int i = 0; i < params.length && takes; i++) {
                takes = params[i].isAssignableFrom(bridged[i]);
            }
            if (takes) {
                if (target != null) {
                    return null; // two candidates: which one the bridge calls is in its bytecode only
                }
                target = m;
            }
        }
        return target;
    }

    /**
     * The method a door intercepts when {@code called}, an interface's method, is called on an instance of {@code
     * type}, a user's class (not a subclass a container generated, not a JDK proxy): the public method whose body
     * runs, as a woven advice's join point and Guice's invocation name it, never a bridge (which no door
     * intercepts) but the method it calls: an access bridge's superclass method, a generic superclass's body
     * ({@link #genericBridgeTarget}), or the override the JVM dispatches the call to ({@link
     * Overrides#implementation}): the nearest class's, with the interface's type arguments put in ({@code
     * Impl.chat(String)} for {@code Chat<T>.chat(T)} when {@code Impl implements Chat<String>}) or with a narrower
     * result, else an interface's default method; the same whichever compiler wrote the bridges (ajc leaves a
     * subclass that overrides a generic superclass's method without one, javac does not). {@code called} itself
     * when {@code type} has no such public method, the bridge itself when what it calls is not known (a door of the
     * method it calls then takes no mark for it: its policy applies). Asked once per class and method.
     */
    public static Method intercepted(Class<?> type, Method called) {
        Method found;
        try {
            found = type.getMethod(called.getName(), called.getParameterTypes());
        } catch (NoSuchMethodException | SecurityException e) {
            return called;
        }
        if (!found.isBridge()) {
            return found;
        }
        Method target = accessBridgeTarget(found);
        if (target == null) {
            target = genericBridgeTarget(type, found);
        }
        if (target == null) {
            target = Overrides.implementation(type, called);
        }
        return target != null ? target : found;
    }

    /**
     * Where the code of {@code method} runs on instances of {@code type} (a user's class, as {@link #intercepted}
     * takes it), as a stack frame names it: the interface whose default method the class runs (ajc wove the advice
     * into that body, and a door's call of it runs there), else {@code type}. Where an executor of the method is
     * registered for the nested-retry check ({@code MethodSpec.Builder.runsIn}).
     */
    public static Class<?> runsIn(Class<?> type, Method method) {
        Method runs = intercepted(type, method);
        return runs.isDefault() ? runs.getDeclaringClass() : type;
    }

    /** Public instance methods a door may intercept: not Object's, static, bridge or synthetic. */
    public static boolean interceptable(Method m) {
        int mod = m.getModifiers();
        return !Modifier.isStatic(mod) && m.getDeclaringClass() != Object.class && !m.isBridge()
                && !m.isSynthetic() && !isObjectMethod(m);
    }

    /**
     * The method a javac access bridge calls, or null for any other bridge. A public class gets such a
     * bridge for each public method it inherits from a non-public superclass; the superclass's method
     * runs the body and carries the annotations, so it is the one doors intercept. A bridge for an
     * override (a covariant return, a type argument for a parameter) may share its signature with the
     * superclass's method too, but it calls the override: the superclass's method then runs only as
     * the override's {@code super} call, already under the override's policy, and gets none of its own.
     */
    private static Method accessBridgeTarget(Method bridge) {
        Class<?> owner = bridge.getDeclaringClass();
        for (Class<?> c = owner.getSuperclass(); c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(bridge.getName(), bridge.getParameterTypes());
                return !m.isBridge() && m.getReturnType() == bridge.getReturnType() && !overriddenIn(owner, m)
                        ? m : null;
            } catch (NoSuchMethodException e) {
                // not declared here: look further up
            }
        }
        return null;
    }

    /** Whether {@code owner} declares a method of its own (no bridge) that overrides {@code m}. */
    private static boolean overriddenIn(Class<?> owner, Method m) {
        for (Method own : owner.getDeclaredMethods()) {
            if (!own.isBridge() && !own.isSynthetic() && !Modifier.isStatic(own.getModifiers())
                    && own.getName().equals(m.getName()) && own.getParameterCount() == m.getParameterCount()
                    && m.equals(Overrides.declaredIn(m.getDeclaringClass(), owner, own))) {
                return true;
            }
        }
        return false;
    }

    /** equals(Object), hashCode() or toString(), wherever declared. */
    static boolean isObjectMethod(Method m) {
        return m.getParameterCount() <= 1 && MethodRules.isObjectMethod(m.getName(),
                Arrays.stream(m.getParameterTypes()).map(Class::getName).toList());
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
            if (carriesPolicy(c)) {
                return true;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (carriesPolicy(m)) {
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

    /** The annotations that carry a policy, in the order messages name them. */
    static final List<Class<? extends Annotation>> POLICIES = List.of(Retry.class, Fallback.class,
            CircuitBreaker.class, RateLimit.class);

    /** Whether {@code e} (a type, a method, or null for none) carries a policy annotation itself. */
    public static boolean carriesPolicy(AnnotatedElement e) {
        if (e == null) {
            return false;
        }
        for (Class<? extends Annotation> a : POLICIES) {
            if (e.isAnnotationPresent(a)) {
                return true;
            }
        }
        return false;
    }

    /** The policy annotations on {@code e} itself, as written ({@code "@Retry and @Fallback"}); null for none. */
    static String policiesOn(AnnotatedElement e) {
        List<String> found = new ArrayList<>();
        for (Class<? extends Annotation> a : POLICIES) {
            if (e.isAnnotationPresent(a)) {
                found.add("@" + a.getSimpleName());
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        int last = found.size() - 1;
        return last == 0 ? found.get(0) : String.join(", ", found.subList(0, last)) + " and " + found.get(last);
    }

    /** Whether {@code type} belongs to Rebound itself (never given a policy). */
    public static boolean isRebound(Class<?> type) {
        String n = type.getName();
        return n.startsWith("dev.rebound.annotations.") || n.startsWith("dev.rebound.runtime.")
                || n.startsWith("dev.rebound.weaver.");
    }
}

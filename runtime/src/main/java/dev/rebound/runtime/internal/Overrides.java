package dev.rebound.runtime.internal;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which declaration a method implements, generics included: {@code EventHandler.handle(String)}
 * implements {@code Handler<T>.handle(T)} when {@code EventHandler implements Handler<String>}, although
 * the two declarations' erased parameter types differ ({@code String} against {@code Object}). Used
 * when annotations are looked up, once per method.
 */
final class Overrides {

    private Overrides() {
    }

    /**
     * The method declared in {@code owner} (a supertype of {@code impl}, or {@code impl} itself) that
     * {@code m}, a method of {@code impl}, is or implements; or, {@code m} being a supertype's method (an
     * interface's, erased: {@code Replier<T>.reply(T)} is {@code reply(Object)}), the method of {@code owner} that
     * implements it ({@link #implementing}), never a bridge where there is one: null when there is none. So the
     * annotations read on it are the same whichever compiler built {@code owner}: javac copies all the annotations
     * of the method a bridge calls onto the bridge, ajc copies none, and leaves out some bridges javac writes.
     */
    static Method declaredIn(Class<?> owner, Class<?> impl, Method m) {
        Method found = declared(owner, impl, m);
        if (found != null && !found.isBridge()) {
            return found;
        }
        Method implementing = implementing(owner, impl, m);
        return implementing != null ? implementing : found; // an access bridge: both compilers copy its annotations
    }

    /**
     * The method of {@code owner}, not a bridge, that implements {@code m}, a method of a supertype of {@code
     * impl} whose erased parameter types {@code owner}'s method does not have: the method a bridge for {@code m}'s
     * erasure calls, whether the compiler wrote one in {@code owner} or not, as the JVM dispatches the call. Either
     * {@code owner} overrides {@code m}, its type arguments put in as {@code owner} gives them ({@code
     * reply(String)} of {@code class Own implements Replier<String>}; {@code reply(T)}, erased to {@code
     * reply(CharSequence)}, of {@code class Mid<T extends CharSequence> implements Replier<T>}), or {@code owner}
     * implements no such supertype and {@code impl} binds {@code m}'s type variables to the parameter types of a
     * method {@code owner} declares ({@code Base.reply(String)} for {@code class Impl extends Base implements
     * Replier<String>}). Null when there is none, and for a method of {@code owner} or of a subtype of it (a
     * superclass's method implements none of a subclass's). Asked when annotations are looked up, once per method.
     */
    static Method implementing(Class<?> owner, Class<?> impl, Method m) {
        Class<?> declaring = m.getDeclaringClass();
        if (declaring == owner || owner.isAssignableFrom(declaring) || Modifier.isStatic(m.getModifiers())) {
            return null;
        }
        boolean inherited = declaring.isAssignableFrom(owner);
        for (Method candidate : owner.getDeclaredMethods()) {
            int mods = candidate.getModifiers();
            if (candidate.isBridge() || candidate.isSynthetic() || Modifier.isStatic(mods) || Modifier.isPrivate(mods)
                    || !candidate.getName().equals(m.getName())
                    || candidate.getParameterCount() != m.getParameterCount()
                    || !m.getReturnType().isAssignableFrom(candidate.getReturnType())) {
                continue;
            }
            if (m.equals(declared(declaring, inherited ? owner : impl, candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The method that runs when {@code m}, a method of a supertype of {@code type}, is called on an instance of
     * {@code type}, as the JVM dispatches it, never a bridge: the override of the nearest class that declares one
     * ({@link #declaredIn}), else the default method of the most specific interface that declares one; null when
     * neither does (an abstract method, a bridge whose target none of these declares).
     */
    static Method implementation(Class<?> type, Method m) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            Method own = declaredIn(c, type, m);
            if (own != null && !own.isBridge() && !Modifier.isAbstract(own.getModifiers())) {
                return own;
            }
            if (own != null && !own.isBridge()) {
                return null; // abstract here: nothing above runs
            }
        }
        Method found = null;
        for (Class<?> itf : AnnotationLookup.allInterfaces(type)) {
            Method own = declaredIn(itf, type, m);
            if (own != null && own.isDefault()
                    && (found == null || found.getDeclaringClass().isAssignableFrom(itf))) {
                found = own;
            }
        }
        return found;
    }

    /** {@link #declaredIn} as {@code owner}'s class file has it: a bridge when {@code m}'s erasure finds one. */
    private static Method declared(Class<?> owner, Class<?> impl, Method m) {
        try {
            return owner.getDeclaredMethod(m.getName(), m.getParameterTypes());
        } catch (NoSuchMethodException e) {
            // not with the same erased types: a type variable of owner may stand in between
        }
        Map<TypeVariable<?>, Type> bindings = null;
        for (Method candidate : owner.getDeclaredMethods()) {
            int mods = candidate.getModifiers();
            if (candidate.isBridge() || candidate.isSynthetic() || Modifier.isStatic(mods) || Modifier.isPrivate(mods)
                    || !candidate.getName().equals(m.getName())
                    || candidate.getParameterCount() != m.getParameterCount()) {
                continue;
            }
            if (bindings == null) {
                bindings = new HashMap<>();
                bind(impl, bindings, 0);
            }
            Type[] generic = candidate.getGenericParameterTypes();
            Class<?>[] resolved = new Class<?>[generic.length];
            for (int i = 0; i < generic.length; i++) {
                resolved[i] = erasure(generic[i], bindings, 0);
            }
            if (Arrays.equals(resolved, m.getParameterTypes())) {
                return candidate;
            }
        }
        return null;
    }

    /** The first of {@code c}, its superclasses and then its interfaces that declares what {@code m} implements. */
    static Method find(Class<?> c, Class<?> impl, Method m) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            Method found = declaredIn(k, impl, m);
            if (found != null) {
                return found;
            }
        }
        for (Class<?> itf : AnnotationLookup.allInterfaces(c)) {
            Method found = declaredIn(itf, impl, m);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * The class {@code m} returns when called on an instance of {@code owner} (a subtype of its declaring
     * class): its declared result with the type arguments {@code owner} and its supertypes give put in, so
     * {@code Task<T>.run} returns {@code CompletableFuture} on {@code AsyncTask extends
     * Task<CompletableFuture<String>>}; the erased result when nothing narrower is known.
     */
    static Class<?> resultType(Class<?> owner, Method m) {
        Type generic = m.getGenericReturnType();
        Class<?> erased = m.getReturnType();
        if (generic instanceof Class<?>) {
            return erased;
        }
        Map<TypeVariable<?>, Type> bindings = new HashMap<>();
        bind(owner, bindings, 0);
        Class<?> resolved = erasure(generic, bindings, 0);
        return erased.isAssignableFrom(resolved) ? resolved : erased;
    }

    /**
     * The type argument of the future {@code m} returns ({@code CompletableFuture<T>}'s {@code T}), as
     * instances of {@code owner} fix it (a generic interface's {@code CompletableFuture<R>} is a future
     * of {@code String} on a class that implements it as {@code Chat<String>}); null when not known: a raw
     * future, a wildcard, a type variable nothing fixes.
     */
    static Type futureValue(Class<?> owner, Method m) {
        if (!(m.getGenericReturnType() instanceof ParameterizedType p)) {
            return null;
        }
        Type value = p.getActualTypeArguments()[0];
        if (value instanceof TypeVariable<?>) {
            Map<TypeVariable<?>, Type> bindings = new HashMap<>();
            bind(owner, bindings, 0);
            for (int depth = 0; value instanceof TypeVariable<?> v && depth < 64; depth++) {
                Type bound = bindings.get(v);
                if (bound == null || bound == v) {
                    return null;
                }
                value = bound;
            }
        }
        return value instanceof Class<?> || value instanceof ParameterizedType ? value : null;
    }

    /** Records the type arguments that {@code type} and its supertypes give to their type variables. */
    private static void bind(Type type, Map<TypeVariable<?>, Type> bindings, int depth) {
        if (depth > 64) {
            return;
        }
        Class<?> raw;
        if (type instanceof ParameterizedType p) {
            raw = (Class<?>) p.getRawType();
            TypeVariable<?>[] vars = raw.getTypeParameters();
            Type[] args = p.getActualTypeArguments();
            for (int i = 0; i < vars.length && i < args.length; i++) {
                Type arg = args[i];
                bindings.putIfAbsent(vars[i], arg instanceof TypeVariable<?> v && bindings.containsKey(v)
                        ? bindings.get(v) : arg);
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
        } else {
            return;
        }
        if (raw.getGenericSuperclass() != null) {
            bind(raw.getGenericSuperclass(), bindings, depth + 1);
        }
        for (Type itf : raw.getGenericInterfaces()) {
            bind(itf, bindings, depth + 1);
        }
    }

    private static Class<?> erasure(Type type, Map<TypeVariable<?>, Type> bindings, int depth) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType a) {
            return erasure(a.getGenericComponentType(), bindings, depth + 1).arrayType();
        }
        if (type instanceof WildcardType w) {
            return erasure(w.getUpperBounds()[0], bindings, depth + 1);
        }
        if (type instanceof TypeVariable<?> v && depth < 64) {
            Type bound = bindings.get(v);
            return erasure(bound != null && bound != v ? bound : v.getBounds()[0], bindings, depth + 1);
        }
        return Object.class;
    }
}

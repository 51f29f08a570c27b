package dev.rebound.runtime.internal;

import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.NamedClassRules;
import dev.rebound.runtime.rules.ResultPredicateRules;
import dev.rebound.runtime.rules.Rules;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The rules of the classes named in {@code @Retry.onResult}, {@code @Fallback.onResult} and
 * {@code @Fallback.handler}: each must implement its contract and be made with a public no-argument
 * constructor. Every problem is worded {@code <attribute> <class> <why>}, as the other failure-list
 * rules are.
 */
public final class ResultAndHandlerRules {

    private ResultAndHandlerRules() {
    }

    /** Why {@code type} cannot serve as a {@code contract} named by {@code attribute}, or null. */
    public static String problem(String attribute, Class<?> type, Class<?> contract) {
        boolean noArg;
        try {
            Constructor<?> c = type.getConstructor();
            noArg = Modifier.isPublic(c.getModifiers());
        } catch (NoSuchMethodException e) {
            noArg = false;
        }
        int m = type.getModifiers();
        return NamedClassRules.problem(attribute, type.getName(), contract.getName(), contract.isAssignableFrom(type),
                type.isInterface(), Modifier.isAbstract(m), inner(type), Modifier.isPublic(m), noArg);
    }

    /** Whether {@code type} is an inner (non-static nested) class: only an enclosing instance can make it. */
    public static boolean inner(Class<?> type) {
        return type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers());
    }

    /**
     * An instance of {@code type}, or null after adding the problem (as {@code where: problem}) to
     * {@code problems}.
     */
    public static <T> T instance(String attribute, Class<?> type, Class<T> contract, String where,
            List<String> problems) {
        String p = problem(attribute, type, contract);
        if (p != null) {
            problems.add(where + ": " + p);
            return null;
        }
        try {
            return contract.cast(type.getConstructor().newInstance());
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            problems.add(Rules.at(where, FallbackRules.cannotBeProvided(attribute, type.getName(),
                    NamedClassRules.constructorThrew(type.getName(), cause.getClass().getName()))));
            return null;
        }
    }

    /** The predicates named in {@code attribute}, made; null when none (or on a problem). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static List<Predicate<Object>> predicates(String attribute, Class<? extends Predicate>[] types,
            String where, List<String> problems) {
        List<Predicate<Object>> out = new ArrayList<>();
        for (Class<? extends Predicate> t : types) {
            Predicate p = instance(attribute, t, Predicate.class, where, problems);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Why the predicate class {@code type}, named in {@code attribute}, would never judge the result of
     * {@code method} on instances of {@code owner} ({@link ResultPredicateRules#neverJudges}), or null: its
     * result, or for a method returning a {@code CompletionStage<T>} or {@code CompletableFuture<T>} the
     * erasure of {@code T}, each as {@code owner} fixes a type variable of a generic interface (not
     * checked when {@code T} is unknown: a raw future, a wildcard, a type variable nothing fixes).
     */
    public static String neverJudges(String attribute, Class<?> type, Class<?> owner, Method method) {
        Class<?> returned = Repetition.resultType(owner, method);
        String future = null;
        if (MethodRules.isAsyncResult(method.getReturnType().getName())) {
            future = method.getReturnType().getName();
            returned = erased(Overrides.futureValue(owner, method));
            if (returned == null) {
                return null;
            }
        }
        if (returned.isArray() || !ResultPredicateRules.checked(returned.getName())) { // arrays: not checked
            return null;
        }
        Class<?> declared = judgedBy(type, new HashMap<>());
        List<String> judgedNames = ResultPredicateRules.judged(type.getName(),
                declared == null ? null : declared.getName());
        if (judgedNames.isEmpty() || judgedNames.contains(Object.class.getName())) {
            return null;
        }
        Class<?> result = boxed(returned);
        boolean known = false;
        for (String judgedName : judgedNames) {
            Class<?> judged;
            try {
                judged = declared != null && declared.getName().equals(judgedName) ? declared
                        : Class.forName(judgedName, false, type.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue; // an optional library absent: its type is never the result
            }
            known = true;
            boolean related = judged.isAssignableFrom(result) || result.isAssignableFrom(judged);
            if (ResultPredicateRules.canBeBoth(related, judged.isInterface(), Modifier.isFinal(judged.getModifiers()),
                    result.isInterface(), Modifier.isFinal(result.getModifiers()))) {
                return null;
            }
        }
        return known ? ResultPredicateRules.neverJudges(attribute, type.getName(), judgedNames, future,
                result.getName()) : null;
    }

    /** The erasure of the {@code T} of the {@code Predicate<T>} that {@code type} implements; null if unknown. */
    private static Class<?> judgedBy(Type type, Map<TypeVariable<?>, Type> bound) {
        Class<?> raw;
        if (type instanceof ParameterizedType) {
            ParameterizedType p = (ParameterizedType) type;
            raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            TypeVariable<?>[] vars = raw.getTypeParameters();
            for (int i = 0; i < vars.length && i < args.length; i++) {
                Type arg = args[i];
                bound.put(vars[i], arg instanceof TypeVariable && bound.containsKey(arg) ? bound.get(arg) : arg);
            }
            if (raw == Predicate.class) {
                return erased(bound.get(vars[0]));
            }
        } else if (type instanceof Class) {
            raw = (Class<?>) type;
        } else {
            return null;
        }
        List<Type> supers = new ArrayList<>(List.of(raw.getGenericInterfaces()));
        if (raw.getGenericSuperclass() != null) {
            supers.add(raw.getGenericSuperclass());
        }
        for (Type s : supers) {
            Class<?> found = judgedBy(s, bound);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The class {@code type} names, or a parameterized type's raw class; null otherwise (a type variable, ...). */
    private static Class<?> erased(Type type) {
        return type instanceof Class ? (Class<?>) type
                : type instanceof ParameterizedType ? (Class<?>) ((ParameterizedType) type).getRawType() : null;
    }

    private static Class<?> boxed(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
    }

    /** One predicate rejecting what any of {@code predicates} rejects; null for none. */
    public static Predicate<Object> anyOf(List<Predicate<Object>> predicates) {
        if (predicates.isEmpty()) {
            return null;
        }
        if (predicates.size() == 1) {
            return predicates.get(0);
        }
        List<Predicate<Object>> all = List.copyOf(predicates);
        return result -> {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).test(result)) {
                    return true;
                }
            }
            return false;
        };
    }
}

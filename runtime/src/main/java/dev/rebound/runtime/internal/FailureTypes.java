package dev.rebound.runtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks the failure types a user lists ({@code @Retry.on}, {@code @Fallback.on}, the builders'
 * {@code retryOn}/{@code fallbackOn}): a type that can never take effect there is a mistake to
 * report when the policy is built, not a silent no-op discovered in production.
 */
public final class FailureTypes {

    private FailureTypes() {
    }

    /**
     * Why {@code type}, listed as a failure to act on, can never take effect, or null. Errors are
     * never retried nor caught by a fallback, and an interrupt stops the call.
     *
     * @param action "retried" or "caught by a fallback"
     */
    public static String neverActedOn(Class<?> type, String action) {
        if (Error.class.isAssignableFrom(type)) {
            return type.getName() + ", an Error: Errors are never " + action;
        }
        if (InterruptedException.class.isAssignableFrom(type)) {
            return type.getName() + ": an interrupted call is never " + action;
        }
        return null;
    }

    /**
     * Every problem with an "act on" list and its exclusions, each as
     * {@code <onName> lists X, an Error: ...} or {@code <onName> and <offName> both list X}.
     */
    public static List<String> problems(String onName, List<Class<? extends Throwable>> on, String offName,
            List<Class<? extends Throwable>> off, String action) {
        List<String> problems = new ArrayList<>();
        for (Class<?> type : on) {
            String why = neverActedOn(type, action);
            if (why != null) {
                problems.add(onName + " lists " + why);
            }
            if (off.contains(type)) {
                problems.add(onName + " and " + offName + " both list " + type.getName());
            }
        }
        return problems;
    }

    /**
     * An immutable copy of a builder's varargs list.
     *
     * @throws NullPointerException naming {@code name} or {@code name[i]} if the array or an element is null
     */
    @SafeVarargs
    public static List<Class<? extends Throwable>> copy(String name, Class<? extends Throwable>... types) {
        Objects.requireNonNull(types, name);
        for (int i = 0; i < types.length; i++) {
            Objects.requireNonNull(types[i], name + "[" + i + "]");
        }
        return List.of(types);
    }

    /**
     * Throws the first problem of {@link #problems} as an {@link IllegalArgumentException}, for builders.
     *
     * @throws IllegalArgumentException if there is a problem
     */
    public static void check(String onName, List<Class<? extends Throwable>> on, String offName,
            List<Class<? extends Throwable>> off, String action) {
        List<String> problems = problems(onName, on, offName, off, action);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
    }
}

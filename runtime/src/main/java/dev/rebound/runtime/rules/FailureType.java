package dev.rebound.runtime.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A failure type a user listed ({@code @Retry.on}, {@code CircuitBreakerPolicy.Builder.failOn}, ...),
 * as the rules need it: its name and its superclasses' names. The annotation reader and the builders
 * make it from a {@link Class}; the annotation processor from javac's type model.
 *
 * @param name the binary class name, {@code java.net.ConnectException}
 * @param superclasses the binary names of its superclasses, nearest first ({@code java.io.IOException},
 *     {@code java.lang.Exception}, {@code java.lang.Throwable}, {@code java.lang.Object}); copied
 */
public record FailureType(String name, List<String> superclasses) {

    public FailureType {
        Objects.requireNonNull(name, "name");
        superclasses = List.copyOf(superclasses);
    }

    /** The facts of {@code type}. */
    public static FailureType of(Class<?> type) {
        List<String> supers = new ArrayList<>();
        for (Class<?> c = type.getSuperclass(); c != null; c = c.getSuperclass()) {
            supers.add(c.getName());
        }
        return new FailureType(type.getName(), supers);
    }

    /** The facts of each of {@code types}. */
    public static List<FailureType> of(List<? extends Class<?>> types) {
        List<FailureType> out = new ArrayList<>(types.size());
        for (Class<?> t : types) {
            out.add(of(t));
        }
        return out;
    }

    /** Whether this is the type named {@code binaryName} or a subclass of it. */
    public boolean is(String binaryName) {
        return name.equals(binaryName) || superclasses.contains(binaryName);
    }

    /** Whether it is an {@link Error} or a subclass. */
    public boolean error() {
        return is("java.lang.Error");
    }

    /** Whether it is Rebound's own {@code ReboundConfigurationException}, a policy that could not be built. */
    public boolean configurationError() {
        return is("dev.rebound.runtime.ReboundConfigurationException");
    }

    /** Whether it is an {@link InterruptedException} or a subclass. */
    public boolean interruption() {
        return is("java.lang.InterruptedException");
    }

    /** What a list of failure types is for, in the words of its problems. */
    public enum Action {
        /** {@code @Retry.on}, {@code retryOn}. */
        RETRIED("retried"),
        /** {@code @CircuitBreaker.on}, {@code failOn}. */
        RECORDED("recorded by a circuit breaker"),
        /** {@code @Fallback.on}, {@code fallbackOn}. */
        CAUGHT("caught by a fallback");

        private final String words;

        Action(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /**
     * Every problem with a list of failures to act on ({@code onName}) and its exclusions
     * ({@code offName}): a type that can never take effect there (an Error or a
     * {@code ReboundConfigurationException} is never retried, caught or recorded; an interrupt stops the call), a type in both lists, or a type that is a subclass of an
     * exclusion (the exclusion wins, for subclasses and causes alike, so it would never take effect). An
     * exclusion that is a subclass of a type acted on narrows it, and is fine.
     */
    public static List<String> problems(String onName, List<FailureType> on, String offName, List<FailureType> off,
            Action action) {
        List<String> problems = new ArrayList<>();
        for (FailureType type : on) {
            if (type.error()) {
                problems.add(onName + " lists " + type.name + ", an Error: Errors are never " + action);
            } else if (type.interruption()) {
                problems.add(onName + " lists " + type.name + ": an interrupted call is never " + action);
            } else if (type.configurationError()) {
                problems.add(onName + " lists " + type.name + ", a policy that could not be built: a configuration "
                        + "error is never " + action);
            }
            for (FailureType excluded : off) {
                if (excluded.name.equals(type.name)) {
                    problems.add(onName + " and " + offName + " both list " + type.name);
                } else if (type.superclasses.contains(excluded.name)) {
                    problems.add(onName + " lists " + type.name + ", a subclass of " + excluded.name + ", which "
                            + offName + " lists: it would never be " + action);
                }
            }
        }
        return problems;
    }
}

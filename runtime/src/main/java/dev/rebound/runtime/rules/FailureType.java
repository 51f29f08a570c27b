package dev.rebound.runtime.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A failure type a user listed ({@code @Retry.on}, {@code CircuitBreakerPolicy.Builder.failOn}, ...),
 * as the rules need it: its name and what kind of throwable it is. The annotation reader and the
 * builders make it from a {@link Class}; the annotation processor from javac's type model.
 *
 * @param name the binary class name, {@code java.io.IOException}
 * @param error whether it is an {@link Error} or a subclass
 * @param interruption whether it is an {@link InterruptedException} or a subclass
 */
public record FailureType(String name, boolean error, boolean interruption) {

    public FailureType {
        Objects.requireNonNull(name, "name");
    }

    /** The facts of {@code type}. */
    public static FailureType of(Class<?> type) {
        return new FailureType(type.getName(), Error.class.isAssignableFrom(type),
                InterruptedException.class.isAssignableFrom(type));
    }

    /** The facts of each of {@code types}. */
    public static List<FailureType> of(List<? extends Class<?>> types) {
        List<FailureType> out = new ArrayList<>(types.size());
        for (Class<?> t : types) {
            out.add(of(t));
        }
        return out;
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
     * ({@code offName}): a type that can never take effect there (an Error is never retried, caught or
     * recorded; an interrupt stops the call), or a type in both lists.
     */
    public static List<String> problems(String onName, List<FailureType> on, String offName, List<FailureType> off,
            Action action) {
        List<String> problems = new ArrayList<>();
        for (FailureType type : on) {
            if (type.error) {
                problems.add(onName + " lists " + type.name + ", an Error: Errors are never " + action);
            } else if (type.interruption) {
                problems.add(onName + " lists " + type.name + ": an interrupted call is never " + action);
            }
            for (FailureType excluded : off) {
                if (excluded.name.equals(type.name)) {
                    problems.add(onName + " and " + offName + " both list " + type.name);
                }
            }
        }
        return problems;
    }
}

package dev.rebound.runtime.rules;

import java.util.List;
import java.util.Objects;

/** How a problem of the rule set reaches its reader: thrown by a builder, or collected for a method. */
public final class Rules {

    private Rules() {
    }

    /**
     * Throws {@code problem} for a builder; does nothing when it is null (the value is fine).
     *
     * @throws IllegalArgumentException with {@code problem} as its message, if not null
     */
    public static void require(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Throws the first of {@code problems}, for a builder. @throws IllegalArgumentException if any */
    public static void require(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
    }

    /** {@code "Chat.chat(String): " + problem}: a problem of the method (or type) {@code where}. */
    public static String at(String where, String problem) {
        return where + ": " + problem;
    }

    /** Adds {@code problem}, if not null, to {@code out} as a problem of {@code where}. */
    public static void addAt(String where, String problem, List<String> out) {
        if (problem != null) {
            out.add(at(where, problem));
        }
    }

    /** Adds each of {@code problems} to {@code out} as a problem of {@code where}. */
    public static void addAt(String where, List<String> problems, List<String> out) {
        for (String p : problems) {
            out.add(at(where, p));
        }
    }

    /** A wait, a deadline or an open time ({@code delay}, {@code maxDelay}, {@code maxDuration}): not negative. */
    public static String notNegative(String attribute, TimeAmount amount) {
        return amount.isNegative() ? problem(attribute, amount, "is negative") : null;
    }

    /** A timeout or an interval to wait ({@code timeout}, {@code retryInterval}): above zero. */
    public static String positive(String attribute, TimeAmount amount) {
        return amount.amount() > 0 ? null : problem(attribute, amount, "is not positive");
    }

    /**
     * A count that must be at least 1 ({@code successThreshold}, {@code halfOpenProbes},
     * {@code maxConcurrency}): {@code "maxConcurrency = 0 is below 1"}.
     */
    public static String atLeastOne(String attribute, int value) {
        return value < 1 ? problem(attribute, value, "is below 1") : null;
    }

    /**
     * A name a builder is given ({@code named}, {@code namespace}): not blank, as {@code named = " " is blank}
     * (the value quoted, as a retry budget's or a rate limit's name is).
     */
    public static String notBlank(String attribute, String value) {
        return value.isBlank() ? problem(attribute, "\"" + value + "\"", "is blank") : null;
    }

    /**
     * An immutable copy of a builder's varargs list of failure types.
     *
     * @throws NullPointerException naming {@code name} or {@code name[i]} if the array or an element is null
     */
    @SafeVarargs
    public static <T> List<T> nonNull(String name, T... values) {
        Objects.requireNonNull(values, name);
        for (int i = 0; i < values.length; i++) {
            Objects.requireNonNull(values[i], name + "[" + i + "]");
        }
        return List.of(values);
    }

    static void add(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    /** {@code "attempts = 0 is outside 1..100"}: the one shape of a problem with a value. */
    static String problem(String attribute, Object value, String why) {
        return attribute + " = " + value + " " + why;
    }
}

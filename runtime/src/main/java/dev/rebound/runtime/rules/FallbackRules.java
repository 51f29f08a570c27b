package dev.rebound.runtime.rules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The rules of a fallback list ({@code @Fallback.to}, {@code Rebound.wrap(...).withFallbacks}). */
public final class FallbackRules {

    /** The system property that silences {@link #withoutRetry}'s warning, when {@code false}. */
    public static final String WARN_WITHOUT_RETRY = "rebound.warnFallbackWithoutRetry";

    private FallbackRules() {
    }

    /**
     * A warning, not a problem: a fallback ({@code fallback}: {@code "@Fallback"}, {@code "withFallbacks"},
     * {@code "withFallbackHandler"}), alternatives or a handler, under a retry of one attempt ({@code retry}:
     * {@code "@Retry"}, {@code "withRetry"}; none counts as one) sends every call that fails once, transient
     * failures included, to the fallback. Null when there is no fallback ({@code hasFallback}: neither
     * alternatives nor a handler) or more than one attempt.
     */
    public static String withoutRetry(String fallback, String retry, boolean hasFallback, int attempts) {
        return !hasFallback || attempts > 1 ? null : "has " + fallback + " but no " + retry
                + ": one transient failure sends every call to the fallback. Add " + retry + ", or set -D"
                + WARN_WITHOUT_RETRY + "=false if that is intended.";
    }

    /** An alternative listed twice would be called twice for one failure. */
    public static String listedTwice(String attribute, String alternative) {
        return attribute + " lists " + alternative + " more than once";
    }

    /** The primary as its own alternative would only repeat the failed call. */
    public static String isTheTarget(String attribute, String alternative) {
        return attribute + " lists " + alternative + ", the target itself";
    }

    /**
     * Failures to fall back on ({@code on}) with no fallback to act on, neither alternatives ({@code to})
     * nor a handler: they would be ignored.
     */
    public static String nothingToFallBackTo(String on, String to, String handler) {
        return nothingToActOn(on, " has", to, handler) + ", and builder policies never adjust the annotations'"
                + " @Fallback: give the alternatives to " + to + ", or drop " + on + " to apply the annotations";
    }

    /**
     * The same for an annotation: a {@code @Fallback} whose {@code to} is empty and that names no handler,
     * but names failures or results to fall back on ({@code given}, the attributes written among
     * {@code @Fallback.on}, {@code skipOn} and {@code onResult}): they would be ignored. An empty {@code to}
     * alone is fine: it opts a method out of a type-level {@code @Fallback}.
     */
    public static String nothingToFallBackTo(List<String> given, String to, String handler) {
        String named = String.join(" and ", given);
        return nothingToActOn(named, given.size() == 1 ? " has" : " have", to, handler) + ": name the alternatives"
                + " in " + to + " or a " + handler + ", or drop " + named + " (an empty " + to + " alone opts the"
                + " method out of a type-level @Fallback)";
    }

    private static String nothingToActOn(String on, String has, String to, String handler) {
        return on + has + " no fallback to act on (no " + to + " alternative, no " + handler + ")";
    }

    /** An alternative must be callable as the method's interface (or class). */
    public static String doesNotImplement(String attribute, String alternative, String contract) {
        return attribute + " " + alternative + " does not implement " + contract;
    }

    /**
     * An alternative the runtime cannot obtain: {@code why} is Rebound's own reason ("has no public
     * no-arg constructor") or the class name of a resolver's exception, never its message.
     */
    public static String cannotBeProvided(String attribute, String alternative, String why) {
        return attribute + " " + alternative + " cannot be provided: " + why;
    }

    /** Alternatives whose own fallbacks lead back to the primary: {@code First -> Second -> First}. */
    public static String formsACycle(String attribute, List<String> path) {
        return attribute + " forms a cycle " + String.join(" -> ", path);
    }

    /**
     * The first path from {@code primary} through {@code first} back to {@code primary}, following
     * each alternative's own fallbacks ({@code ownTargets}), or null when there is none. Works on any
     * node type: classes for the annotation reader, javac's type elements for the processor.
     */
    public static <T> List<T> cycle(T primary, T first, Function<T, List<T>> ownTargets) {
        Deque<List<T>> paths = new ArrayDeque<>();
        paths.add(List.of(primary, first));
        Set<T> visited = new LinkedHashSet<>();
        while (!paths.isEmpty()) {
            List<T> path = paths.poll();
            T last = path.get(path.size() - 1);
            if (!visited.add(last)) {
                continue;
            }
            for (T next : ownTargets.apply(last)) {
                List<T> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(primary)) {
                    return longer;
                }
                paths.add(longer);
            }
        }
        return null;
    }
}

package dev.rebound.runtime.internal;

import java.util.List;

/**
 * The default failure classifier: which failures are transient (worth another attempt).
 * langchain4j is optional; its exception families are looked up once by name.
 */
public final class Classifier {

    private static final Class<?> LC4J_NON_RETRIABLE = load("dev.langchain4j.exception.NonRetriableException");
    private static final Class<?> LC4J_RETRIABLE = load("dev.langchain4j.exception.RetriableException");

    private Classifier() {
    }

    /**
     * True for failures that may pass on a second try: any {@link Exception} except
     * InterruptedException, programming errors and langchain4j's non-retriable family.
     */
    public static boolean isTransient(Throwable t) {
        if (!(t instanceof Exception) || t instanceof InterruptedException) {
            return false;
        }
        if (LC4J_RETRIABLE != null && LC4J_RETRIABLE.isInstance(t)) {
            return true;
        }
        if (LC4J_NON_RETRIABLE != null && LC4J_NON_RETRIABLE.isInstance(t)) {
            return false;
        }
        return !(t instanceof IllegalArgumentException
                || t instanceof NullPointerException
                || t instanceof ClassCastException
                || t instanceof UnsupportedOperationException);
    }

    /**
     * How deep {@link #matchesAny} looks into a failure's causes. Real wrappers are a few levels deep
     * (langchain4j: RuntimeException, then IOException); the bound keeps a pathological or cyclic chain
     * from costing more than a few steps.
     */
    public static final int MAX_CAUSE_DEPTH = 16;

    /**
     * Whether {@code t} or one of its causes is an instance of any of {@code types}. A user's list of
     * failure types ({@code @Retry.on}, {@code abortOn}, {@code @Fallback.on}, {@code skipOn}, the
     * breaker's lists, the builders' equivalents) names what a failure is, and a client library often
     * wraps it: langchain4j's JDK client reports a refused connection as a RuntimeException whose cause
     * is the ConnectException. The walk follows {@link Throwable#getCause()} at most
     * {@link #MAX_CAUSE_DEPTH} levels and stops at a cause that is its own cause, so a cyclic chain
     * ends, and at a failure whose {@code getCause()} throws ({@link #causeOf}). Allocates nothing.
     */
    public static boolean matchesAny(Throwable t, List<Class<? extends Throwable>> types) {
        int n = types.size();
        if (n == 0) {
            return false;
        }
        Throwable current = t;
        for (int depth = 0; current != null && depth <= MAX_CAUSE_DEPTH; depth++) {
            for (int i = 0; i < n; i++) {
                if (types.get(i).isInstance(current)) {
                    return true;
                }
            }
            Throwable cause = causeOf(current);
            current = cause == current || cause == t ? null : cause;
        }
        return false;
    }

    /**
     * {@code t.getCause()}, or null when it throws (an exception class that overrides it badly, an
     * {@code AssertionError} included; the JVM's own {@link VirtualMachineError}s go up): the chain ends
     * there, so what the engine reads of a failure never replaces the failure itself, which the caller gets
     * as it is.
     */
    public static Throwable causeOf(Throwable t) {
        try {
            return t.getCause();
        } catch (VirtualMachineError vm) {
            throw vm;
        } catch (Throwable broken) {
            return null;
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Classifier.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }
}

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

    /** Whether {@code t} is an instance of any of {@code types}. */
    public static boolean matchesAny(Throwable t, List<Class<? extends Throwable>> types) {
        for (int i = 0, n = types.size(); i < n; i++) {
            if (types.get(i).isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Classifier.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }
}

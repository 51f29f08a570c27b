package dev.rebound.runtime.internal;

import java.util.List;

/**
 * The default failure classifier: which failures are transient (worth another attempt).
 * langchain4j is optional; its exception types are looked up once by name.
 *
 * <p>Of langchain4j's exceptions (1.19.0), transient: the {@code RetriableException} family (rate limit,
 * internal server error, timeout); an {@code HttpException} (a status its mapper left as it is); an
 * {@code OutputParsingException} (an answer that did not parse: the next is a new sample); a bare
 * {@code LangChain4jException} (it wraps what the client met, an I/O failure most often). Not transient,
 * as the same call fails the same way on every attempt or a repeat re-runs what already had its effect:
 * the {@code NonRetriableException} family (authentication, invalid request, content filtered, model not
 * found, unresolved model server); {@code UnsupportedFeatureException} (a parameter the provider's client
 * does not support, refused before anything is sent); {@code ToolArgumentsException} and
 * {@code ToolExecutionException} (a tool call the model got wrong, a tool that threw: a repeat runs the
 * whole exchange again, every tool it already ran included; langchain4j's tool error handlers answer
 * them within the exchange); {@code ModelDisabledException}; the {@code GuardrailException} family (an
 * input a guardrail refuses is refused again; an output one refuses has had langchain4j's own retries);
 * {@code ModerationException}; {@code IllegalConfigurationException}; {@code BlankDocumentException}.
 * Each of these still goes to the fallbacks (another model may support the feature).
 */
public final class Classifier {

    private static final Class<?> LC4J_NON_RETRIABLE = load("dev.langchain4j.exception.NonRetriableException");
    private static final Class<?> LC4J_RETRIABLE = load("dev.langchain4j.exception.RetriableException");
    /** The base of all of them: a failure that is not one is judged without the list below. */
    private static final Class<?> LC4J_BASE = load("dev.langchain4j.exception.LangChain4jException");
    /** langchain4j's deterministic failures outside its two families (absent classes left out). */
    private static final Class<?>[] LC4J_DETERMINISTIC = present(
            load("dev.langchain4j.exception.UnsupportedFeatureException"),
            load("dev.langchain4j.exception.ToolArgumentsException"),
            load("dev.langchain4j.exception.ToolExecutionException"),
            load("dev.langchain4j.model.ModelDisabledException"),
            load("dev.langchain4j.guardrail.GuardrailException"),
            load("dev.langchain4j.service.ModerationException"),
            load("dev.langchain4j.service.IllegalConfigurationException"),
            load("dev.langchain4j.data.document.BlankDocumentException"));

    private static final Class<?>[] NO_TYPES = new Class<?>[0];

    private Classifier() {
    }

    /**
     * True for failures that may pass on a second try: any {@link Exception} except
     * InterruptedException, programming errors, langchain4j's non-retriable family and its other
     * deterministic failures (listed above).
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
        if (LC4J_BASE != null && LC4J_BASE.isInstance(t)) {
            for (Class<?> deterministic : LC4J_DETERMINISTIC) {
                if (deterministic.isInstance(t)) {
                    return false;
                }
            }
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
    public static boolean matchesAny(Throwable t, Class<?>[] types) {
        int n = types.length;
        if (n == 0) {
            return false;
        }
        Throwable current = t;
        for (int depth = 0; current != null && depth <= MAX_CAUSE_DEPTH; depth++) {
            for (int i = 0; i < n; i++) {
                if (types[i].isInstance(current)) {
                    return true;
                }
            }
            Throwable cause = causeOf(current);
            current = cause == current || cause == t ? null : cause;
        }
        return false;
    }

    /**
     * {@code types} as {@link #matchesAny} takes them: a policy keeps its lists so, made once, and a failure
     * is then matched without a call on a {@code List} (its implementations differ by length, so the one
     * call site every policy shares may not be inlined).
     */
    public static Class<?>[] typesOf(List<Class<? extends Throwable>> types) {
        return types.isEmpty() ? NO_TYPES : types.toArray(new Class<?>[0]);
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

    /** The classes found (an older langchain4j lacks some; without it, none is). */
    private static Class<?>[] present(Class<?>... loaded) {
        return java.util.Arrays.stream(loaded).filter(java.util.Objects::nonNull).toArray(Class<?>[]::new);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Classifier.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }
}

package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.internal.Repetition;
import dev.rebound.runtime.rules.MethodRules;
import java.lang.reflect.Method;

/**
 * How a method delivers its outcome, which decides how its chain runs: returned or thrown
 * ({@link #SYNC}); in a {@code CompletionStage} it returns ({@link #ASYNC}); or to a langchain4j
 * {@code StreamingChatResponseHandler} it takes, returning void ({@link #STREAM}). The last two run
 * the same chain asynchronously ({@link Strategy#applyAsync}).
 */
public enum CallShape {
    SYNC,
    ASYNC,
    STREAM;

    /**
     * The shape of {@code m} called on an instance of {@code owner}: its result type read with
     * {@code owner}'s type arguments ({@link Repetition#resultType}), so a type-variable result that is
     * a future there is {@link #ASYNC}.
     */
    public static CallShape of(Class<?> owner, Method m) {
        Class<?> r = Repetition.resultType(owner, m);
        if (MethodRules.isAsyncResult(r.getName())) {
            return ASYNC;
        }
        if (r == void.class && handlerIndex(m) >= 0) {
            return STREAM;
        }
        return SYNC;
    }

    /** The index of {@code m}'s streaming handler parameter (the last one), or -1. */
    public static int handlerIndex(Method m) {
        Class<?>[] p = m.getParameterTypes();
        for (int i = p.length - 1; i >= 0; i--) {
            if (isStreamHandler(p[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The type of {@code m}'s streaming handler parameter when it is a subtype of langchain4j's handler
     * rather than that interface itself ({@link MethodRules#narrowedStreamHandler}, refused), else null.
     */
    public static Class<?> narrowedHandler(Method m) {
        int i = handlerIndex(m);
        Class<?> type = i < 0 ? null : m.getParameterTypes()[i];
        return type == null || type.getName().equals(MethodRules.STREAM_HANDLER) ? null : type;
    }

    private static boolean isStreamHandler(Class<?> c) {
        if (c.getName().equals(MethodRules.STREAM_HANDLER)) {
            return true;
        }
        for (Class<?> i : c.getInterfaces()) {
            if (isStreamHandler(i)) {
                return true;
            }
        }
        Class<?> superclass = c.getSuperclass(); // a class whose superclass implements it, as javac reads it
        return superclass != null && isStreamHandler(superclass);
    }
}

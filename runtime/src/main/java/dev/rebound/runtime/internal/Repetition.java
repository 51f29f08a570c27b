package dev.rebound.runtime.internal;

import dev.rebound.runtime.internal.chain.CallShape;
import dev.rebound.runtime.rules.MethodRules;
import java.lang.reflect.Method;

/** Reads a method's result type for {@link MethodRules#isDeferred}: reflection's side of that rule. */
public final class Repetition {

    private Repetition() {
    }

    /**
     * The class {@code m} returns when called on an instance of {@code owner} (the implementation, or the
     * interface {@code Rebound.wrap} wraps), type variables resolved: what decides its shape and whether
     * its result is deferred. {@code T run()} of {@code Task<T>} returns a {@code CompletableFuture} on
     * {@code AsyncTask extends Task<CompletableFuture<String>>}, although reflection says {@code Object}.
     */
    public static Class<?> resultType(Class<?> owner, Method m) {
        return Overrides.resultType(owner, m);
    }

    /**
     * The simple name of the deferred type {@code m} returns on instances of {@code owner}, or null when
     * it returns a plain value.
     */
    public static String deferredResult(Class<?> owner, Method m) {
        if (CallShape.of(owner, m) != CallShape.SYNC) {
            return null; // a CompletionStage or a streaming handler: the chain runs asynchronously
        }
        Class<?> r = resultType(owner, m);
        for (Class<?> c = r; c != null; c = c.getSuperclass()) {
            if (MethodRules.isDeferred(c.getName())) {
                return r.getSimpleName();
            }
        }
        for (Class<?> i : AnnotationLookup.allInterfaces(r)) {
            if (MethodRules.isDeferred(i.getName())) {
                return r.getSimpleName();
            }
        }
        return null;
    }
}

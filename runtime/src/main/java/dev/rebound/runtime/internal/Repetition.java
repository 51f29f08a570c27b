package dev.rebound.runtime.internal;

import dev.rebound.runtime.internal.chain.CallShape;
import dev.rebound.runtime.rules.MethodRules;
import java.lang.reflect.Method;

/** Reads a method's result type for {@link MethodRules#isDeferred}: reflection's side of that rule. */
public final class Repetition {

    private Repetition() {
    }

    /** The simple name of the deferred type {@code m} returns, or null when it returns a plain value. */
    public static String deferredResult(Method m) {
        if (CallShape.of(m) != CallShape.SYNC) {
            return null; // a CompletionStage or a streaming handler: the chain runs asynchronously
        }
        Class<?> r = m.getReturnType();
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

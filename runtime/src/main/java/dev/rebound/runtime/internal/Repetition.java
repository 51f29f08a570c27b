package dev.rebound.runtime.internal;

import dev.rebound.runtime.internal.chain.CallShape;

import java.lang.reflect.Method;
import java.util.Set;

/**
 * What a method's signature or marker forbids a policy to do: re-run a call whose failures arrive
 * after it returned (a future, a stream, a publisher), or repeat an effect
 * ({@code @NonIdempotent}) on failures that were not named as safe.
 */
public final class Repetition {

    /** Result types whose failures surface after the call returns; optional libraries by name. */
    private static final Set<String> DEFERRED = Set.of(
            "java.util.concurrent.Future",
            "java.util.concurrent.CompletionStage",
            "java.util.concurrent.Flow$Publisher",
            "java.util.stream.BaseStream",
            "org.reactivestreams.Publisher",
            "dev.langchain4j.service.TokenStream");

    private Repetition() {
    }

    /** The simple name of the deferred type {@code m} returns, or null when it returns a plain value. */
    public static String deferredResult(Method m) {
        if (CallShape.of(m) != CallShape.SYNC) {
            return null; // a CompletionStage or a streaming handler: the chain runs asynchronously
        }
        Class<?> r = m.getReturnType();
        for (Class<?> c = r; c != null; c = c.getSuperclass()) {
            if (DEFERRED.contains(c.getName())) {
                return r.getSimpleName();
            }
        }
        for (Class<?> i : AnnotationPolicies.allInterfaces(r)) {
            if (DEFERRED.contains(i.getName())) {
                return r.getSimpleName();
            }
        }
        return null;
    }

    /** {@code Chat.stream(String): @Retry cannot act on a method returning CompletableFuture: ...}. */
    public static String deferredProblem(String name, String what, String returned) {
        return name + ": " + what + " cannot act on a method returning " + returned
                + ": its failures arrive after the call has returned (apply the policy where the result is awaited)";
    }

    /** {@code Mailer.send(Mail): @Retry(attempts = 3) on a @NonIdempotent method must list ...}. */
    public static String nonIdempotentProblem(String name, String what, String list) {
        return name + ": " + what + " on a @NonIdempotent method must list the failures that are safe to "
                + "repeat it on, in " + list;
    }
}

package dev.rebound.runtime.rules;

import dev.rebound.runtime.AttemptTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a method's shape or marker forbids a policy to do: apply where no door can intercept, re-run a
 * call whose failures arrive after it returned (a future, a stream, a publisher), or repeat an effect
 * ({@code @NonIdempotent}) on failures that were not named as safe, on a result, or after a timeout.
 */
public final class MethodRules {

    /** Result types whose failures surface after the call returns (binary names; optional libraries too). */
    private static final Set<String> DEFERRED = Set.of(
            "java.util.concurrent.Future",
            "java.util.concurrent.CompletionStage",
            "java.util.concurrent.Flow$Publisher",
            "java.util.stream.BaseStream",
            "org.reactivestreams.Publisher",
            "dev.langchain4j.service.TokenStream");

    private MethodRules() {
    }

    /**
     * Result types the chain runs asynchronously: a method declared to return one of exactly these gets
     * every policy (its waits scheduled, its future followed), so it is not a deferred result.
     */
    private static final Set<String> ASYNC = Set.of(
            "java.util.concurrent.CompletionStage",
            "java.util.concurrent.CompletableFuture");

    /**
     * Whether a method declared to return the type named {@code binaryName} runs its policies
     * asynchronously ({@code CompletionStage}, {@code CompletableFuture}): checked before
     * {@link #isDeferred}. A subtype of either (a custom stage) is not: its policy is refused as deferred.
     */
    public static boolean isAsyncResult(String binaryName) {
        return ASYNC.contains(binaryName);
    }

    /** Whether the type named {@code binaryName}, or a type extending it, is a deferred result. */
    public static boolean isDeferred(String binaryName) {
        return DEFERRED.contains(binaryName);
    }

    /** The binary name of langchain4j's streaming handler: a void method taking one streams to it. */
    public static final String STREAM_HANDLER = "dev.langchain4j.model.chat.response.StreamingChatResponseHandler";

    /**
     * {@code the streaming handler parameter's type TokenSink is a subtype of StreamingChatResponseHandler; ...}:
     * a streaming method's handler parameter declared as
     * a subtype of {@code StreamingChatResponseHandler} (an interface extending it, a class implementing
     * it). Each attempt hands the target a handler of Rebound's own in the caller's place, which is a
     * {@code StreamingChatResponseHandler} and nothing more, so the method is refused rather than failing
     * every call with a {@code ClassCastException}.
     *
     * @param type the parameter type's simple name, as {@code TokenSink}
     */
    public static String narrowedStreamHandler(String type) {
        return "the streaming handler parameter's type " + type + " is a subtype of StreamingChatResponseHandler;"
                + " a streamed call's policies hand the target a StreamingChatResponseHandler of their own for each"
                + " attempt, which is not a " + type + ": declare the parameter as StreamingChatResponseHandler";
    }

    /**
     * {@code @Retry cannot act on a method that takes a StreamingChatResponseHandler and returns
     * CompletableFuture: ...}: such a method is no streamed call (only a void one is), so a policy that runs it
     * again (a retry, a fallback's alternative) would run it after the handler had the failed attempt's
     * tokens, and the handler would get them twice; refused rather than let repeat them.
     *
     * @param policy what would run it again: {@code "@Retry"}, {@code "@Fallback"}, {@code "withRetry"},
     *     {@code "withFallbacks"}
     * @param returned the simple name of the method's result type
     */
    public static String handlerWithResult(String policy, String returned) {
        return policy + " cannot act on a method that takes a StreamingChatResponseHandler and returns " + returned
                + ": it would run the method again after the handler had the failed attempt's tokens (return void,"
                + " so that Rebound streams it and the handler gets one attempt's tokens, or take no handler)";
    }

    /**
     * What the asynchronous chain cannot apply, refused rather than skipped, in this order: a rate limit
     * and a fallback handler on a method returning a {@code CompletionStage} or streaming to a handler;
     * a result predicate (the target's retry's or an alternative's, and the fallback's) on a streaming
     * method. Each argument is the attribute as the caller names it when the method has that policy
     * ({@code "@RateLimit"} or {@code "withRateLimit"}, ...), else null.
     *
     * @param stream whether the method streams to a handler (else it returns a {@code CompletionStage})
     * @return the problems, without the method's name; empty when nothing is refused
     */
    public static List<String> asyncRefusals(boolean stream, String rateLimit, String handler,
            String retryOnResult, String fallbackOnResult) {
        List<String> problems = new ArrayList<>();
        if (rateLimit != null) {
            problems.add(rateLimitNotAsync(rateLimit));
        }
        if (handler != null) {
            problems.add(handlerNotAsync(handler));
        }
        if (stream && retryOnResult != null) {
            problems.add(resultPredicateOnStream(retryOnResult));
        }
        if (stream && fallbackOnResult != null) {
            problems.add(resultPredicateOnStream(fallbackOnResult));
        }
        return problems;
    }

    /**
     * {@code @Fallback.handler cannot act on an asynchronous method: ...}: a {@code FallbackHandler} answers
     * synchronously, so it is refused on {@code CompletionStage} and streaming methods.
     *
     * @param attribute {@code "@Fallback.handler"} or {@code "fallbackHandler"}
     */
    public static String handlerNotAsync(String attribute) {
        return attribute + " cannot act on a method returning a CompletionStage or streaming to a handler:"
                + " a FallbackHandler answers synchronously (use @Fallback.to / withFallbacks alternatives,"
                + " which run asynchronously, or recover on the returned stage)";
    }

    /**
     * {@code @RateLimit cannot act on an asynchronous method: ...}: the rate limit waits for its permit by
     * blocking and has no asynchronous variant yet, so it is refused on {@code CompletionStage} and
     * streaming methods rather than skipped.
     *
     * @param attribute {@code "@RateLimit"} or {@code "withRateLimit"}
     */
    public static String rateLimitNotAsync(String attribute) {
        return attribute + " cannot act on a method returning a CompletionStage or streaming to a handler yet:"
                + " the rate limit waits for its permit by blocking (limit the synchronous method the call"
                + " is made through)";
    }

    /**
     * {@code @Fallback.onResult cannot act on a streaming method: ...}: a stream's answer arrives token by
     * token after the chain's part (up to its first token) is over, so no predicate can judge it there.
     *
     * @param attribute {@code "@Retry.onResult"}, {@code "@Fallback.onResult"},
     *     {@code "RetryPolicy.Builder.retryOnResult"} or {@code "fallbackOnResult"}
     */
    public static String resultPredicateOnStream(String attribute) {
        return attribute + " cannot act on a streaming method: its answer reaches the caller's handler token by"
                + " token after the retry and fallbacks are done (judge the complete response where the stream ends)";
    }

    /**
     * {@code @Retry cannot act on a method returning CompletableFuture: ...}.
     *
     * @param policy what would act: {@code "@Retry"}, {@code "@Fallback"}, {@code "@CircuitBreaker"}
     * @param returned the simple name of the method's result type
     */
    public static String deferred(String policy, String returned) {
        return policy + " cannot act on a method returning " + returned
                + ": its failures arrive after the call has returned (apply the policy where the result is awaited"
                + (returned.equals("TokenStream") ? ": on the StreamingChatModel the AI service streams from" : "")
                + ")";
    }

    /**
     * {@code Rebound.wrap}'s builder policies over an interface whose every method returns a deferred
     * result, or that declares no method a wrapper intercepts (none, or only {@code Object}'s): they would
     * apply to nothing, so {@code build()} refuses them.
     *
     * @param policies what the builder was given, {@code "withRetry"}, {@code "withRetry, withCircuitBreaker"}
     * @param type the interface's simple name
     * @param skipped each method with its result, {@code "Lines.lines(String) (returns Stream)"}; empty when
     *     the interface has no method to skip
     */
    public static String reachesNoMethod(String policies, String type, List<String> skipped) {
        if (skipped.isEmpty()) {
            return "the builder's policies (" + policies + ") reach no method of " + type + ": it declares no method"
                    + " a wrapper intercepts (Object's methods go straight to the target)";
        }
        return "the builder's policies (" + policies + ") reach no method of " + type + ": " + straightOn(skipped);
    }

    /**
     * {@code Rebound.wrap}'s builder policies skip some methods (each returns a deferred result) and apply
     * to the others: said once, at WARN.
     *
     * @param policies what the builder was given
     * @param skipped each method skipped with its result, {@code "Chat.lines(String) (returns Stream)"}
     */
    public static String skipsDeferred(String policies, List<String> skipped) {
        return "the builder's policies (" + policies + ") skip " + skipped.size()
                + (skipped.size() == 1 ? " method: " : " methods: ") + straightOn(skipped);
    }

    /**
     * A wrapper of an interface ({@code Rebound.wrap}, Guice's {@code ReboundModule.wrapping} over an
     * instance it did not construct) calls only the interface's methods: the policies on public methods of
     * the target that implement none are not applied. Said once, at WARN.
     *
     * @param helpers each method with its annotations, {@code "Impl.helper(String) (@Retry)"}
     * @param implClass the target's simple class name
     */
    public static String helpersNotWrapped(List<String> helpers, String implClass) {
        return String.join(", ", helpers) + " not applied: no method of an interface of " + implClass
                + " is that method, so no wrapper calls it (only a door that intercepts the class, the aspect or"
                + " Guice, would apply it); move the annotation to the interface method that calls it, or weave the"
                + " class";
    }

    /**
     * {@code Rebound.wrap} without builder policies over a JDK proxy that is not Rebound's and does not say
     * what class is behind it (Spring's says so, unless made opaque), of an interface that carries no
     * policy: the annotations on the class behind the proxy cannot be seen, so the wrapper would apply
     * none. Said at WARN, when {@code build()} runs.
     *
     * @param type the wrapped interface's simple name
     * @param proxyClass the proxy's class name, {@code jdk.proxy2.$Proxy12}
     */
    public static String classBehindProxyUnseen(String type, String proxyClass) {
        return "the target is a JDK proxy (" + proxyClass + ") that does not say what class is behind it, and "
                + type + " carries no policy: annotations on the class behind a JDK proxy cannot be seen, so this"
                + " wrapper applies none (annotate " + type + ", give the policies to the builder, or wrap the"
                + " object behind the proxy)";
    }

    /**
     * A method whose declared result is a type variable nothing binds where it is wrapped (a generic
     * {@code Step<I, O>}'s {@code O invoke(I)} over a lambda), read as a plain value, that a policy judges
     * by its outcome, returned a {@code CompletionStage}: the policies judged the future, not its outcome.
     * Said once per method, at WARN, the first time it happens.
     *
     * @param method the method, {@code "Step.invoke(Object)"}
     * @param stage the class of what it returned, {@code "CompletableFuture"}
     * @param declaring the simple name of the generic type that declares it, {@code "Step"}
     */
    public static String futureReadAsPlainValue(String method, String stage, String declaring) {
        return method + " returned a " + stage + ", but its result is read as a plain Object (a type variable"
                + " nothing binds where it is wrapped, or one bound to Object): its retry, fallback, result check and"
                + " circuit breaker judge the future, not its outcome, so a future that fails is a success; give the"
                + " wrapper the future's type where it can see it (wrap an interface that binds it, interface"
                + " AsyncStep extends " + declaring + "<I, CompletableFuture<O>>, or a class that implements "
                + declaring + "<I, CompletableFuture<O>>)";
    }

    private static String straightOn(List<String> skipped) {
        boolean one = skipped.size() == 1;
        return String.join(", ", skipped) + (one ? " goes" : " go") + " straight to the target, since "
                + (one ? "its" : "their") + " failures arrive after the call has returned (apply the policy where"
                + " the result is awaited)";
    }

    /**
     * How a reader names a retry's attributes in the problems of a {@code @NonIdempotent} method:
     * {@link #ANNOTATION} ({@code @Retry.on}) or {@link #BUILDER} ({@code RetryPolicy.Builder.retryOn}).
     *
     * @param policy {@code "@Retry"} or {@code "withRetry"}
     * @param on where the failures safe to repeat the call on go
     * @param abortOn where the failures never retried go
     * @param onResult the result predicates that retry
     * @param attemptTimeout the timeout of one attempt
     */
    public record RetryAttributes(String policy, String on, String abortOn, String onResult, String attemptTimeout) {

        /** {@code @Retry}'s members. */
        public static final RetryAttributes ANNOTATION = new RetryAttributes("@Retry", "@Retry.on", "@Retry.abortOn",
                "@Retry.onResult", "@Retry.attemptTimeout");
        /** {@code Rebound.wrap(...).withRetry(policy)}: the policy's builder methods. */
        public static final RetryAttributes BUILDER = new RetryAttributes("withRetry", "RetryPolicy.Builder.retryOn",
                "RetryPolicy.Builder.abortOn", "RetryPolicy.Builder.retryOnResult",
                "RetryPolicy.Builder.attemptTimeout");
    }

    /** The binary names of {@code AttemptTimeoutException} and its superclasses: a failure list naming one retries it. */
    private static final Set<String> TIMEOUT_AND_SUPERCLASSES = superclassesOf(AttemptTimeoutException.class);

    private static Set<String> superclassesOf(Class<?> type) {
        Set<String> names = new HashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            names.add(c.getName());
        }
        return Set.copyOf(names);
    }

    /**
     * What would repeat the effect of a {@code @NonIdempotent} method under a retry of more than one
     * attempt, in this order: no failures named as safe to repeat it on ({@code @Retry(attempts = 3) on a
     * @NonIdempotent method must list ..., in @Retry.on}); a result predicate, which repeats a call that
     * returned and so had its effect; an attempt timeout, whose {@code AttemptTimeoutException} is retried
     * unless {@code on} lists it (the call is safe to repeat) or {@code abortOn} does (it ends the call).
     *
     * @param names how the reader names the attributes
     * @param on the failures the retry names as safe ({@code @Retry.on}); empty for the default classifier
     * @param abortOn the failures it never retries
     * @param onResult whether a result predicate retries
     * @param attemptTimeout whether an attempt has a timeout
     * @return the problems, without the method's name; empty when nothing repeats the effect
     */
    public static List<String> nonIdempotentRetry(RetryAttributes names, int attempts, List<FailureType> on,
            List<FailureType> abortOn, boolean onResult, boolean attemptTimeout) {
        List<String> problems = new ArrayList<>();
        if (attempts < 2) {
            return problems;
        }
        if (on.isEmpty()) {
            problems.add(nonIdempotent(names.policy() + "(attempts = " + attempts + ")", names.on()));
        }
        if (onResult) {
            problems.add(nonIdempotentOnResult(names.onResult(), names.on()));
        }
        if (attemptTimeout && !listsTimeout(on) && !listsTimeout(abortOn)) {
            problems.add(names.attemptTimeout() + " on a @NonIdempotent method would repeat a call that timed out,"
                    + " which may have had its effect: list " + AttemptTimeoutException.class.getName() + " in "
                    + names.on() + " if a timed-out call is safe to repeat, else in " + names.abortOn());
        }
        return problems;
    }

    private static boolean listsTimeout(List<FailureType> types) {
        for (FailureType t : types) {
            if (TIMEOUT_AND_SUPERCLASSES.contains(t.name())) {
                return true;
            }
        }
        return false;
    }

    /**
     * As {@link #nonIdempotentRetry} for a fallback with alternatives: no failures named to reach them, and a
     * result predicate that sends a call that returned to them.
     *
     * @param policy {@code "@Fallback"} or {@code "withFallbacks"}
     * @param onAttribute {@code "@Fallback.on"} or {@code "fallbackOn"}
     * @param onResultAttribute {@code "@Fallback.onResult"} or {@code "fallbackOnResult"}
     */
    public static List<String> nonIdempotentFallback(String policy, boolean hasAlternatives, boolean onNamed,
            String onAttribute, boolean onResult, String onResultAttribute) {
        List<String> problems = new ArrayList<>();
        if (hasAlternatives && !onNamed) {
            problems.add(nonIdempotent(policy, onAttribute));
        }
        if (hasAlternatives && onResult) {
            problems.add(nonIdempotentOnResult(onResultAttribute, onAttribute));
        }
        return problems;
    }

    private static String nonIdempotent(String what, String onAttribute) {
        return what + " on a @NonIdempotent method must list the failures that are safe to repeat it on, in "
                + onAttribute;
    }

    /** A result predicate judges a call that returned: repeating it, here or on an alternative, repeats its effect. */
    private static String nonIdempotentOnResult(String attribute, String onAttribute) {
        return attribute + " on a @NonIdempotent method would repeat a call that returned, and so had its effect"
                + " (where a result shows that the call had no effect, throw a failure instead and list it in "
                + onAttribute + ")";
    }

    /** A door intercepts public methods only (the aspect says the same in its {@code declare error}). */
    public static String notPublic() {
        return "@Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only";
    }

    /**
     * Guice applies a policy by subclassing the class it constructs, so it cannot intercept a final
     * method: {@code ReboundModule} refuses a policy there when the injector is created.
     *
     * @param className the class in which the method is final, as {@code app.Impl}
     */
    public static String finalUnderGuice(String className) {
        return "@Retry, @Fallback, @CircuitBreaker and @RateLimit apply to non-final methods only under Guice: the"
                + " method is final in " + className + ", so Guice cannot intercept it; make it non-final or weave"
                + " the class";
    }

    /**
     * As {@link #finalUnderGuice}, for a class Guice constructs but cannot subclass because it is final:
     * {@code ReboundModule} refuses each of its policies when the injector is created, rather than leave
     * Guice to fail in its own words ({@code Unable to method intercept}). A woven class is left to its
     * aspect instead.
     *
     * @param className the class, as {@code app.Impl}
     */
    public static String finalClassUnderGuice(String className) {
        return underGuice(className + " is final", "make it non-final or weave the class");
    }

    /**
     * As {@link #finalClassUnderGuice}, for a sealed class: only the classes it permits may extend it, so
     * Guice cannot generate its subclass. A non-sealed class it permits can be bound instead.
     *
     * @param className the class, as {@code app.Impl}
     */
    public static String sealedClassUnderGuice(String className) {
        return underGuice(className + " is sealed: only the classes it permits may extend it",
                "make it not sealed, bind a non-sealed class it permits, or weave the class");
    }

    /**
     * As {@link #finalClassUnderGuice}, for a class whose constructor Guice calls (its {@code @Inject}
     * constructor, else its no-argument one) is private: Guice's subclass cannot call it, though Guice alone
     * could construct the class. A private nested class's default constructor is private too.
     *
     * @param className the class, as {@code app.Impl}
     */
    public static String privateConstructorUnderGuice(String className) {
        return underGuice("the constructor Guice calls in " + className + " is private",
                "make it package-private or public (for a private nested class's default constructor, the class),"
                        + " or weave the class");
    }

    private static String underGuice(String why, String remedy) {
        return "@Retry, @Fallback, @CircuitBreaker and @RateLimit apply under Guice only in a class it can subclass: "
                + why + ", so Guice cannot intercept its methods; " + remedy;
    }

    /**
     * Why no wrapper can implement a sealed interface: only the classes it permits may. The doors that
     * wrap an interface ({@code Rebound.wrap}, Guice's {@code ReboundModule.wrapping}) refuse it in these
     * words after their own name, and the processor refuses {@code @GenerateWrapper} on it in them.
     *
     * @param typeName the interface's binary name, as {@code app.Chat}
     */
    public static String sealedInterface(String typeName) {
        return "type " + typeName + " is sealed: only the classes it permits may implement it, so no wrapper can;"
                + " wrap an interface that is not sealed, or weave the permitted classes (AspectJ)";
    }

    /**
     * A policy on an enum's type in a woven build (ajc's annotation processing, or the agent as the enum
     * initialises): the aspect weaves the policies of an enum's methods and of its interfaces, not a
     * policy its type declares.
     */
    public static String enumTypePolicy() {
        return "a policy on an enum's type is not woven (the aspect applies the annotations on an enum's methods"
                + " and on its interfaces only): put @Retry, @Fallback, @CircuitBreaker or @RateLimit on its methods";
    }

    /**
     * {@code a policy on an annotation type (@Retry) does not apply where that annotation is used: ...}: a policy
     * annotation on an annotation type ({@code @Retry @interface Resilient}), which its {@code @Target}
     * allows. No door reads the annotations of an annotation, so a method marked {@code @Resilient} would
     * get no policy: the processor refuses it rather than let it go unapplied.
     *
     * @param policies the policy annotations on it, {@code "@Retry"} or {@code "@Retry, @Fallback"}
     */
    public static String annotationTypePolicy(String policies) {
        return "a policy on an annotation type (" + policies + ") does not apply where that annotation is used:"
                + " policy annotations do not act as meta-annotations (no door reads an annotation's own"
                + " annotations); put " + policies + " on the methods or types it marks";
    }

    /**
     * {@code Chat.chat(String) is synchronized: woven, it holds the object's monitor ...}: a woven method runs
     * its policy's attempts and waits inside itself, so a synchronized one holds its monitor all along (Guice
     * and {@code Rebound.wrap} call it once per attempt). The words of the woven build's warning
     * ({@code ResilientMethods}, which names the signature), said as a woven class initialises.
     */
    public static String synchronizedWoven(String method) {
        return method + " is synchronized: woven, it holds the object's monitor through every attempt of its policy"
                + " and every wait between them (up to maxDelay each), so the object's other synchronized callers wait"
                + " for the whole call. Synchronize inside the method's body or in its caller, or apply the policy"
                + " through Guice's ReboundModule or Rebound.wrap, which release the monitor between attempts";
    }

    /** A door intercepts instance methods only. */
    public static String notInstance() {
        return "@Retry, @Fallback, @CircuitBreaker and @RateLimit apply to instance methods only";
    }

    /**
     * No door intercepts {@code equals(Object)}, {@code hashCode()} or {@code toString()}, wherever declared
     * (a class, an interface that redeclares it): a {@code Rebound.wrap} wrapper answers them itself, Guice's
     * interceptors and the aspect pass them straight to the object. A method-level policy on one is refused;
     * a type-level policy does not reach them.
     */
    public static String objectMethod() {
        return "@Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals, hashCode and toString:"
                + " no door intercepts Object's methods";
    }

    /**
     * Whether a method named {@code name} taking parameters of the types named {@code parameterTypes}
     * (binary names) is one of {@code Object}'s that no door intercepts: {@code equals(java.lang.Object)},
     * {@code hashCode()}, {@code toString()}, wherever it is declared.
     */
    public static boolean isObjectMethod(String name, List<String> parameterTypes) {
        return parameterTypes.isEmpty() && (name.equals("hashCode") || name.equals("toString"))
                || name.equals("equals") && parameterTypes.equals(List.of("java.lang.Object"));
    }

    /**
     * Two unrelated interfaces annotate the same method differently and the class does not choose:
     * the policy would depend on the order of an {@code implements} clause. {@code implClass} is null
     * when the class can't be annotated (a lambda's).
     */
    public static String interfacesDisagree(String annotation, String first, String second, String method,
            String implClass) {
        return annotation + " differs between " + first + " and " + second + " (both declare " + method
                + "); annotate " + (implClass == null ? method + " in an interface that extends both"
                        : implClass + "." + method) + " to choose";
    }

    /**
     * Two types, neither extending the other, whose type-level {@code annotation}s differ and both reach
     * {@code method} (declared or inherited), with nothing nearer to settle it.
     */
    public static String typesDisagree(String annotation, String first, String second, String method) {
        return annotation + " differs between " + first + " and " + second + " (both type-level, both reach "
                + method + "); annotate " + method + ", or a type that extends both, to choose";
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.chain.CallShape;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.AlternativeUnavailable;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One method's {@code @Fallback}, read and checked (every problem added, none thrown): which failures
 * it catches (with something to act on them), its alternatives in order (each listed once, implementing
 * the contract, not the class itself in the class's own method-level list, in no cycle,
 * with its own {@code @Retry}, its class's own {@code @CircuitBreaker} and {@code @RateLimit}), its result
 * predicate and its handler.
 *
 * @param rule which failures go to the fallbacks
 * @param chain the alternatives, in order
 * @param onResult the result predicate; null for none
 * @param handler the handler; null for none
 */
record AnnotatedFallback(FallbackRule rule, List<Alternative> chain, Predicate<Object> onResult,
        FallbackHandler handler) {

    static final AnnotatedFallback NONE = new AnnotatedFallback(FallbackRule.ANY_EXCEPTION, List.of(), null, null);

    /**
     * Reads {@code fallback} (null: {@link #NONE}) of {@code method} on {@code implClass}, whose
     * contract is {@code contract}; {@code name} is how problems name the method. The alternatives' rate-limit
     * keys and retry budgets are defined in {@code build}, for {@code settings} (null: the global ones, read
     * live).
     */
    static AnnotatedFallback read(Fallback fallback, Class<?> implClass, Class<?> contract, Method method,
            Method contractMethod, String name, boolean nonIdempotent, String deferred, ReboundSettings settings,
            Function<Class<?>, Supplier<?>> alternatives, Definitions build, List<String> problems) {
        if (fallback == null) {
            return NONE;
        }
        Predicate<Object> onResult = ResultAndHandlerRules.anyOf(
                ResultAndHandlerRules.predicates("@Fallback.onResult", fallback.onResult(), name, problems));
        FallbackHandler handler = fallback.handler() == void.class ? null : ResultAndHandlerRules.instance(
                "@Fallback.handler", fallback.handler(), FallbackHandler.class, name, problems);
        List<Class<? extends Throwable>> on = List.of(fallback.on());
        List<Class<? extends Throwable>> skipOn = List.of(fallback.skipOn());
        Rules.addAt(name, FailureType.problems("@Fallback.on", FailureType.of(on), "@Fallback.skipOn",
                FailureType.of(skipOn), FailureType.Action.CAUGHT), problems);
        FallbackRule rule = new FallbackRule(on, skipOn);
        if (fallback.to().length == 0 && fallback.handler() == void.class) {
            List<String> given = new ArrayList<>();
            addIf(!on.isEmpty(), "@Fallback.on", given);
            addIf(!skipOn.isEmpty(), "@Fallback.skipOn", given);
            addIf(fallback.onResult().length > 0, "@Fallback.onResult", given);
            if (!given.isEmpty()) {
                problems.add(Rules.at(name, FallbackRules.nothingToFallBackTo(given, "@Fallback.to",
                        "@Fallback.handler")));
            }
        }
        // the class's own method-level @Fallback; a type-level one, an interface's or a superclass's is a list
        // shared by several classes, which may name each of them
        Method own = Overrides.declaredIn(implClass, implClass, method);
        boolean ownList = own != null && own.isAnnotationPresent(Fallback.class);
        List<Alternative> chain = new ArrayList<>();
        Set<Class<?>> seen = new LinkedHashSet<>();
        for (Class<?> alt : fallback.to()) {
            if (alt == implClass) {
                if (ownList) { // it would only repeat the failed call
                    problems.add(Rules.at(name, FallbackRules.isTheTarget("@Fallback.to", alt.getName())));
                }
                continue; // in a shared list, a class never falls back to itself
            }
            if (!seen.add(alt)) {
                problems.add(Rules.at(name, FallbackRules.listedTwice("@Fallback.to", alt.getName())));
                continue;
            }
            if (!contract.isAssignableFrom(alt)) {
                problems.add(Rules.at(name, FallbackRules.doesNotImplement("@Fallback.to", alt.getName(),
                        contract.getName())));
                continue;
            }
            List<Class<?>> cycle = FallbackRules.cycle(implClass, alt, c -> ownTargets(c, method));
            if (cycle != null) {
                problems.add(Rules.at(name, FallbackRules.formsACycle("@Fallback.to",
                        cycle.stream().map(Class::getSimpleName).toList())));
                continue;
            }
            OwnPolicies policies = OwnPolicies.read(alt, AnnotationLookup.find(Retry.class, alt, contract, method),
                    implClass, contract, method, contractMethod, nonIdempotent, settings, build, problems);
            Supplier<?> instance;
            try {
                instance = alternatives.apply(alt);
            } catch (RuntimeException e) {
                // a user's resolver may put anything in its message: show only our own
                problems.add(Rules.at(name, FallbackRules.cannotBeProvided("@Fallback.to", alt.getName(),
                        e instanceof AlternativeUnavailable ? e.getMessage()
                                : e.getClass().getName())));
                continue;
            }
            chain.add(policies.alternative(AnnotationLookup.simpleName(alt), alt, instance, contractMethod));
        }
        // a handler as much as an alternative: neither would see a failure arriving after the call
        if (deferred != null && (!seen.isEmpty() || fallback.handler() != void.class)) {
            problems.add(Rules.at(name, MethodRules.deferred("@Fallback", deferred)));
        } else if (nonIdempotent) {
            Rules.addAt(name, MethodRules.nonIdempotentFallback("@Fallback", !seen.isEmpty(), rule.named(),
                    "@Fallback.on", fallback.onResult().length > 0, "@Fallback.onResult"), problems);
        }
        return new AnnotatedFallback(rule, chain, onResult, handler);
    }

    /**
     * An alternative's own policies, as the engine applies them when it reaches the alternative (a
     * {@code @Fallback.to} class, or a {@code withFallbacks} instance no door reaches): its retry, its class's
     * own breaker and rate limit (the interface's guard the primary: the same limit on the alternative would
     * refuse it exactly when the primary's refusal sends the call there).
     *
     * @param rateLimitKey the key of {@code rateLimit}; null without one
     */
    record OwnPolicies(RetryPolicy retry, CircuitBreakerPolicy breaker, RateLimitPolicy rateLimit,
            String rateLimitKey) {

        /**
         * Reads and checks (every problem added to {@code problems}) the policies of {@code alt} for {@code
         * method} of {@code implClass}, whose contract is {@code contract}: {@code retry} (null for none), its
         * class's own {@code @CircuitBreaker} and {@code @RateLimit}; refused a blind retry when it or the
         * primary ({@code nonIdempotent}) is {@code @NonIdempotent}. Its problems are named by {@code alt} and its
         * declaration of the method ({@link AnnotationLookup#declaredName}).
         */
        static OwnPolicies read(Class<?> alt, Retry retry, Class<?> implClass, Class<?> contract, Method method,
                Method contractMethod, boolean nonIdempotent, ReboundSettings settings, Definitions build,
                List<String> problems) {
            // the alternative's problems name its class, with its declaration's parameters whichever door resolved
            // the primary's method: Backup.reply(String), never the bridge reply(Object)
            String altName = AnnotationLookup.declaredName(alt, alt, method);
            if (CallShape.of(implClass, method) == CallShape.STREAM) { // it could never be handed a handler
                String narrowed = MethodChecks.narrowingAlternativeProblem(alt, contractMethod);
                if (narrowed != null) {
                    problems.add(narrowed);
                }
            }
            RetryPolicy altRetry = PolicyConversion.toPolicy(retry, altName, problems);
            // its own @Retry beside another library's retry multiplies as the primary's does: said alike
            MethodChecks.warnIfRetriedByAnotherLibrary(alt.getName() + ' ' + contract.getName() + '#' + method.getName()
                    + java.util.Arrays.toString(method.getParameterTypes()), altName, altRetry.attempts(), alt, contract,
                    method);
            // the alternative's own @NonIdempotent too: it is refused a blind retry as when it is the primary
            boolean altNonIdempotent = nonIdempotent
                    || AnnotationLookup.find(NonIdempotent.class, alt, contract, method) != null;
            MethodChecks.checkRepeat(altRetry, MethodRules.RetryAttributes.ANNOTATION, altName, altNonIdempotent, null,
                    problems);
            MethodChecks.checkBudget(settings, altRetry, contract.getName(), altName, "@Retry.budget", build,
                    problems);
            // its class's own breaker and rate limit (the interface's guard the primary: the same limit on the
            // alternative would refuse it exactly when the primary's refusal sends the call there)
            CircuitBreakerPolicy altBreaker = PolicyConversion.toPolicy(own(CircuitBreaker.class, alt, method),
                    altName, problems);
            RateLimit altLimit = own(RateLimit.class, alt, method);
            RateLimitPolicy altRateLimit = altLimit == null ? null
                    : RateLimits.fromAnnotation(altLimit, altName, problems);
            if (altRateLimit != null) {
                // keyed, unless it names a key, by its own class: the primary's default key is the interface's
                RateLimits.check(settings, altRateLimit, altName, alt.getName(), "@RateLimit.key", build, problems);
                CallShape shape = CallShape.of(implClass, method);
                if (shape != CallShape.SYNC) { // as on the primary (MethodChecks.checkShape)
                    Rules.addAt(altName, MethodRules.asyncRefusals(shape == CallShape.STREAM, "@RateLimit", null, null,
                            null), problems);
                }
            }
            return new OwnPolicies(altRetry, altBreaker, altRateLimit, altRateLimit == null ? null
                    : RateLimits.keyOf(altRateLimit, alt.getName()));
        }

        /** The chain's entry for {@code alt}, named {@code name}, its instance from {@code instance}. */
        Alternative alternative(String name, Class<?> alt, Supplier<?> instance, Method contractMethod) {
            return new Alternative(name, alt, instance, contractMethod, retry, breaker, rateLimit, rateLimitKey);
        }
    }

    private static void addIf(boolean written, String attribute, List<String> given) {
        if (written) {
            given.add(attribute);
        }
    }

    /** The alternatives {@code c}'s own (class-declared) @Fallback lists for {@code m}: the edges of a cycle. */
    private static List<Class<?>> ownTargets(Class<?> c, Method m) {
        Fallback own = ownFallback(c, m);
        if (own == null || !NamedClasses.present(own)) {
            return List.of(); // a class it names that is missing is c's own problem, reported where c is resolved
        }
        return List.of(own.to());
    }

    /** A @Fallback declared on the class itself (method or type), not inherited from the interface. */
    private static Fallback ownFallback(Class<?> c, Method m) {
        return own(Fallback.class, c, m);
    }

    /** An annotation declared on the class itself (its or a superclass's method, else the type). */
    static <A extends Annotation> A own(Class<A> type, Class<?> c, Method m) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            Method own = Overrides.declaredIn(k, c, m);
            if (own != null && own.isAnnotationPresent(type)) {
                return own.getAnnotation(type);
            }
        }
        return c.isInterface() ? null : c.getAnnotation(type);
    }
}

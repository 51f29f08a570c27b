package dev.rebound.runtime.internal;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.chain.CallShape;
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads {@code @Retry}, {@code @CircuitBreaker} and {@code @Fallback} for one method on one
 * implementation class, validates them (every problem at once) and makes the method's
 * {@link MethodSpec}, which {@link dev.rebound.runtime.internal.chain.Chains#executorOf} turns into its
 * executor. Shared by every door.
 *
 * <p>Precedence, most specific first: the implementation's method, the interface's method, the
 * implementation's type, the interface's type. So a class-level annotation on a method wins over the
 * interface's, and any method-level annotation wins over any type-level one.
 */
public final class AnnotationPolicies {

    private AnnotationPolicies() {
    }

    /**
     * The specification of {@code method} as executed on instances of {@code implClass}, or null
     * when no annotation applies.
     *
     * @param implClass the user's class (not a generated proxy or subclass)
     * @param method the method, declared by {@code implClass} or one of its supertypes
     * @param settings fixed settings, or null for {@link ReboundSettings#global()} read live
     * @param alternatives where an alternative class's instance comes from; called at resolution
     * @throws ReboundConfigurationException listing every problem, each naming method and attribute
     */
    public static MethodSpec resolve(Class<?> implClass, Method method, ReboundSettings settings,
            Function<Class<?>, Supplier<?>> alternatives) {
        return resolve(implClass, AnnotationLookup.targetName(implClass, null), null, method, settings, alternatives);
    }

    /**
     * As {@link #resolve(Class, Method, ReboundSettings, Function)}, naming the primary {@code primaryName} in
     * events, and {@code fleetTarget} in the fleet ({@link MethodSpec#fleetName()}; null: {@code implClass}'s
     * binary name).
     */
    public static MethodSpec resolve(Class<?> implClass, String primaryName, String fleetTarget, Method method,
            ReboundSettings settings, Function<Class<?>, Supplier<?>> alternatives) {
        Definitions build = new Definitions(implClass, method.getDeclaringClass());
        MethodSpec spec = resolve(implClass, primaryName, fleetTarget, method, settings, alternatives, build);
        build.register();
        return spec;
    }

    /**
     * As {@link #resolve(Class, String, String, Method, ReboundSettings, Function)}, within a build of more
     * than one method: the rate-limit keys and retry budgets it defines are registered by {@code build},
     * once the whole build has no problem.
     */
    public static MethodSpec resolve(Class<?> implClass, String primaryName, String fleetTarget, Method method,
            ReboundSettings settings, Function<Class<?>, Supplier<?>> alternatives, Definitions build) {
        if (method.getDeclaringClass() == Object.class || Modifier.isStatic(method.getModifiers())
                || method.isSynthetic() || method.isBridge()) {
            return null;
        }
        Class<?> contract = AnnotationLookup.contractOf(implClass, method);
        Method contractMethod = Overrides.find(contract, implClass, method);
        // events name the contract's own declaration of the method, whichever door resolves it (a class's
        // reply(String) or the interface's erased reply(Object)): Replier.reply(Object), as reflection names it
        Method declared = contractMethod != null ? contractMethod : method;
        String name = AnnotationLookup.describe(contract, declared);
        String deferred = Repetition.deferredResult(implClass, method);
        Retry retry = find(Retry.class, implClass, contract, method, deferred);
        Fallback fallback = find(Fallback.class, implClass, contract, method, deferred);
        CircuitBreaker breaker = find(CircuitBreaker.class, implClass, contract, method, deferred);
        RateLimit rateLimit = find(RateLimit.class, implClass, contract, method, deferred);
        if (retry == null && fallback == null && breaker == null && rateLimit == null) {
            return null; // type-level annotations skip methods whose failures arrive after they return
        }
        // problems name the declaration that carries the annotation concerned, whichever door resolves the method
        ProblemNames at = ProblemNames.of(implClass, contract, method, deferred, name);
        boolean nonIdempotent = AnnotationLookup.find(NonIdempotent.class, implClass, contract, method) != null;
        List<String> problems = new ArrayList<>();
        // a class an attribute names that is missing at run time: nothing more of the method can be read
        boolean present = NamedClasses.present(retry, at.retry(), problems)
                & NamedClasses.present(fallback, at.fallback(), problems)
                & NamedClasses.present(breaker, at.breaker(), problems)
                & NamedClasses.present(rateLimit, at.rateLimit(), problems);
        if (!present) {
            throw new ReboundConfigurationException(problems);
        }
        AnnotationLookup.checkInterfacesAgree(Retry.class, implClass, method, at.retry(), problems);
        AnnotationLookup.checkInterfacesAgree(Fallback.class, implClass, method, at.fallback(), problems);
        AnnotationLookup.checkInterfacesAgree(CircuitBreaker.class, implClass, method, at.breaker(), problems);
        AnnotationLookup.checkInterfacesAgree(RateLimit.class, implClass, method, at.rateLimit(), problems);
        String budgetScope = contract.getName();
        RetryPolicy primaryRetry = PolicyConversion.toPolicy(retry, at.retry(), problems);
        MethodChecks.checkRepeat(primaryRetry, MethodRules.RetryAttributes.ANNOTATION, at.retry(), nonIdempotent,
                deferred, problems);
        MethodChecks.checkBudget(settings, primaryRetry, budgetScope, at.retry(), "@Retry.budget", build,
                problems);
        CircuitBreakerPolicy breakerPolicy = PolicyConversion.toPolicy(breaker, at.breaker(), problems);
        if (breaker != null && deferred != null) {
            problems.add(Rules.at(at.breaker(), MethodRules.deferred("@CircuitBreaker", deferred)));
        }
        RateLimitPolicy rateLimitPolicy = null;
        if (rateLimit != null) {
            rateLimitPolicy = RateLimits.fromAnnotation(rateLimit, at.rateLimit(), problems);
            if (rateLimitPolicy != null) {
                RateLimits.check(settings, rateLimitPolicy, at.rateLimit(), budgetScope, "@RateLimit.key", build,
                        problems);
            }
            if (deferred != null) {
                problems.add(Rules.at(at.rateLimit(), MethodRules.deferred("@RateLimit", deferred)));
            }
        }
        if (retry != null) {
            checkJudged("@Retry.onResult", retry.onResult(), implClass, method, at.retry(), problems);
        }
        if (fallback != null) {
            checkJudged("@Fallback.onResult", fallback.onResult(), implClass, method, at.fallback(), problems);
        }
        AnnotatedFallback fb = AnnotatedFallback.read(fallback, implClass, contract, method, contractMethod,
                at.fallback(), nonIdempotent, deferred, settings, alternatives, build, problems);
        MethodChecks.checkShape(CallShape.of(implClass, method), implClass, method, at, rateLimit != null,
                "@RateLimit", fb.handler() != null, "@Fallback.handler", primaryRetry, "@Retry.onResult",
                fb.onResult() != null, "@Fallback.onResult", fb.chain(), "@Retry", "@Fallback", problems);
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        String key = contract.getName() + '#' + method.getName() + java.util.Arrays.toString(method.getParameterTypes());
        MethodChecks.warnFallbackWithoutRetry(key, at.fallback(), "@Fallback", "@Retry",
                !fb.chain().isEmpty() || fb.handler() != null,
                primaryRetry.attempts());
        MethodChecks.warnIfRetriedByAnotherLibrary(implClass.getName() + ' ' + key, at.retry(), primaryRetry.attempts(), implClass, contract, method);
        makeAccessible(contractMethod);
        return MethodSpec.builder(name, primaryName).shapeOf(implClass, method).retry(primaryRetry).circuitBreaker(breakerPolicy)
                .rateLimit(rateLimitPolicy).fallbacks(fb.rule(), fb.chain()).fallbackOnResult(fb.onResult())
                .fallbackHandler(fb.handler())
                .settings(settings).budgetScope(budgetScope)
                .sharedAs(AnnotationLookup.qualified(contract, declared), fleetTarget)
                .runsIn(implClass, method).build();
    }

    /** The result predicates named in {@code attribute} that would never judge {@code method}'s result. */
    @SuppressWarnings("rawtypes")
    private static void checkJudged(String attribute, Class<? extends java.util.function.Predicate>[] predicates,
            Class<?> implClass, Method method, String name, List<String> problems) {
        for (Class<?> p : predicates) {
            String problem = ResultAndHandlerRules.neverJudges(attribute, p, implClass, method);
            if (problem != null) {
                problems.add(Rules.at(name, problem));
            }
        }
    }

    /**
     * The policy annotations that apply to {@code method} on {@code implClass}, as {@code "@Retry"}, in
     * the order {@code @Retry}, {@code @Fallback}, {@code @CircuitBreaker}, {@code @RateLimit}: how
     * errors name what would not apply.
     */
    public static List<String> annotationsOf(Class<?> implClass, Method method) {
        Class<?> contract = AnnotationLookup.contractOf(implClass, method);
        String deferred = Repetition.deferredResult(implClass, method);
        List<String> out = new ArrayList<>();
        for (Class<? extends Annotation> type : MethodScan.POLICIES) {
            if (find(type, implClass, contract, method, deferred) != null) {
                out.add("@" + type.getSimpleName());
            }
        }
        return out;
    }

    /**
     * The fallback chain's entry for {@code instance}, an alternative given to a builder ({@code withFallbacks})
     * for {@code method} of {@code contract}, named {@code name} in events. Called as it is ({@link
     * Alternative#asIs}) when a door made or reaches it (woven, intercepted, a wrapper of any door, a container's
     * proxy over one: that door applies its own policy, once), or when its class carries no policy of its own;
     * else nothing would apply its class's own {@code @Retry}, {@code @CircuitBreaker} and {@code @RateLimit}, so
     * the engine does, as for a {@code @Fallback.to} alternative (read and checked, every problem added to
     * {@code problems}). The interface's annotations are not its: the builder's policies replace them. Asked
     * once per method, when the wrapper is built.
     *
     * @param implClass the target's class, whose method's shape the alternative's policies must fit
     * @param nonIdempotent whether the target's method is {@code @NonIdempotent}
     * @param settings fixed settings, or null for {@link ReboundSettings#global()} read live
     */
    public static Alternative given(String name, Object instance, Class<?> implClass, Class<?> contract,
            Method method, boolean nonIdempotent, ReboundSettings settings, Definitions build, List<String> problems) {
        // the user's class, whose annotations it has: behind a container's proxy, above its generated subclass
        // (whose name changes from run to run)
        Class<?> alt = ContainerProxies.userClassOf(instance);
        // and what it stands for, as events name it: that class, or the interface a mock or a JDK proxy of it stands
        // for; the same in FallbackContext.alternatives() and in its breaker's and rate limit's keys on every
        // instance of the fleet
        Class<?> standsFor = GeneratedSubclasses.namedAs(alt, contract);
        Retry retry = AnnotatedFallback.own(Retry.class, alt, method);
        if (DoorReach.madeByDoor(instance) || retry == null && AnnotatedFallback.own(CircuitBreaker.class, alt,
                method) == null && AnnotatedFallback.own(RateLimit.class, alt, method) == null) {
            return Alternative.asIs(name, standsFor, () -> instance, method);
        }
        AnnotatedFallback.OwnPolicies own = AnnotatedFallback.OwnPolicies.read(alt, retry, implClass, contract,
                method, method, nonIdempotent, settings, build, problems);
        return own.alternative(name, standsFor, () -> instance, method);
    }

    /** The method's annotation, else (unless its result is deferred) the type's. */
    private static <A extends Annotation> A find(Class<A> type, Class<?> implClass, Class<?> contract, Method method,
            String deferred) {
        A onMethod = AnnotationLookup.findOnMethod(type, implClass, contract, method);
        return onMethod != null || deferred != null ? onMethod
                : AnnotationLookup.findOnType(type, implClass, contract, method);
    }

    private static void makeAccessible(Method m) {
        try {
            m.setAccessible(true);
        } catch (RuntimeException notOpen) {
            // public members of exported packages need no access override
        }
    }
}

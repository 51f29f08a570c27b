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
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
    /** System property that silences the "fallback without retry" warning. */
    public static final String WARN_FALLBACK_WITHOUT_RETRY = "rebound.warnFallbackWithoutRetry";
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

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
        return resolve(implClass, AnnotationLookup.simpleName(implClass), method, settings, alternatives);
    }

    /** As {@link #resolve(Class, Method, ReboundSettings, Function)}, naming the primary {@code primaryName}. */
    public static MethodSpec resolve(Class<?> implClass, String primaryName, Method method, ReboundSettings settings,
            Function<Class<?>, Supplier<?>> alternatives) {
        if (method.getDeclaringClass() == Object.class || Modifier.isStatic(method.getModifiers())
                || method.isSynthetic() || method.isBridge()) {
            return null;
        }
        Class<?> contract = AnnotationLookup.contractOf(implClass, method);
        Method contractMethod = Overrides.find(contract, implClass, method);
        String name = AnnotationLookup.describe(contract, method);
        String deferred = Repetition.deferredResult(method);
        Retry retry = AnnotationLookup.findOnMethod(Retry.class, implClass, contract, method);
        if (retry == null && deferred == null) {
            retry = AnnotationLookup.findOnType(Retry.class, implClass, contract);
        }
        Fallback fallback = AnnotationLookup.findOnMethod(Fallback.class, implClass, contract, method);
        if (fallback == null && deferred == null) {
            fallback = AnnotationLookup.findOnType(Fallback.class, implClass, contract);
        }
        CircuitBreaker breaker = AnnotationLookup.findOnMethod(CircuitBreaker.class, implClass, contract, method);
        if (breaker == null && deferred == null) {
            breaker = AnnotationLookup.findOnType(CircuitBreaker.class, implClass, contract);
        }
        RateLimit rateLimit = AnnotationLookup.findOnMethod(RateLimit.class, implClass, contract, method);
        if (rateLimit == null && deferred == null) {
            rateLimit = AnnotationLookup.findOnType(RateLimit.class, implClass, contract);
        }
        if (retry == null && fallback == null && breaker == null && rateLimit == null) {
            return null; // type-level annotations skip methods whose failures arrive after they return
        }
        boolean nonIdempotent = AnnotationLookup.find(NonIdempotent.class, implClass, contract, method) != null;
        List<String> problems = new ArrayList<>();
        AnnotationLookup.checkInterfacesAgree(Retry.class, implClass, method, name, problems);
        AnnotationLookup.checkInterfacesAgree(Fallback.class, implClass, method, name, problems);
        AnnotationLookup.checkInterfacesAgree(CircuitBreaker.class, implClass, method, name, problems);
        AnnotationLookup.checkInterfacesAgree(RateLimit.class, implClass, method, name, problems);
        ReboundSettings budgetSettings = settings != null ? settings : ReboundSettings.global();
        String budgetScope = contract.getName();
        RetryPolicy primaryRetry = toPolicy(retry, name, problems);
        checkRepeat(primaryRetry, name, nonIdempotent, deferred, problems);
        checkBudget(budgetSettings, primaryRetry, budgetScope, name, "@Retry.budget", problems);
        CircuitBreakerPolicy breakerPolicy = toPolicy(breaker, name, problems);
        if (breaker != null && deferred != null) {
            problems.add(Rules.at(name, MethodRules.deferred("@CircuitBreaker", deferred)));
        }
        RateLimitPolicy rateLimitPolicy = null;
        if (rateLimit != null) {
            rateLimitPolicy = RateLimits.fromAnnotation(rateLimit, name, problems);
            if (rateLimitPolicy != null) {
                RateLimits.check(budgetSettings, rateLimitPolicy, name, budgetScope, "@RateLimit.key", problems);
            }
            if (deferred != null) {
                problems.add(Rules.at(name, MethodRules.deferred("@RateLimit", deferred)));
            }
        }
        List<Alternative> chain = new ArrayList<>();
        FallbackRule rule = FallbackRule.ANY_EXCEPTION;
        java.util.function.Predicate<Object> fallbackOnResult = null;
        dev.rebound.runtime.FallbackHandler handler = null;
        if (fallback != null) {
            fallbackOnResult = ResultAndHandlerRules.anyOf(
                    ResultAndHandlerRules.predicates("@Fallback.onResult", fallback.onResult(), name, problems));
            if (fallback.handler() != void.class) {
                handler = ResultAndHandlerRules.instance("@Fallback.handler", fallback.handler(),
                        dev.rebound.runtime.FallbackHandler.class, name, problems);
            }
            List<Class<? extends Throwable>> on = List.of(fallback.on());
            List<Class<? extends Throwable>> skipOn = List.of(fallback.skipOn());
            Rules.addAt(name, FailureType.problems("@Fallback.on", FailureType.of(on), "@Fallback.skipOn",
                    FailureType.of(skipOn), FailureType.Action.CAUGHT), problems);
            rule = new FallbackRule(on, skipOn);
            Set<Class<?>> seen = new LinkedHashSet<>();
            for (Class<?> alt : fallback.to()) {
                if (alt == implClass) {
                    continue; // a class never falls back to itself (type- or interface-level @Fallback)
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
                String altName = AnnotationLookup.describe(alt, method);
                RetryPolicy altRetry = toPolicy(AnnotationLookup.find(Retry.class, alt, contract, method), altName, problems);
                checkRepeat(altRetry, altName, nonIdempotent, null, problems);
                checkBudget(budgetSettings, altRetry, budgetScope, altName, "@Retry.budget", problems);
                Supplier<?> instance;
                try {
                    instance = alternatives.apply(alt);
                } catch (RuntimeException e) {
                    // a user's resolver may put anything in its message: show only our own
                    problems.add(Rules.at(name, FallbackRules.cannotBeProvided("@Fallback.to", alt.getName(),
                            e instanceof DefaultAlternativeResolver.NotConstructible ? e.getMessage()
                                    : e.getClass().getName())));
                    continue;
                }
                chain.add(new Alternative(AnnotationLookup.simpleName(alt), instance, contractMethod, altRetry));
            }
            if (!seen.isEmpty() && deferred != null) {
                problems.add(Rules.at(name, MethodRules.deferred("@Fallback", deferred)));
            } else if (nonIdempotent) {
                Rules.addAt(name, MethodRules.nonIdempotentFallback("@Fallback", !seen.isEmpty(), rule.named(),
                        "@Fallback.on"), problems);
            }
        }
        checkShape(dev.rebound.runtime.internal.chain.CallShape.of(method), name, rateLimit != null, "@RateLimit",
                handler != null,
                "@Fallback.handler", primaryRetry, "@Retry.onResult", fallbackOnResult != null, "@Fallback.onResult",
                chain, problems);
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        if (!chain.isEmpty() && primaryRetry.attempts() == 1) {
            warnFallbackWithoutRetry(name);
        }
        makeAccessible(contractMethod);
        return MethodSpec.builder(name, primaryName).shapeOf(method).retry(primaryRetry).circuitBreaker(breakerPolicy)
                .rateLimit(rateLimitPolicy).fallbacks(rule, chain).fallbackOnResult(fallbackOnResult).fallbackHandler(handler)
                .settings(settings).budgetScope(budgetScope)
                .runsIn(implClass, method.getName()).build();
    }

    /**
     * Registers the retry budget of {@code policy}; a problem of {@code where} when its name is defined
     * otherwise, naming {@code attribute} ({@code "@Retry.budget"}, or {@code "budget"} for a builder's policy).
     */
    public static void checkBudget(ReboundSettings settings, RetryPolicy policy, String scope, String where,
            String attribute, List<String> problems) {
        Rules.addAt(where, RetryBudgets.conflict(settings, policy, scope, attribute), problems);
    }

    /** Converts and validates one {@code @CircuitBreaker}; null stays null (no breaker). */
    public static CircuitBreakerPolicy toPolicy(CircuitBreaker cb, String where, List<String> problems) {
        if (cb == null) {
            return null;
        }
        List<String> found = BreakerRules.check(cb, FailureType.of(List.of(cb.on())),
                FailureType.of(List.of(cb.skipOn())));
        if (!found.isEmpty()) {
            Rules.addAt(where, found, problems);
            return null;
        }
        return CircuitBreakerPolicy.builder()
                .requestVolumeThreshold(cb.requestVolumeThreshold())
                .failureRatio(cb.failureRatio())
                .delay(Duration.ofNanos(cb.unit().toNanos(cb.delay())))
                .successThreshold(cb.successThreshold())
                .halfOpenProbes(cb.halfOpenProbes())
                .failOn(cb.on())
                .skipOn(cb.skipOn())
                .build();
    }

    /**
     * What the asynchronous chain cannot apply, refused rather than skipped: a rate limit or a fallback handler on a
     * CompletionStage or streaming method, a result predicate (the target's, an alternative's retry's, or
     * the fallback's) on a streaming method.
     */
    public static void checkShape(dev.rebound.runtime.internal.chain.CallShape shape, String name, boolean rateLimit,
            String rateLimitAttribute, boolean handler,
            String handlerAttribute, RetryPolicy primaryRetry, String retryAttribute, boolean fallbackOnResult,
            String fallbackAttribute, List<Alternative> chain, List<String> problems) {
        if (shape == dev.rebound.runtime.internal.chain.CallShape.SYNC) {
            return;
        }
        boolean retryPredicate = primaryRetry != null && primaryRetry.resultPredicate() != null;
        for (Alternative a : chain) {
            retryPredicate |= a.retry() != null && a.retry().resultPredicate() != null;
        }
        Rules.addAt(name, MethodRules.asyncRefusals(shape == dev.rebound.runtime.internal.chain.CallShape.STREAM,
                rateLimit ? rateLimitAttribute : null, handler ? handlerAttribute : null,
                retryPredicate ? retryAttribute : null, fallbackOnResult ? fallbackAttribute : null), problems);
    }

    /** A retry of more than one attempt re-runs the call: not on deferred results, not blindly if non-idempotent. */
    private static void checkRepeat(RetryPolicy retry, String where, boolean nonIdempotent, String deferred,
            List<String> problems) {
        if (retry.attempts() == 1) {
            return;
        }
        if (deferred != null) {
            problems.add(Rules.at(where, MethodRules.deferred("@Retry", deferred)));
        } else if (nonIdempotent) {
            Rules.addAt(where, MethodRules.nonIdempotentRetry("@Retry", retry.attempts(), !retry.retryOn().isEmpty(),
                    "@Retry.on"), problems);
        }
    }


    /** Converts and validates one {@code @Retry}; null means one attempt. */
    public static RetryPolicy toPolicy(Retry r, String where, List<String> problems) {
        if (r == null) {
            return RetryPolicy.none();
        }
        List<String> found = RetryRules.check(r, FailureType.of(List.of(r.on())),
                FailureType.of(List.of(r.abortOn())));
        Rules.addAt(where, found, problems);
        int before = problems.size();
        List<java.util.function.Predicate<Object>> onResult =
                ResultAndHandlerRules.predicates("@Retry.onResult", r.onResult(), where, problems);
        if (!found.isEmpty() || problems.size() > before) {
            return RetryPolicy.none();
        }
        RetryPolicy.Builder b = RetryPolicy.builder();
        onResult.forEach(b::retryOnResult);
        return b.attemptTimeout(duration(r.attemptTimeout(), r.unit()))
                .attempts(r.attempts())
                .delay(duration(r.delay(), r.unit()))
                .maxDelay(duration(r.maxDelay(), r.unit()))
                .multiplier(r.multiplier())
                .jitter(r.jitter())
                .maxDuration(duration(r.maxDuration(), r.unit()))
                .retryOn(r.on())
                .abortOn(r.abortOn())
                .budgetRatio(r.budgetRatio())
                .budget(r.budget())
                .budgetMinPerSecond(r.budgetMinPerSecond())
                .build();
    }

    /** A non-negative amount of {@code unit}, saturated at Long.MAX_VALUE nanoseconds (292 years). */
    private static Duration duration(long amount, TimeUnit unit) {
        return Duration.ofNanos(unit.toNanos(amount));
    }


    /** The alternatives {@code c}'s own (class-declared) @Fallback lists for {@code m}: the edges of a cycle. */
    private static List<Class<?>> ownTargets(Class<?> c, Method m) {
        Fallback own = ownFallback(c, m);
        return own == null ? List.of() : List.of(own.to());
    }

    /** A @Fallback declared on the class itself (method or type), not inherited from the interface. */
    private static Fallback ownFallback(Class<?> c, Method m) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            Method own = Overrides.declaredIn(k, c, m);
            if (own != null && own.isAnnotationPresent(Fallback.class)) {
                return own.getAnnotation(Fallback.class);
            }
        }
        return c.isInterface() ? null : c.getAnnotation(Fallback.class);
    }

    private static void warnFallbackWithoutRetry(String name) {
        if (!Boolean.parseBoolean(System.getProperty(WARN_FALLBACK_WITHOUT_RETRY, "true"))) {
            return;
        }
        if (WARNED.add(name)) {
            LOG.warn("{} has @Fallback but no @Retry: one transient failure sends every call to the "
                    + "fallback. Add @Retry, or set -D{}=false if that is intended.", name,
                    WARN_FALLBACK_WITHOUT_RETRY);
        }
    }


    private static void makeAccessible(Method m) {
        try {
            m.setAccessible(true);
        } catch (RuntimeException notOpen) {
            // public members of exported packages need no access override
        }
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import java.lang.reflect.Method;

/**
 * How one method's configuration problems name it, per policy, so that each problem starts with the method that
 * carries what it is about ({@link AnnotationLookup#carrierName}): a bad {@code @Retry} on {@code Own.reply(String)}
 * reads {@code Own.reply(String): ...} whichever door resolves the method and whichever compiler wrote its
 * bridges, though the method's events name {@code Replier.reply(Object)}. A builder's policies name the wrapped
 * interface's method for all ({@link #all}). Made once per method, when its policy is resolved.
 *
 * @param retry where the method's {@code @Retry} is written
 * @param fallback where its {@code @Fallback} is written
 * @param breaker where its {@code @CircuitBreaker} is written
 * @param rateLimit where its {@code @RateLimit} is written; each, when the method has none of that kind, the
 *     first of the others the method has
 */
public record ProblemNames(String retry, String fallback, String breaker, String rateLimit) {

    /** Every policy named {@code name}: a builder's, which all come from one place. */
    public static ProblemNames all(String name) {
        return new ProblemNames(name, name, name, name);
    }

    /**
     * The names of {@code method}'s policies on {@code implClass}: type-level ones count unless its result is
     * deferred ({@code deferred} non-null), as when they are read; {@code fallbackName} when it has none at all.
     */
    static ProblemNames of(Class<?> implClass, Class<?> contract, Method method, String deferred,
            String fallbackName) {
        boolean typeLevel = deferred == null;
        String retry = AnnotationLookup.carrierName(Retry.class, implClass, contract, method, typeLevel);
        String fallback = AnnotationLookup.carrierName(Fallback.class, implClass, contract, method, typeLevel);
        String breaker = AnnotationLookup.carrierName(CircuitBreaker.class, implClass, contract, method, typeLevel);
        String rateLimit = AnnotationLookup.carrierName(RateLimit.class, implClass, contract, method, typeLevel);
        String any = retry != null ? retry : fallback != null ? fallback : breaker != null ? breaker
                : rateLimit != null ? rateLimit : fallbackName;
        return new ProblemNames(retry != null ? retry : any, fallback != null ? fallback : any,
                breaker != null ? breaker : any, rateLimit != null ? rateLimit : any);
    }
}

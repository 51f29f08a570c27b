package dev.rebound.runtime.internal;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Turns one {@code @Retry} or {@code @CircuitBreaker} into its policy through the builder, once the
 * rule set found no problem in it (the problems, naming the method and the attribute, are added).
 */
final class PolicyConversion {

    private PolicyConversion() {
    }

    /** Converts and validates one {@code @Retry}; null means one attempt. */
    static RetryPolicy toPolicy(Retry r, String where, List<String> problems) {
        if (r == null || !NamedClasses.present(r, where, problems)) { // an alternative's, read here first
            return RetryPolicy.none();
        }
        List<String> found = RetryRules.check(r, FailureType.of(List.of(r.on())),
                FailureType.of(List.of(r.abortOn())));
        Rules.addAt(where, found, problems);
        int before = problems.size();
        List<Predicate<Object>> onResult =
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

    /** Converts and validates one {@code @CircuitBreaker}; null stays null (no breaker). */
    static CircuitBreakerPolicy toPolicy(CircuitBreaker cb, String where, List<String> problems) {
        if (cb == null || !NamedClasses.present(cb, where, problems)) {
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
                .delay(duration(cb.delay(), cb.unit()))
                .successThreshold(cb.successThreshold())
                .halfOpenProbes(cb.halfOpenProbes())
                .failOn(cb.on())
                .skipOn(cb.skipOn())
                .build();
    }
}

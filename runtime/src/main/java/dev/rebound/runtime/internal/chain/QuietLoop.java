package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.spi.Invoker;
import java.util.List;

/**
 * The failure path of a method of the common shape, compiled once per method beside its chain: the
 * retries of a failed first attempt and the alternatives, for a synchronous method whose primary and
 * alternatives have at most attempts, backoff, jitter and exception filters (no circuit breaker, rate
 * limit, budget, deadline, attempt timeout, result check or fallback handler), in a call that no
 * listener wants an event of and no tracer traces. It does what {@link FallbackStrategy} over
 * {@link RetryStrategy} over {@link Invocation} does for that shape, with the same rules
 * ({@link RetryRule#quietAfterFailure}, {@link FallbackStrategy#mayFallBack(Execution, FallbackRule, Throwable)},
 * {@link FailureHistory}): the same attempts, waits (backoff, jitter, Retry-After, server verdicts),
 * interrupts, history and caller's exception; only the events nobody wants and the strategies'
 * hand-offs are left out. Anything else is the chain's ({@link MethodExecutor#failed}).
 */
final class QuietLoop {

    private final RetryRule primary;
    private final FallbackRule fallbackRule;
    private final Alternative[] alternatives;
    /** Each alternative's retry rule, by index. */
    private final RetryRule[] rules;

    private QuietLoop(RetryRule primary, FallbackRule fallbackRule, Alternative[] alternatives, RetryRule[] rules) {
        this.primary = primary;
        this.fallbackRule = fallbackRule;
        this.alternatives = alternatives;
        this.rules = rules;
    }

    /**
     * The loop of {@code spec}, whose untraced chain retries the primary with {@code primary} and each
     * alternative with {@code alternativeRetries}; null when the method is not of the common shape.
     */
    static QuietLoop of(MethodSpec spec, RetryStrategy primary, RetryStrategy[] alternativeRetries) {
        if (spec.shape() != CallShape.SYNC || spec.circuitBreaker() != null || spec.rateLimit() != null
                || spec.fallbackHandler() != null || spec.fallbackOnResult() != null || !plain(spec.retry())) {
            return null;
        }
        List<Alternative> alternatives = spec.alternatives();
        RetryRule[] rules = new RetryRule[alternatives.size()];
        for (int i = 0; i < rules.length; i++) {
            if (!plain(alternatives.get(i).retry())) {
                return null;
            }
            rules[i] = alternativeRetries[i].rule();
        }
        return new QuietLoop(primary.rule(), spec.fallbackRule(), alternatives.toArray(new Alternative[0]), rules);
    }

    /** A retry policy of the common shape: nothing but attempts, backoff, jitter and exception filters. */
    private static boolean plain(RetryPolicy p) {
        return !p.hasBudget() && !p.hasDeadline() && p.attemptTimeoutNanos() <= 0L && p.resultPredicate() == null;
    }

    /**
     * The call after the door's failed first attempt {@code failure}, on {@code call} (borrowed, its
     * settings set, nobody listening): the primary's retries, then the alternatives in order; the result,
     * or {@link Execution#FAILED} with the caller's exception (history attached) in {@code call.failure}.
     */
    Object run(Execution call, Throwable failure, Object context, Object[] args, Invoker invoker) {
        Object result;
        try {
            result = attempts(call, primary, invoker, context, args, failure);
        } catch (Throwable t) {
            result = call.failed(t); // a rule that threw (a failure's broken getCause): as the chain treats it
        }
        if (result != Execution.FAILED || alternatives.length == 0) {
            return result;
        }
        FailureHistory history = call.history;
        FallbackStrategy.keep(history, call.failure);
        history.primaryDone();
        for (int i = 0; i < alternatives.length; i++) {
            if (!FallbackStrategy.mayFallBack(call, fallbackRule, history.last())) {
                break;
            }
            Alternative alt = alternatives[i];
            Object instance;
            try {
                instance = alt.instance();
            } catch (Throwable providerFailure) {
                history.record(providerFailure);
                continue;
            }
            try {
                result = attempts(call, rules[i], alt, instance, invoker.argumentsInPlace(context, args), null);
            } catch (Throwable t) {
                result = call.failed(t);
            }
            if (result != Execution.FAILED) {
                return result;
            }
            FallbackStrategy.keep(history, call.failure);
        }
        return call.failed(history.last());
    }

    /**
     * The attempts on one target under {@code rule}, as {@link RetryStrategy#apply}: {@code f} is the
     * first attempt's failure when a door ran it, else null.
     */
    private static Object attempts(Execution call, RetryRule rule, Invoker invoker, Object instance, Object[] args,
            Throwable f) {
        for (int attempt = 1; ; attempt++) {
            if (f == null) {
                try {
                    return invoker.invoke(instance, args);
                } catch (Throwable t) {
                    f = t;
                }
            }
            call.history.record(f);
            long wait = rule.quietAfterFailure(call, f, attempt);
            if (wait < 0L || !RetryStrategy.waited(call, wait)) {
                return call.failed(f);
            }
            f = null;
        }
    }
}
